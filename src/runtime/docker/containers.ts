// How one container of a cluster is described to testcontainers: on the cluster network only
// (under its alias), ports published on the loopback interface only, labelled for cleanup.
import type { GenericContainer } from 'testcontainers';
import { loadTestcontainers } from './env';

export interface ContainerSpec {
  image: string;
  name: string;                    // docker container name (unique per cluster)
  network: string;                 // docker network name
  alias: string;                   // DNS name on that network (node-1, toxiproxy)
  labels: Record<string, string>;
  exposedPorts: number[];          // published on 127.0.0.1, random host ports
  entrypoint?: string[];           // undefined: the image's own
  command?: string[];
  binds?: string[];                // "volume:/path"
}

/**
 * A GenericContainer for `spec`. Two things testcontainers does not offer directly: joining only
 * the cluster network (its withNetworkAliases attaches the default bridge as well) and binding
 * published ports to 127.0.0.1 (its default, every interface, would expose the brokers and the
 * fault API to the machine's network).
 */
export function clusterContainer(spec: ContainerSpec): GenericContainer {
  const { GenericContainer } = loadTestcontainers();
  class ClusterContainer extends GenericContainer {
    constructor() {
      super(spec.image);
      this.withName(spec.name).withLabels(spec.labels).withNetworkMode(spec.network).withExposedPorts(...spec.exposedPorts);
      this.createOpts.NetworkingConfig = { EndpointsConfig: { [spec.network]: { Aliases: [spec.alias] } } };
      if (spec.entrypoint) this.withEntrypoint(spec.entrypoint);
      if (spec.command) this.withCommand(spec.command);
      if (spec.binds) this.hostConfig.Binds = spec.binds;
    }
    protected override async beforeContainerCreated(): Promise<void> {
      for (const bindings of Object.values(this.hostConfig.PortBindings ?? {}) as { HostIp?: string }[][]) {
        for (const binding of bindings) binding.HostIp = '127.0.0.1';
      }
    }
  }
  return new ClusterContainer();
}

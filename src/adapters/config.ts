// The adapter choice of a scenario's cluster, as the load engine (and its workers) receive it:
// also how the clients connect (auth, TLS) and, per node, the name its proxied URL stands for.
import type { ClusterSpec } from '../contracts/scenario';
import type { AdapterConfig } from './types';

export function adapterConfigOf(cluster: ClusterSpec, nodes: ReadonlyArray<{ origin?: string }> = []): AdapterConfig {
  const origins = nodes.map((n) => n.origin);
  return {
    name: cluster.adapter ?? 'v1',
    ...(cluster.adapterOptions ? { options: cluster.adapterOptions } : {}),
    ...(cluster.resume ? { resume: cluster.resume } : {}),
    ...(cluster.auth ? { auth: cluster.auth } : {}),
    ...(cluster.tls ? { tls: cluster.tls } : {}),
    ...(origins.some((o) => o !== undefined) ? { origins } : {}),
    ...(cluster.adapterModule ? { module: cluster.adapterModule } : {}),
  };
}

// The docker runtime: the bundled broker cluster in containers (testcontainers), every client
// connection and every node-to-node link through one Toxiproxy container, process faults through
// the engine (dockerode). One call: startDockerCluster(spec, { runDir }).
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import type Dockerode from 'dockerode';
import type { StartedTestContainer } from 'testcontainers';
import { EXIT, UserError, infraError, usageError } from '../../util/errors';
import { nodeIds as nodeIdsFor, type ClusterSpec } from '../../contracts/scenario';
import type { Cluster, ClusterNode, ClusterProxies, StartCluster, StartOptions } from '../cluster';
import { clusterContainer } from './containers';
import { connectDocker, type RuntimeClient } from './env';
import { chooseToxiproxyImage, ensureBundledImage } from './image';
import { LABEL_CLUSTER, clusterLabels, removeLabelled } from './labels';
import { countOccurrences, logTail, readContainerLog, saveContainerLog } from './logs';
import { untilHttpOk, untilLogLine, waitForLogCount } from './wait';
import {
  NODE_PORT, TOXIPROXY_ALIAS, TOXIPROXY_API_PORT, clientPorts, createProxies, peersArg, planProxies, type ProxyPlan,
} from './proxies';

const STARTUP_TIMEOUT_MS = 30_000;
const LISTENING = '"event":"listening"';   // the broker's readiness line

/** Command-line flags of one broker node (the reference broker's contract). */
export function brokerArgs(spec: ClusterSpec, nodeId: string, peers: string): string[] {
  const args = ['--id', nodeId, '--host', '0.0.0.0', '--port', String(NODE_PORT)];
  if (peers) args.push('--peers', peers);
  args.push('--history', String(spec.history), '--history-seconds', String(spec.historySeconds));
  if (spec.durable) args.push('--data-dir', '/data');
  if (spec.misbehaviour) args.push('--misbehave', spec.misbehaviour.mode, '--misbehave-rate', String(spec.misbehaviour.rate));
  return args;
}

const interrupted = () => new UserError('interrupted while starting the docker cluster', EXIT.interrupted);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

interface NodeHandle {
  node: ClusterNode;
  container: Dockerode.Container;
}

class DockerCluster implements Cluster {
  readonly runtime = 'docker' as const;
  private stopping?: Promise<void>;
  private readonly onAbort = () => void this.stop();

  constructor(
    readonly nodes: ClusterNode[],
    readonly proxies: ClusterProxies,
    private readonly handles: Map<string, NodeHandle>,
    private readonly docker: Dockerode,
    private readonly clusterId: string,
    private readonly runDir: string,
    private readonly signal?: AbortSignal,
  ) {
    // Ctrl-C after start: the containers go even if the caller never reaches stop().
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The node's container; undefined once stop() began (a fault timed after Ctrl-C is moot). */
  private handle(nodeId: string): NodeHandle | undefined {
    const h = this.handles.get(nodeId);
    if (!h) throw usageError(`unknown node "${nodeId}"`, `nodes are ${[...this.handles.keys()].join(', ')}`);
    return this.stopping ? undefined : h;
  }

  async kill(nodeId: string): Promise<void> {
    const container = this.handle(nodeId)?.container;
    if (!container) return;
    const state = (await container.inspect()).State;
    if (!state.Running) return;
    // SIGKILL reaches a frozen (paused) process too: no unpause first, so it runs no more code.
    await container.kill({ signal: 'SIGKILL' });
    await container.wait();
  }

  async pause(nodeId: string): Promise<void> {
    const container = this.handle(nodeId)?.container;
    if (!container) return;
    const state = (await container.inspect()).State;
    if (state.Running && !state.Paused) await container.pause();
  }

  async resume(nodeId: string): Promise<void> {
    const container = this.handle(nodeId)?.container;
    if (!container) return;
    if ((await container.inspect()).State.Paused) await container.unpause();
  }

  async restart(nodeId: string): Promise<void> {
    const handle = this.handle(nodeId);
    if (!handle) return;
    const { node, container } = handle;
    await this.kill(nodeId); // "restart" of a running node = crash + start
    const seen = countOccurrences(await readContainerLog(container), LISTENING);
    await container.start(); // same container, same /data volume: the durable log survives
    try {
      await waitForLogCount(container, LISTENING, seen, STARTUP_TIMEOUT_MS);
    } catch (err) {
      throw infraError(`docker: ${nodeId} did not come back after restart (${messageOf(err)}; output: ${await logTail(container)})`);
    }
    // The host port of a restarted container can change; the client URL (through the proxy) cannot.
    const ports = (await container.inspect()).NetworkSettings.Ports[`${NODE_PORT}/tcp`];
    if (ports?.[0]) node.directUrl = `ws://127.0.0.1:${ports[0].HostPort}`;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.signal?.removeEventListener('abort', this.onAbort);
      await saveLogs(this.docker, this.clusterId, this.runDir);
      await removeLabelled(this.docker, `${LABEL_CLUSTER}=${this.clusterId}`).catch(() => undefined);
    })();
    return this.stopping;
  }
}

/** Saves the output of every container of the cluster as <runDir>/logs/<node-1|toxiproxy>.log. */
async function saveLogs(docker: Dockerode, clusterId: string, runDir: string): Promise<void> {
  try {
    const filters = JSON.stringify({ label: [`${LABEL_CLUSTER}=${clusterId}`] });
    const list = await docker.listContainers({ all: true, filters });
    const prefix = `/${containerPrefix(clusterId)}-`;
    await Promise.all(
      list.map((c) => {
        const name = (c.Names[0] ?? c.Id).replace(prefix, '');
        return saveContainerLog(docker.getContainer(c.Id), join(runDir, 'logs', `${name}.log`));
      }),
    );
  } catch {
    /* diagnostics only */
  }
}

const containerPrefix = (clusterId: string) => `chat-bench-${clusterId}`;

/** Starts one container; a failure names it (the readiness check already quotes its output). */
async function startNamed(what: string, logDir: string, start: () => Promise<StartedTestContainer>): Promise<StartedTestContainer> {
  try {
    return await start();
  } catch (err) {
    throw infraError(`docker: ${what} did not start (${messageOf(err)})`, `logs in ${logDir}`);
  }
}

interface StartContext {
  client: RuntimeClient;
  docker: Dockerode;
  spec: ClusterSpec;
  opts: StartOptions;
  clusterId: string;
  labels: Record<string, string>;
}

async function startSteps(ctx: StartContext): Promise<DockerCluster> {
  const { client, docker, spec, opts, clusterId, labels } = ctx;
  const log = opts.log ?? (() => undefined);
  const checkAbort = () => {
    if (opts.signal?.aborted) throw interrupted();
  };
  const nodeIds = nodeIdsFor(spec.nodes);
  const plan: ProxyPlan = planProxies(nodeIds);
  const prefix = containerPrefix(clusterId);
  const logFile = (name: string) => join(opts.runDir, 'logs', `${name}.log`);
  // Phase durations, logged once at the end: where a slow start spent its time.
  const phases: string[] = [];
  let phaseStart = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases.push(`${name} ${Math.round(now - phaseStart)} ms`);
    phaseStart = now;
  };

  // Images first: a build is the slow, failure-prone part, and needs nothing else to exist.
  const bundled = () => ensureBundledImage(client, log);
  const nodeImage = spec.nodeImage ?? (await bundled());
  checkAbort();
  const toxiproxyImage = await chooseToxiproxyImage(client, spec.toxiproxyImage, bundled, TOXIPROXY_API_PORT);
  checkAbort();
  phase('images');

  const network = `${prefix}-net`;
  await client.network.create({ Name: network, Driver: 'bridge', CheckDuplicate: true, Labels: labels });
  checkAbort();

  const toxiName = `${prefix}-toxiproxy`;
  const toxiproxy = await startNamed(`toxiproxy (${toxiproxyImage.image})`, join(opts.runDir, 'logs'), () =>
    clusterContainer({
      image: toxiproxyImage.image,
      name: toxiName,
      network,
      alias: TOXIPROXY_ALIAS,
      labels,
      exposedPorts: [TOXIPROXY_API_PORT, ...clientPorts(plan)],
      entrypoint: toxiproxyImage.command?.entrypoint,
      command: toxiproxyImage.command?.args,
    })
      .withWaitStrategy(untilHttpOk(TOXIPROXY_API_PORT, '/version', opts.signal, logFile('toxiproxy')))
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .start(),
  );
  const apiUrl = `http://127.0.0.1:${toxiproxy.getMappedPort(TOXIPROXY_API_PORT)}`;
  phase('network+toxiproxy');
  // Proxies before nodes: a node's first peer dial then reaches its link proxy, not a closed port.
  try {
    await createProxies(apiUrl, plan);
  } catch (err) {
    throw infraError(`docker: could not create the Toxiproxy proxies at ${apiUrl} (${messageOf(err)})`);
  }
  checkAbort();
  phase('proxies');

  // allSettled, not all: after a failure the cleanup must not race nodes still being created.
  const outcomes = await Promise.allSettled(
    nodeIds.map(async (id) => {
      const name = `${prefix}-${id}`;
      let binds: string[] | undefined;
      if (spec.durable) {
        // A named, labelled volume: it outlives kill/start of the container and goes with stop().
        await docker.createVolume({ Name: `${name}-data`, Labels: labels });
        binds = [`${name}-data:/data`];
      }
      const container = await startNamed(id, join(opts.runDir, 'logs'), () =>
        clusterContainer({
          image: nodeImage,
          name,
          network,
          alias: id,
          labels,
          exposedPorts: [NODE_PORT],
          command: brokerArgs(spec, id, peersArg(id, nodeIds, plan)),
          binds,
        })
          .withWaitStrategy(untilLogLine(LISTENING, opts.signal, logFile(id)))
          .withStartupTimeout(STARTUP_TIMEOUT_MS)
          .start(),
      );
      return { id, container };
    }),
  );
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  const started = outcomes.map((o) => (o as PromiseFulfilledResult<{ id: string; container: StartedTestContainer }>).value);
  checkAbort();
  phase('nodes');

  const handles = new Map<string, NodeHandle>();
  const nodes: ClusterNode[] = started.map(({ id, container }) => {
    const node: ClusterNode = {
      id,
      clientUrl: `ws://127.0.0.1:${toxiproxy.getMappedPort(plan.clients[id].listenPort)}`,
      directUrl: `ws://127.0.0.1:${container.getMappedPort(NODE_PORT)}`,
    };
    handles.set(id, { node, container: docker.getContainer(container.getId()) });
    return node;
  });
  const proxies: ClusterProxies = {
    apiUrl,
    clients: Object.fromEntries(nodeIds.map((id) => [id, plan.clients[id].name])),
    links: Object.fromEntries(Object.entries(plan.links).map(([pair, p]) => [pair, p.name])),
  };
  log(`docker: ${nodeIds.length} nodes (${nodeImage}) behind ${toxiproxyImage.image}, API ${apiUrl} (${phases.join(', ')})`);
  return new DockerCluster(nodes, proxies, handles, docker, clusterId, opts.runDir, opts.signal);
}

/** Resolves when `promise` settles or after `ms`, whichever is first; never rejects. */
const settled = (promise: Promise<unknown>, ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });

export const startDockerCluster: StartCluster = async (spec, opts) => {
  if (opts.signal?.aborted) throw interrupted();
  const client = await connectDocker();
  const docker = client.container.dockerode;
  const clusterId = randomBytes(4).toString('hex');
  const ctx: StartContext = {
    client,
    docker,
    spec,
    opts,
    clusterId,
    labels: clusterLabels(basename(opts.runDir), clusterId),
  };

  const steps = startSteps(ctx);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(interrupted());
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([steps, aborted]);
  } catch (err) {
    // Remove what exists now; a step still in flight may create one more object, so wait for it
    // to settle (it fails fast once its container is gone) and sweep again.
    await saveLogs(docker, clusterId, opts.runDir);
    const sweep = () => removeLabelled(docker, `${LABEL_CLUSTER}=${clusterId}`).catch(() => undefined);
    await sweep();
    await settled(steps, 10_000);
    await sweep();
    if (err instanceof UserError) throw err;
    throw infraError(`docker: the cluster did not start (${messageOf(err)})`, `logs in ${join(opts.runDir, 'logs')}`);
  } finally {
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    aborted.catch(() => undefined);
  }
};

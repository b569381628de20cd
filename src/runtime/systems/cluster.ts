// Local runtime for real systems (cluster.system: nats | redis | mosquitto): the server binaries
// as child processes on free loopback ports, clients through the embedded fault proxy (the
// clients:node-N proxies), process faults on the children. NATS clusters: `nodes: N` starts N
// nats-servers with JetStream, routed through link proxies (nats-cluster.ts). Redis and
// mosquitto are not clustered here: ONE server, and `nodes: N` gives it N client entry points
// (one proxy each), so a fault on clients:node-2 cuts only the clients that entered there; a
// node fault hits the one server.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { nodeIds, type ClusterSpec } from '../../contracts/scenario';
import { usageError } from '../../util/errors';
import { startOrStop, type Cluster, type ClusterNode, type StartCluster, type StartOptions } from '../cluster';
import { startProxyServer, type ProxyServer } from '../embedded-proxy';
import { killProcess, stopProcess } from '../process';
import { proxyNamesFor } from '../proxy-names';
import { findBinary } from './binary';
import { NatsHealth, natsHealthy, planNatsCluster } from './nats-cluster';
import { infraError } from '../../util/errors';
import { freePort, startServer } from './server-process';
import { SERVERS, type ServerRecipe } from './servers';

interface ServerNode { id: string; port: number; args: string[]; child: ChildProcess | null; monitorPort?: number }

const READY_TIMEOUT_MS = 30_000;

export const startSystemCluster: StartCluster = async (spec, opts) => {
  const system = spec.system ?? 'reference';
  if (system === 'reference') throw new Error('startSystemCluster: the reference broker has its own runtime');
  const recipe = SERVERS[system];
  const binary = findBinary(recipe.binary, recipe.debianPackage);
  return startOrStop(new SystemCluster(spec, opts, recipe, binary));
};

class SystemCluster implements Cluster {
  readonly runtime = 'local' as const;
  readonly nodes: ClusterNode[] = [];
  proxies = { apiUrl: '', clients: {} as Record<string, string>, links: {} as Record<string, string> };
  private proxy: ProxyServer | null = null;
  private servers = new Map<string, ServerNode>();
  private stopped = false;
  private health: NatsHealth | null = null;

  constructor(private readonly spec: ClusterSpec, private readonly opts: StartOptions,
    private readonly recipe: ServerRecipe, private readonly binary: string) {}

  async start(): Promise<void> {
    const ids = nodeIds(this.spec.nodes);
    const names = proxyNamesFor(ids);
    this.proxy = await startProxyServer(join(this.opts.runDir, 'logs'));
    if (this.spec.system === 'nats') return this.startNats(ids, names);
    this.proxies = { apiUrl: this.proxy.apiUrl, clients: names.clients, links: {} };
    const dataDir = join(this.opts.runDir, 'data', 'server');
    mkdirSync(dataDir, { recursive: true });
    const port = await freePort();
    const server: ServerNode = { id: 'server', port, args: this.recipe.args!(port, dataDir), child: null };
    await this.launch(server);
    for (const id of ids) {
      this.servers.set(id, server);
      const proxyPort = await this.proxy.createProxy(names.clients[id], `127.0.0.1:${port}`);
      const scheme = this.recipe.urlScheme;
      this.nodes.push({ id, clientUrl: `${scheme}://127.0.0.1:${proxyPort}`, directUrl: `${scheme}://127.0.0.1:${port}` });
    }
  }

  /** One nats-server per node, each with its own config file (ports, store dir, routes through the link proxies). */
  private async startNats(ids: string[], names: ReturnType<typeof proxyNamesFor>): Promise<void> {
    const plans = await planNatsCluster(ids, this.proxy!, this.opts.runDir);
    this.proxies = { apiUrl: this.proxy!.apiUrl, clients: names.clients, links: ids.length > 1 ? names.links : {} };
    for (const p of plans) this.servers.set(p.id, { id: p.id, port: p.clientPort, args: ['-c', p.configFile], child: null, monitorPort: p.monitorPort });
    await Promise.all(plans.map((p) => this.launch(this.servers.get(p.id)!)));
    // Clients start only once JetStream can serve them (clustered: a meta leader elected).
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (const p of plans) {
      while (!(await natsHealthy(p.monitorPort))) {
        if (Date.now() > deadline) throw infraError(`nats-server ${p.id} not healthy within ${READY_TIMEOUT_MS / 1000} s (JetStream without a meta leader?)`, `see ${join(this.opts.runDir, 'logs')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.health = new NatsHealth(() => [...this.servers.values()].map((n) => n.monitorPort!));
    this.health.start();
    for (const p of plans) {
      const proxyPort = await this.proxy!.createProxy(names.clients[p.id], `127.0.0.1:${p.clientPort}`);
      this.nodes.push({ id: p.id, clientUrl: `nats://127.0.0.1:${proxyPort}`, directUrl: `nats://127.0.0.1:${p.clientPort}` });
    }
  }

  private async launch(node: ServerNode): Promise<void> {
    const log = node.id === 'server' ? `${this.recipe.binary}.log` : `${this.recipe.binary}-${node.id}.log`;
    node.child = await startServer(`${this.recipe.binary} ${node.id}`, this.binary, node.args, node.port, join(this.opts.runDir, 'logs', log));
  }

  /** NATS: every server healthy and routed to every other (a killed or cut-off one is not). */
  settled(): boolean {
    return this.health?.settled() ?? true;
  }

  private node(id: string): ServerNode {
    const node = this.servers.get(id);
    if (!node) throw usageError(`no node "${id}" in this cluster`, `nodes are ${[...this.servers.keys()].join(', ')}`);
    return node;
  }

  async kill(id: string): Promise<void> {
    const node = this.node(id);
    if (node.child) await killProcess(node.child);
    node.child = null;
  }

  async pause(id: string): Promise<void> { this.node(id).child?.kill('SIGSTOP'); }
  async resume(id: string): Promise<void> { this.node(id).child?.kill('SIGCONT'); }

  async restart(id: string): Promise<void> {
    const node = this.node(id);
    if (node.child) await killProcess(node.child);
    node.child = null;
    if (!this.stopped) await this.launch(node); // same port, same data dir
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.health?.stop();
    await Promise.all([...new Set(this.servers.values())].map(async (n) => {
      if (n.child) await stopProcess(n.child);
      n.child = null;
    }));
    await this.proxy?.stop();
  }
}

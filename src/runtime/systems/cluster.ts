// Local runtime for real systems (cluster.system: nats | redis | mosquitto): the server binary
// as a child process on a free loopback port, clients through the embedded fault proxy (the
// clients:node-N proxies), process faults on the child. These systems are not clustered here
// yet: ONE server, and `nodes: N` gives it N client entry points (one proxy each), so a fault on
// clients:node-2 cuts only the clients that entered there; a node fault hits the one server.
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
import { freePort, startServer } from './server-process';
import { SERVERS, type ServerRecipe } from './servers';

interface ServerNode { id: string; port: number; args: string[]; child: ChildProcess | null }

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

  constructor(private readonly spec: ClusterSpec, private readonly opts: StartOptions,
    private readonly recipe: ServerRecipe, private readonly binary: string) {}

  async start(): Promise<void> {
    const ids = nodeIds(this.spec.nodes);
    const names = proxyNamesFor(ids);
    this.proxy = await startProxyServer(join(this.opts.runDir, 'logs'));
    this.proxies = { apiUrl: this.proxy.apiUrl, clients: names.clients, links: {} };
    const dataDir = join(this.opts.runDir, 'data', 'server');
    mkdirSync(dataDir, { recursive: true });
    const port = await freePort();
    const server: ServerNode = { id: 'server', port, args: this.recipe.args(port, dataDir), child: null };
    await this.launch(server);
    for (const id of ids) {
      this.servers.set(id, server);
      const proxyPort = await this.proxy.createProxy(names.clients[id], `127.0.0.1:${port}`);
      const scheme = this.recipe.urlScheme;
      this.nodes.push({ id, clientUrl: `${scheme}://127.0.0.1:${proxyPort}`, directUrl: `${scheme}://127.0.0.1:${port}` });
    }
  }

  private async launch(node: ServerNode): Promise<void> {
    node.child = await startServer(`${this.recipe.binary} ${node.id}`, this.binary, node.args, node.port,
      join(this.opts.runDir, 'logs', `${this.recipe.binary}.log`));
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
    await Promise.all([...new Set(this.servers.values())].map(async (n) => {
      if (n.child) await stopProcess(n.child);
      n.child = null;
    }));
    await this.proxy?.stop();
  }
}

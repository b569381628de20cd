// Local runtime (the default): every broker node is a child process on a loopback port, and
// every connection — clients to nodes, node to node — goes through the embedded fault proxy.
// A run with many clients splits the client proxies over several proxy processes, because a
// relayed connection costs the proxy two file descriptors (see src/runtime/fd-budget.ts).
import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { clientProxyName, linkProxyName, proxyNamesFor } from './proxy-names';
import { EXIT, UserError, usageError } from '../util/errors';
import { fdLimit } from '../util/fd-limits';
import { checkClusterFds, proxyProcessNodes } from './fd-budget';
import { nodeIds, type ClusterSpec } from '../contracts/scenario';
import { startOrStop, type Cluster, type ClusterNode, type StartCluster, type StartOptions } from './cluster';
import { startProxyServer, type ProxyServer } from './embedded-proxy';
import { LinkHealth } from './link-health';
import { killProcess, startListeningProcess, stopProcess } from './process';

const BROKER_MAIN = resolve(__dirname, '../../reference-broker/main.js');

interface LocalNode {
  id: string;
  port: number;
  args: string[];
  child: ChildProcess | null;
}

/**
 * Points an existing proxy at a node's port (Toxiproxy's update: same listen address, new
 * upstream). A link created before its node started is enabled here; otherwise a proxy a
 * fault took down stays down.
 */
async function repoint(server: ProxyServer, name: string, port: number, enable = false): Promise<void> {
  const proxy = await server.client.get(name);
  await proxy.update({ enabled: enable || proxy.enabled, listen: proxy.listen, upstream: `127.0.0.1:${port}` });
}

export const startLocalCluster: StartCluster = (spec, opts) => startOrStop(new LocalCluster(spec, opts));

class LocalCluster implements Cluster {
  readonly runtime = 'local' as const;
  nodes: ClusterNode[] = [];
  proxies = { apiUrl: '', apiUrls: {} as Record<string, string>, clients: {} as Record<string, string>, links: {} as Record<string, string> };
  private proxy: ProxyServer | null = null;     // the first proxy process: links, and client proxies that fit
  private extraProxies: ProxyServer[] = [];
  private clientProxyServer = new Map<string, ProxyServer>(); // node id → proxy process of its client proxy
  private local = new Map<string, LocalNode>();
  private stopped = false;
  private readonly health: LinkHealth;

  constructor(private readonly spec: ClusterSpec, private readonly opts: StartOptions) {
    this.health = new LinkHealth(nodeIds(spec.nodes));
  }

  async start(): Promise<void> {
    const ids = nodeIds(this.spec.nodes);
    const names = proxyNamesFor(ids);
    const logDir = join(this.opts.runDir, 'logs');
    const clients = this.opts.expectedClients ?? 0;
    const limit = fdLimit();
    checkClusterFds(clients, ids.length, 'local', limit);
    const groups = Number.isFinite(limit) ? proxyProcessNodes(ids.length, clients, limit) : [ids];
    this.proxy = await startProxyServer(logDir);
    for (const id of ids) this.clientProxyServer.set(id, this.proxy);
    for (let g = 1; g < groups.length; g++) {
      this.checkAborted();
      const server = await startProxyServer(join(logDir, `proxy-${g + 1}`));
      this.extraProxies.push(server);
      for (const id of groups[g]) this.clientProxyServer.set(id, server);
    }
    const apiUrls: Record<string, string> = {};
    for (const [id, server] of this.clientProxyServer) if (server !== this.proxy) apiUrls[names.clients[id]] = server.apiUrl;
    this.proxies = { apiUrl: this.proxy.apiUrl, apiUrls, ...names };
    this.checkAborted();

    // Each node binds port 0 and reports its real port: a port picked in advance could be
    // taken meanwhile (even by our own proxies, which also bind port 0). So links are created
    // first with no upstream yet, nodes start, and then the proxies learn the nodes' ports.
    const NOT_YET = '127.0.0.1:9'; // discard port: a node's link attempts fail and retry until it is set
    const linkPorts = new Map<string, number>();
    for (const [pair, name] of Object.entries(names.links)) linkPorts.set(pair, await this.proxy.createProxy(name, NOT_YET));
    for (const id of ids) {
      const peers = ids.filter((p) => p !== id).map((p) => `${p}=ws://127.0.0.1:${linkPorts.get(`${id}>${p}`)}`);
      const args = ['--id', id, '--host', '127.0.0.1', '--port', '0',
        '--history', String(this.spec.history), '--history-seconds', String(this.spec.historySeconds)];
      if (peers.length) args.push('--peers', peers.join(','));
      if (this.spec.durable) args.push('--data-dir', join(this.opts.runDir, 'data', id));
      if (this.spec.misbehaviour) args.push('--misbehave', this.spec.misbehaviour.mode, '--misbehave-rate', String(this.spec.misbehaviour.rate));
      this.local.set(id, { id, port: 0, args, child: null });
    }
    await Promise.all(ids.map((id) => this.launch(this.local.get(id)!)));
    this.checkAborted();
    const portOf = (id: string) => this.local.get(id)!.port;
    for (const [pair, name] of Object.entries(names.links)) await repoint(this.proxy, name, portOf(pair.split('>')[1]), true);
    for (const id of ids) {
      const clientPort = await this.clientProxyServer.get(id)!.createProxy(names.clients[id], `127.0.0.1:${portOf(id)}`);
      this.nodes.push({ id, clientUrl: `ws://127.0.0.1:${clientPort}`, directUrl: `ws://127.0.0.1:${portOf(id)}` });
    }
  }

  /** A restarted node has a new port: its client proxy and every link towards it follow. */
  private async pointProxiesAt(node: LocalNode): Promise<void> {
    await repoint(this.clientProxyServer.get(node.id)!, clientProxyName(node.id), node.port);
    for (const other of this.local.keys()) if (other !== node.id) await repoint(this.proxy!, linkProxyName(other, node.id), node.port);
    const i = this.nodes.findIndex((n) => n.id === node.id);
    if (i >= 0) this.nodes[i] = { ...this.nodes[i], directUrl: `ws://127.0.0.1:${node.port}` };
  }

  private checkAborted(): void {
    if (this.opts.signal?.aborted) throw new UserError('interrupted', EXIT.interrupted);
  }

  /** Starts the node on port 0, as every start does: a port chosen earlier may be taken by now. */
  private async launch(node: LocalNode): Promise<void> {
    const { child, port } = await startListeningProcess(`broker ${node.id}`, BROKER_MAIN, node.args,
      join(this.opts.runDir, 'logs', `${node.id}.log`), undefined, (line) => this.health.line(node.id, line));
    node.child = child;
    node.port = port;
    this.health.setRunning(node.id, true);
    child.once('exit', () => this.health.setRunning(node.id, false));
  }

  /** Every node running and every node-to-node link up (see link-health.ts). */
  settled(): boolean {
    return this.health.settled();
  }

  private node(id: string): LocalNode {
    const node = this.local.get(id);
    if (!node) throw usageError(`no node "${id}" in this cluster`, `nodes are ${[...this.local.keys()].join(', ')}`);
    return node;
  }

  async kill(id: string): Promise<void> {
    const node = this.node(id);
    if (node.child) await killProcess(node.child);
    node.child = null;
  }

  async pause(id: string): Promise<void> {
    this.node(id).child?.kill('SIGSTOP');
    this.health.setRunning(id, false);
  }

  async resume(id: string): Promise<void> {
    const child = this.node(id).child;
    child?.kill('SIGCONT');
    if (child) this.health.setRunning(id, true);
  }

  async restart(id: string): Promise<void> {
    const node = this.node(id);
    if (node.child) await killProcess(node.child);
    node.child = null;
    if (this.stopped) return;
    await this.launch(node); // same data dir, a new port
    await this.pointProxiesAt(node);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all([...this.local.values()].map(async (n) => {
      if (n.child) await stopProcess(n.child);
      n.child = null;
    }));
    await Promise.all([this.proxy, ...this.extraProxies].map((p) => p?.stop()));
  }
}

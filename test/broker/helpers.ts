// Test helpers for the reference broker: a raw protocol client over a real WebSocket, polling
// waits, in-process clusters that can restart a node on its port, and a pausable TCP proxy.
import net from 'node:net';
import WebSocket from 'ws';
import type { BrokerFrame, ClientFrame, MsgFrame } from '../../src/protocol';
import { after } from 'node:test';
import { BrokerNodeImpl, startBrokerNode, type BrokerNode } from '../../reference-broker/server';
import type { BrokerNodeOptions } from '../../reference-broker/options';
import { homeOf } from '../../reference-broker/rendezvous';

export async function until(cond: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class TestClient {
  readonly frames: BrokerFrame[] = [];
  closed = false;
  closeCode = 0;
  closeReason = '';
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.frames.push(JSON.parse(data.toString('utf8')) as BrokerFrame));
    ws.on('close', (code, reason) => { this.closed = true; this.closeCode = code; this.closeReason = reason.toString(); });
    ws.on('error', () => {});
  }

  /** `autoPong: false` makes a client that never answers the node's pings. */
  static connect(url: string, opts: { autoPong?: boolean } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, autoPong: opts.autoPong ?? true });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(frame: ClientFrame | Record<string, unknown> | string | Buffer, binary = false): void {
    if (typeof frame === 'string' || Buffer.isBuffer(frame)) this.ws.send(frame, { binary });
    else this.ws.send(JSON.stringify(frame));
  }

  msgs(ch?: string): MsgFrame[] {
    return this.frames.filter((f): f is MsgFrame => f.t === 'msg' && (ch === undefined || f.ch === ch));
  }
  serials(ch?: string): number[] { return this.msgs(ch).map((m) => m.s); }
  of<T extends BrokerFrame['t']>(t: T): Extract<BrokerFrame, { t: T }>[] {
    return this.frames.filter((f) => f.t === t) as Extract<BrokerFrame, { t: T }>[];
  }

  async waitFrame<T extends BrokerFrame['t']>(t: T, match: (f: Extract<BrokerFrame, { t: T }>) => boolean = () => true, timeoutMs = 4000): Promise<Extract<BrokerFrame, { t: T }>> {
    let found: Extract<BrokerFrame, { t: T }> | undefined;
    await until(() => (found = this.of(t).find(match)) !== undefined, `a ${t} frame`, timeoutMs);
    return found!;
  }

  /** Subscribes and waits for the subd. */
  async sub(ch: string, from?: number, timeoutMs = 4000) {
    const before = this.of('subd').length;
    this.send(from === undefined ? { t: 'sub', ch } : { t: 'sub', ch, from });
    await until(() => this.of('subd').slice(before).some((f) => f.ch === ch), `subd of ${ch}`, timeoutMs);
    return this.of('subd').slice(before).find((f) => f.ch === ch)!;
  }

  /** Publishes and waits for the ack (or err) of that key. */
  async pub(ch: string, id: string, d: unknown = { v: id }, timeoutMs = 4000): Promise<BrokerFrame> {
    const before = this.frames.length;
    this.send({ t: 'pub', ch, id, d });
    const answer = () => this.frames.slice(before).find((f) => (f.t === 'ack' || f.t === 'err') && f.id === id);
    await until(() => answer() !== undefined, `answer to publish ${id}`, timeoutMs);
    return answer()!;
  }

  /** Stops (or resumes) reading from the socket, like a client whose event loop is stuck. */
  pauseReading(paused: boolean): void {
    const socket = (this.ws as unknown as { _socket: import('node:net').Socket })._socket;
    if (paused) socket.pause();
    else socket.resume();
  }

  close(): void { this.ws.terminate(); }
}

/** Serials 1..n. */
export const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** A channel name whose home is `nodeId` among `ids`. */
export function channelHomedOn(nodeId: string, ids: string[], prefix = 'ch'): string {
  for (let i = 0; ; i++) if (homeOf(`${prefix}-${i}`, ids) === nodeId) return `${prefix}-${i}`;
}

const FAST_LINKS: BrokerNodeOptions = {
  linkReconnect: { initialMs: 20, maxMs: 200, multiplier: 2, jitter: 'full' },
  linkPingMs: 100,
  linkTimeoutMs: 400,
};

/**
 * N nodes in this process with fast link timings; `restart(i)` closes node i and starts it again
 * on the same port (and data dir), like a process restart. `peerUrl` lets links go through proxies.
 */
export class TestCluster {
  readonly nodes: BrokerNodeImpl[] = [];
  readonly ids: string[];
  private constructor(readonly n: number, private readonly opts: BrokerNodeOptions & { dataDirOf?: (id: string) => string }, private readonly peerUrl: (from: string, to: string, url: string) => string) {
    this.ids = Array.from({ length: n }, (_, i) => `node-${i + 1}`);
  }

  static async start(n: number, opts: BrokerNodeOptions & { dataDirOf?: (id: string) => string } = {}, peerUrl = (_f: string, _t: string, url: string) => url): Promise<TestCluster> {
    const c = new TestCluster(n, opts, peerUrl);
    for (const id of c.ids) {
      const node = c.make(id, 0);
      await node.listen();
      c.nodes.push(node);
    }
    for (const node of c.nodes) node.connectPeers(c.peersOf(node.id));
    return c;
  }

  url(i: number): string { return this.nodes[i].url; }
  homeIndex(ch: string): number { return this.ids.indexOf(homeOf(ch, this.ids)); }

  private make(id: string, port: number): BrokerNodeImpl {
    return new BrokerNodeImpl({
      ...FAST_LINKS, ...this.opts, id, port,
      dataDir: this.opts.dataDirOf?.(id),
      peers: this.ids.filter((p) => p !== id).map((p) => ({ id: p, url: '' })),
    });
  }

  private peersOf(id: string) {
    return this.nodes.filter((p) => p.id !== id).map((p) => ({ id: p.id, url: this.peerUrl(id, p.id, p.url) }));
  }

  async stop(i: number): Promise<number> {
    const port = this.nodes[i].port;
    await this.nodes[i].close();
    return port;
  }

  async startAgain(i: number, port: number): Promise<void> {
    const node = this.make(this.ids[i], port);
    await node.listen();
    this.nodes[i] = node;
    node.connectPeers(this.peersOf(node.id));
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.close()));
  }
}

/** A TCP proxy that can stall: while stalled, bytes are held back but the sockets stay open. */
export class StallProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly held: Array<() => void> = [];
  private stalled = false;
  private constructor(private readonly server: net.Server, readonly port: number) {}

  static async start(target: () => number): Promise<StallProxy> {
    const holder: { proxy?: StallProxy } = {};
    const server = net.createServer((client) => holder.proxy!.pair(client, net.connect(target(), '127.0.0.1')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    holder.proxy = new StallProxy(server, (server.address() as net.AddressInfo).port);
    return holder.proxy;
  }

  private pair(a: net.Socket, b: net.Socket): void {
    const forward = (from: net.Socket, to: net.Socket) => from.on('data', (chunk) => {
      if (this.stalled) this.held.push(() => to.write(chunk));
      else to.write(chunk);
    });
    forward(a, b);
    forward(b, a);
    for (const s of [a, b]) {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => { this.sockets.delete(s); a.destroy(); b.destroy(); });
    }
  }

  stall(on: boolean): void {
    this.stalled = on;
    if (!on) this.held.splice(0).forEach((write) => write());
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/**
 * Nodes, clients and clusters a test file opens, all closed after its last test (newest
 * first): `const { node, client, cluster } = closedAfterAll();` at the top of the file.
 */
export function closedAfterAll() {
  const open: Array<{ close(): unknown }> = [];
  after(async () => { for (const o of open.reverse()) await o.close(); });
  const track = <T extends { close(): unknown }>(x: T): T => { open.push(x); return x; };
  return {
    track,
    node: async (opts: BrokerNodeOptions = {}): Promise<BrokerNode> => track(await startBrokerNode(opts)),
    client: async (url: string, opts?: Parameters<typeof TestClient.connect>[1]): Promise<TestClient> => track(await TestClient.connect(url, opts)),
    cluster: async (...args: Parameters<typeof TestCluster.start>): Promise<TestCluster> => track(await TestCluster.start(...args)),
  };
}

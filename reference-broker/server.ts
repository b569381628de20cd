// One broker node: the WebSocket server, the channels homed here, the mirrors of channels
// homed elsewhere, and the links to the other nodes. Routing is decided per channel by
// rendezvous hashing, identically on every node.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import { encode } from '../src/protocol';
import type { BrokerFrame, PubFrame } from '../src/protocol';
import { infraError } from '../src/util/errors';
import { ChannelLog } from './channel-log';
import type { HistoryLimits } from './channel-log';
import type { KeyLimits } from './key-window';
import { Connection } from './connection';
import type { ConnectionHandlers, ConnectionLimits, Subscription } from './connection';
import { DurableLog } from './durable-log';
import { MisbehaviourInjector } from './misbehaviour';
import { Heartbeat } from './heartbeat';
import { Mirror } from './mirror';
import { resolveOptions } from './options';
import type { BrokerNodeOptions, PeerSpec, ResolvedOptions } from './options';
import { PeerLink } from './peer-link';
import { recoverChannels } from './recovery';
import { HomeTable } from './rendezvous';
import { Topic } from './topic';

/** Cheap counts for tests and operators (GET /stats on the node's port). */
export interface BrokerNodeStats {
  connections: number;       // open WebSockets, clients and peer links
  subscriptions: number;     // over all connections
  homes: number;             // channels homed here that the node holds
  mirrors: number;           // channels homed elsewhere mirrored here
  pendingPublishes: number;  // forwarded publishes awaiting their home's answer
}

/**
 * The process's live JS heap. With `?gc=1` on a node started with --expose-gc, garbage is
 * collected first, so that a leak test compares what is held, not what is not yet collected.
 */
function heapUsedBytes(collectFirst: boolean): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collectFirst && gc) gc();
  return process.memoryUsage().heapUsed;
}

// A dropped connection gets at most this long to read its close frame before its socket goes.
const MAX_DROP_GRACE_MS = 5000;

export interface BrokerNode {
  readonly id: string;
  readonly port: number;
  readonly url: string;        // ws://host:port of this node itself
  close(): Promise<void>;
}

// ws must never be the one to refuse a large frame (it would close the connection): the
// node answers err too_large itself and keeps the connection.
const wsMaxPayload = (maxFrameBytes: number) => Math.max(64 * 1024 * 1024, maxFrameBytes * 4);

export class BrokerNodeImpl implements BrokerNode, ConnectionHandlers {
  readonly id: string;
  private readonly opts: ResolvedOptions;
  private readonly limits: HistoryLimits;
  private readonly keyLimits: KeyLimits;
  private readonly misbehaviour: MisbehaviourInjector;
  private readonly table: HomeTable;
  private readonly homes = new Map<string, Topic>();
  private readonly mirrors = new Map<string, Mirror>();
  private readonly links = new Map<string, PeerLink>();
  /** Forwarded publishes awaiting the home's answer: peer id → key → client connections. */
  private readonly pending = new Map<string, Map<string, Connection[]>>();
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly connLimits: ConnectionLimits;
  private readonly heartbeat: Heartbeat;
  private durable: DurableLog | null = null;
  private http: Server | null = null;
  private wss: WebSocketServer | null = null;
  private closing: Promise<void> | null = null;
  port = 0;

  constructor(options: BrokerNodeOptions) {
    this.opts = resolveOptions(options);
    this.id = this.opts.id;
    this.limits = { count: this.opts.history, maxAgeMs: this.opts.historySeconds * 1000 };
    this.keyLimits = { count: this.opts.dedupeKeys, maxAgeMs: this.opts.dedupeSeconds * 1000 };
    this.misbehaviour = new MisbehaviourInjector(this.opts.misbehaviour);
    this.table = new HomeTable([this.id, ...this.opts.peers.map((p) => p.id)].sort());
    for (const p of this.opts.peers) this.pending.set(p.id, new Map());
    this.connLimits = {
      maxFrameBytes: this.opts.maxFrameBytes,
      maxSubs: this.opts.maxSubsPerConnection,
      maxBufferedBytes: this.opts.maxBufferedBytes,
      dropGraceMs: Math.min(MAX_DROP_GRACE_MS, this.opts.clientTimeoutMs),
    };
    this.heartbeat = new Heartbeat({ pingMs: this.opts.clientPingMs, timeoutMs: this.opts.clientTimeoutMs });
  }

  stats(): BrokerNodeStats {
    let subscriptions = 0;
    for (const conn of this.connections.values()) subscriptions += conn.subs.size;
    let pendingPublishes = 0;
    for (const waiting of this.pending.values()) pendingPublishes += waiting.size;
    return { connections: this.connections.size, subscriptions, homes: this.homes.size, mirrors: this.mirrors.size, pendingPublishes };
  }

  get url(): string {
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    return `ws://${host}:${this.port}`;
  }

  /** Recovers the durable log (unless amnesia), then listens. */
  async listen(): Promise<void> {
    const dir = this.misbehaviour.forgets ? undefined : this.opts.dataDir;
    if (dir) {
      const started = Date.now();
      const state = recoverChannels(dir, this.limits, this.keyLimits);
      for (const [ch, log] of state.logs) this.homes.set(ch, this.adoptHome(new Topic(ch, log)));
      this.durable = DurableLog.open(dir);
      this.opts.log(JSON.stringify({
        event: 'recovered', id: this.id, channels: state.logs.size, messages: state.messages, retained: state.retained,
        compacted: state.compacted, corruptLines: state.corruptLines, tornTail: state.tornTail, ms: Date.now() - started,
      }));
    }
    const http = createServer((req, res) => {
      if (req.method === 'GET' && (req.url === '/stats' || req.url === '/stats?gc=1')) {
        const body = { ...this.stats(), heapUsedBytes: heapUsedBytes(req.url.endsWith('gc=1')) };
        res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
        return;
      }
      res.writeHead(426, { 'content-type': 'text/plain' }).end('chat-bench reference broker: connect with WebSocket (protocol v1)\n');
    });
    // noServer: the upgrade hands us the TCP socket, which Connection corks to batch writes.
    const wss = new WebSocketServer({ noServer: true, maxPayload: wsMaxPayload(this.opts.maxFrameBytes), perMessageDeflate: false, skipUTF8Validation: true });
    http.on('upgrade', (req, socket, head) => {
      socket.on('error', () => { /* a reset during the handshake: nothing to clean up */ });
      wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req.url ?? '/', socket));
    });
    this.http = http;
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      http.once('error', (err: NodeJS.ErrnoException) => {
        this.durable?.close();
        if (err.code === 'EADDRINUSE') reject(infraError(`port ${this.opts.port} on ${this.opts.host} is already in use`, 'choose another --port, or 0 for any free port'));
        else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(infraError(`cannot listen on host ${this.opts.host}`, 'use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0'));
        else reject(infraError(`cannot listen on ${this.opts.host}:${this.opts.port}: ${err.message}`));
      });
      http.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.port = (http.address() as AddressInfo).port;
    this.heartbeat.start();
  }

  /** Diagnostics: whether the link to a peer is up right now. */
  isLinkOpen(peerId: string): boolean {
    return this.links.get(peerId)?.isOpen ?? false;
  }

  /** Starts the links to the other nodes (URLs known only now in an in-process cluster). */
  connectPeers(peers: PeerSpec[] = this.opts.peers): void {
    for (const peer of peers) {
      if (this.links.has(peer.id)) continue;
      const link = new PeerLink(
        { selfId: this.id, peerId: peer.id, url: peer.url, reconnect: this.opts.linkReconnect, pingMs: this.opts.linkPingMs, timeoutMs: this.opts.linkTimeoutMs, log: this.opts.log },
        {
          onOpen: () => this.mirrorsHomedAt(peer.id).forEach((m) => m.onLinkOpen()),
          onClose: () => this.onLinkClose(peer.id),
          onFrame: (frame, raw) => this.onLinkFrame(peer.id, frame, raw),
        },
      );
      this.links.set(peer.id, link);
      link.start();
    }
  }

  private accept(ws: WebSocket, rawUrl: string, socket: Duplex): void {
    let peerId: string | null = null;
    try {
      peerId = new URL(rawUrl, 'ws://node').searchParams.get('peer');
    } catch { /* a URL we cannot read: treat as a client */ }
    const conn = new Connection(ws, peerId, this, this.misbehaviour, this.connLimits, socket);
    this.connections.set(ws, conn);
    this.heartbeat.add(conn);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      try {
        conn.onMessage(data, isBinary);
      } catch (err) {
        // A bug must cost one request, never the node; a publish still gets its one answer.
        this.opts.log(JSON.stringify({ event: 'internal-error', id: this.id, error: String(err) }));
        conn.sendErr('internal', 'internal error while handling the frame', isBinary ? undefined : conn.idOf(data));
      }
    });
    ws.on('pong', () => this.heartbeat.answered(conn));
    ws.on('error', () => { /* 'close' follows */ });
    ws.on('close', () => {
      this.connections.delete(ws);
      this.heartbeat.remove(conn);
      conn.teardown();
    });
  }

  // ---- ConnectionHandlers ------------------------------------------------------------

  /** The node that sequences `ch` for `conn`: its home, or this node for clients under split-serials. */
  private sequencerOf(ch: string, conn: Connection): string {
    return conn.isClient && this.misbehaviour.splitsSerials ? this.id : this.table.homeOf(ch);
  }

  subscribe(sub: Subscription): void {
    const home = this.sequencerOf(sub.ch, sub.conn);
    if (home === this.id) return this.homeTopic(sub.ch).attach(sub);
    if (!sub.conn.isClient) {
      // Links only ask a channel's home; anything else is a membership mismatch.
      sub.conn.unsubscribe(sub.ch);
      return sub.conn.sendErr('bad_request', `channel ${sub.ch} is homed on ${home}, not ${this.id} (do the nodes agree on --peers?)`);
    }
    this.mirror(sub.ch, home).addLocal(sub);
  }

  publish(conn: Connection, frame: PubFrame): void {
    if (conn.isClient && this.misbehaviour.swallows(frame.id)) return;
    const home = this.sequencerOf(frame.ch, conn);
    if (home === this.id) return this.store(conn, frame);
    if (!conn.isClient) return conn.sendErr('unavailable', `channel ${frame.ch} is homed on ${home}, not ${this.id}`, frame.id);
    this.forward(home, conn, frame);
  }

  // ---- home channels -----------------------------------------------------------------

  private homeTopic(ch: string): Topic {
    let topic = this.homes.get(ch);
    if (!topic) this.homes.set(ch, (topic = this.adoptHome(new Topic(ch, new ChannelLog(this.limits, this.keyLimits)))));
    return topic;
  }

  private adoptHome(topic: Topic): Topic {
    topic.whenUnsubscribed = (t) => this.releaseIfUnused(t);
    return topic;
  }

  /**
   * Frees a home channel that no one subscribes to and that never stored a message. One that
   * did keeps its serial counter (and idempotency keys) for as long as the node runs: forgetting
   * it would restart serials at 1 under subscribers that resume.
   */
  private releaseIfUnused(topic: Topic): void {
    if (topic.subscribers.size > 0 || topic.log.newest > 0) return;
    if (this.homes.get(topic.ch) === topic) this.homes.delete(topic.ch);
  }

  /** Assigns the next serial, persists it, fans it out, acks. A known key is acked again instead. */
  private store(conn: Connection, { ch, id, d }: PubFrame): void {
    const topic = this.homeTopic(ch);
    const log = topic.log;
    if (!this.misbehaviour.storesDuplicates) {
      const known = log.serialOfKey(id);
      if (known !== undefined) return conn.sendAck(id, known);
    }
    const s = log.newest + 1;
    const at = Date.now();
    const text = encode({ t: 'msg', ch, s, id, d });
    if (this.durable) {
      try {
        this.durable.append(DurableLog.messageLine(at, ch, s, id, text));
      } catch (err) {
        this.releaseIfUnused(topic);
        return conn.sendErr('internal', `could not write the log: ${(err as Error).message}`, id);
      }
    }
    topic.publish({ s, id, at, frame: Buffer.from(text) });
    conn.sendAck(id, s);
  }

  // ---- channels homed elsewhere ------------------------------------------------------

  private mirror(ch: string, home: string): Mirror {
    let m = this.mirrors.get(ch);
    if (!m) {
      const link = this.links.get(home);
      if (!link) throw new Error(`no link to ${home}`);
      m = new Mirror(ch, link, {
        limits: this.limits, lingerMs: this.opts.mirrorLingerMs, log: this.opts.log,
        release: (done) => { if (this.mirrors.get(done.ch) === done) this.mirrors.delete(done.ch); },
      });
      this.mirrors.set(ch, m);
    }
    return m;
  }

  private mirrorsHomedAt(peerId: string): Mirror[] {
    return [...this.mirrors.values()].filter((m) => m.link.peerId === peerId);
  }

  private forward(home: string, conn: Connection, frame: PubFrame): void {
    const link = this.links.get(home);
    const waiting = this.pending.get(home);
    if (!link || !waiting || !link.isOpen) {
      return conn.sendErr('unavailable', `home node ${home} of channel ${frame.ch} is unreachable; retry`, frame.id);
    }
    const already = waiting.get(frame.id);
    if (already) {
      already.push(conn); // the same key is in flight: its answer serves both
      return;
    }
    // Encoded before the key is registered: a frame that fails here must not leave an entry
    // that would swallow every retry of the key.
    const text = encode(frame);
    waiting.set(frame.id, [conn]);
    link.sendText(text);
  }

  private onLinkFrame(peerId: string, frame: BrokerFrame, raw: Buffer): void {
    switch (frame.t) {
      case 'msg':
        return this.mirrors.get(frame.ch)?.onMsg(frame, raw);
      case 'subd':
        return this.mirrors.get(frame.ch)?.onSubd(frame);
      case 'ack':
      case 'err': {
        const waiting = frame.id === undefined ? undefined : this.pending.get(peerId);
        const conns = frame.id === undefined ? undefined : waiting?.get(frame.id);
        if (!conns || frame.id === undefined) {
          if (frame.t === 'err') this.opts.log(JSON.stringify({ event: 'link-err', id: this.id, peer: peerId, code: frame.code, msg: frame.msg }));
          return;
        }
        waiting!.delete(frame.id);
        for (const conn of conns) {
          if (frame.t === 'ack') conn.sendAck(frame.id, frame.s);
          else conn.sendErr(frame.code, frame.msg, frame.id);
        }
        return;
      }
    }
  }

  private onLinkClose(peerId: string): void {
    const waiting = this.pending.get(peerId);
    if (waiting) {
      for (const [key, conns] of waiting) {
        for (const conn of conns) conn.sendErr('unavailable', `link to home node ${peerId} dropped before its answer; retry`, key);
      }
      waiting.clear();
    }
    this.mirrorsHomedAt(peerId).forEach((m) => m.onLinkClose());
  }

  // ---- shutdown ----------------------------------------------------------------------

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const link of this.links.values()) link.close();
    for (const m of this.mirrors.values()) m.close();
    this.heartbeat.stop();
    for (const ws of this.connections.keys()) ws.terminate();
    await new Promise<void>((resolve) => {
      if (!this.wss) return resolve();
      this.wss.close(() => resolve());
    });
    await new Promise<void>((resolve) => {
      if (!this.http || !this.http.listening) return resolve();
      this.http.closeAllConnections();
      this.http.close(() => resolve());
    });
    this.durable?.close();
    this.durable = null;
  }
}

/** Starts one node: recovers its log, listens, connects to its peers. */
export async function startBrokerNode(opts: BrokerNodeOptions): Promise<BrokerNode> {
  const node = new BrokerNodeImpl(opts);
  await node.listen();
  node.connectPeers();
  return node;
}

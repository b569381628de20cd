// One WebSocket connection to this node: a client, or another node's link (`?peer=<id>`).
// Turns frames into calls on the node and answers malformed ones without ever closing.
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { encode, parseClientFrame } from '../src/protocol';
import type { ErrorCode, PubFrame } from '../src/protocol';
import type { EncodedFrame } from './channel-log';
import type { MisbehaviourInjector, ReorderSlot } from './misbehaviour';

/** Where a subscription is registered (a home channel's topic or a mirror), to undo it. */
export interface SubscriptionSource { detach(sub: Subscription): void }

export class Subscription implements ReorderSlot {
  held: EncodedFrame | null = null;
  heldTimer: NodeJS.Timeout | null = null;
  active = false;                              // subd sent: receives live messages
  source: SubscriptionSource | null = null;
  constructor(readonly conn: Connection, readonly ch: string, readonly from: number | undefined) {}
}

export interface ConnectionHandlers {
  subscribe(sub: Subscription): void;
  publish(conn: Connection, frame: PubFrame): void;
}

// A consumer this far behind is cut off (it reconnects and resumes) instead of growing the
// node's memory without bound.
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
// Oversized frames up to this size are still parsed to find the publish id for the error.
const TEXT = { binary: false } as const;
const ID_LOOKUP_LIMIT = 1024 * 1024;
const ID_NEAR_START = /"id"\s*:\s*"((?:[^"\\]|\\.){1,256})"/;

// Fan-out writes one small frame per subscriber per message; a syscall each would dominate
// the node's CPU. Each socket written to is corked until the current tick ends, so all frames
// produced while handling one batch of input leave in one writev.
const corkedSockets = new Set<Duplex>();
let uncorkScheduled = false;
function corkUntilTickEnds(socket: Duplex): void {
  if (corkedSockets.has(socket)) return;
  socket.cork();
  corkedSockets.add(socket);
  if (!uncorkScheduled) {
    uncorkScheduled = true;
    process.nextTick(uncorkAll);
  }
}
function uncorkAll(): void {
  uncorkScheduled = false;
  for (const socket of corkedSockets) socket.uncork();
  corkedSockets.clear();
}

export class Connection {
  readonly subs = new Map<string, Subscription>();
  private closed = false;

  constructor(
    readonly ws: WebSocket,
    readonly peerId: string | null,
    private readonly node: ConnectionHandlers,
    private readonly misbehaviour: MisbehaviourInjector,
    private readonly maxFrameBytes: number,
    private readonly socket: Duplex | null = null, // the upgraded TCP socket, for write batching
  ) {}

  get isClient(): boolean { return this.peerId === null; }
  get isOpen(): boolean { return !this.closed; }
  /** no-resume applies to clients only: mirrors must stay correct. */
  get ignoresFrom(): boolean { return this.isClient && this.misbehaviour.ignoresFrom; }

  onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) return this.sendErr('bad_request', 'binary frames are not part of protocol v1; send JSON text');
    if (data.length > this.maxFrameBytes) {
      return this.sendErr('too_large', `frame of ${data.length} bytes exceeds the limit of ${this.maxFrameBytes}`, this.idOf(data));
    }
    const parsed = parseClientFrame(data.toString('utf8'));
    if (!parsed.ok) return this.sendErr('bad_request', parsed.reason, this.idOf(data));
    const frame = parsed.frame;
    switch (frame.t) {
      case 'sub': {
        this.unsubscribe(frame.ch); // a second sub replaces the first (new subd, new replay)
        const sub = new Subscription(this, frame.ch, frame.from);
        this.subs.set(frame.ch, sub);
        this.node.subscribe(sub);
        return;
      }
      case 'unsub':
        return this.unsubscribe(frame.ch);
      case 'pub':
        return this.node.publish(this, frame);
    }
  }

  /** Best effort: the publish id of a refused frame, so the publisher can match the err. */
  private idOf(data: Buffer): string | undefined {
    try {
      if (data.length <= ID_LOOKUP_LIMIT) {
        const o = JSON.parse(data.toString('utf8')) as { id?: unknown };
        return typeof o?.id === 'string' ? o.id : undefined;
      }
      // Too big to parse whole on the event loop: look for the id near the start only.
      const m = ID_NEAR_START.exec(data.toString('utf8', 0, 4096));
      return m ? (JSON.parse(`"${m[1]}"`) as string) : undefined;
    } catch {
      return undefined;
    }
  }

  unsubscribe(ch: string): void {
    const sub = this.subs.get(ch);
    if (!sub) return;
    this.subs.delete(ch);
    this.endSubscription(sub);
  }

  private endSubscription(sub: Subscription): void {
    sub.source?.detach(sub);
    sub.source = null;
    sub.active = false;
    this.misbehaviour.release(sub);
  }

  send(data: EncodedFrame): void {
    if (this.closed || this.ws.readyState !== 1) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.ws.terminate();
      return;
    }
    if (this.socket) corkUntilTickEnds(this.socket);
    // binary:false keeps Buffers (pre-encoded msg frames) as text frames.
    this.ws.send(data, TEXT);
  }

  /** A msg delivery: clients get it through the fault layer, peers directly. */
  deliver(sub: Subscription, frame: EncodedFrame): void {
    if (!this.isClient || !this.misbehaviour.affectsDelivery) return this.send(frame);
    this.misbehaviour.deliver(sub, frame, (f) => this.send(f));
  }

  sendSubd(ch: string, at: number, resumed: boolean | undefined): void {
    this.send(encode(resumed === undefined ? { t: 'subd', ch, at } : { t: 'subd', ch, at, resumed }));
  }

  sendAck(id: string, s: number): void {
    if (this.isClient && this.misbehaviour.withholdAck()) return;
    this.send(encode({ t: 'ack', id, s }));
  }

  sendErr(code: ErrorCode, msg: string, id?: string): void {
    this.send(encode(id === undefined ? { t: 'err', code, msg } : { t: 'err', id, code, msg }));
  }

  /** Closes the socket so the client reconnects and resubscribes (e.g. continuity lost upstream). */
  kick(reason: string): void {
    if (!this.closed) this.ws.close(4001, reason.slice(0, 120));
  }

  /** The socket is gone: undo every subscription. */
  teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sub of this.subs.values()) this.endSubscription(sub);
    this.subs.clear();
  }
}

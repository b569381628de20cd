// One WebSocket connection to this node: a client, or another node's link (`?peer=<id>`).
// Turns frames into calls on the node and answers malformed ones without ever closing.
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { encode, parseClientFrame } from '../src/protocol';
import type { ErrFrame, ErrorCode, PubFrame } from '../src/protocol';
import type { EncodedFrame } from './channel-log';
import type { MisbehaviourInjector, ReorderSlot } from './misbehaviour';
import { payloadProblem } from './payload';

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

/** What one connection may hold of the node. */
export interface ConnectionLimits {
  maxFrameBytes: number;        // larger frames get err too_large
  maxSubs: number;              // subscriptions per client connection; more get err rate_limited
  maxBufferedBytes: number;     // unsent bytes; more = slow consumer, closed with CLOSE.slowConsumer
  dropGraceMs: number;          // a dropped peer gets this long to read its close frame, then the socket goes
}

/** Close codes the node sends (4000-4999: application-defined). */
export const CLOSE = { continuityLost: 4001, slowConsumer: 4008, heartbeatTimeout: 4009 } as const;

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
  private dropTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly ws: WebSocket,
    readonly peerId: string | null,
    private readonly node: ConnectionHandlers,
    private readonly misbehaviour: MisbehaviourInjector,
    private readonly limits: ConnectionLimits,
    private readonly socket: Duplex | null = null, // the upgraded TCP socket, for write batching
  ) {}

  get isClient(): boolean { return this.peerId === null; }
  get isOpen(): boolean { return !this.closed; }
  /** no-resume applies to clients only: mirrors must stay correct. */
  get ignoresFrom(): boolean { return this.isClient && this.misbehaviour.ignoresFrom; }
  /** replay-before-subd applies to clients only, like every misbehaviour. */
  get replaysBeforeSubd(): boolean { return this.isClient && this.misbehaviour.replaysBeforeSubd; }

  onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) return this.sendErr('bad_request', 'binary frames are not part of protocol v1; send JSON text');
    if (data.length > this.limits.maxFrameBytes) {
      return this.sendErr('too_large', `frame of ${data.length} bytes exceeds the limit of ${this.limits.maxFrameBytes}`, this.idOf(data));
    }
    const parsed = parseClientFrame(data.toString('utf8'));
    if (!parsed.ok) return this.sendErr('bad_request', parsed.reason, this.idOf(data));
    const frame = parsed.frame;
    switch (frame.t) {
      case 'sub': {
        if (this.isClient && !this.subs.has(frame.ch) && this.subs.size >= this.limits.maxSubs) {
          const msg = `subscription limit of ${this.limits.maxSubs} per connection reached; not subscribed to ${frame.ch} (unsub another channel first)`;
          return this.sendErr('rate_limited', msg, undefined, frame.ch);
        }
        this.unsubscribe(frame.ch); // a second sub replaces the first (new subd, new replay)
        const sub = new Subscription(this, frame.ch, frame.from);
        this.subs.set(frame.ch, sub);
        this.node.subscribe(sub);
        return;
      }
      case 'unsub':
        return this.unsubscribe(frame.ch);
      case 'pub': {
        // Refused here, before the node registers or stores anything under this id.
        const problem = payloadProblem(frame.d);
        if (problem) return this.sendErr('bad_request', problem, frame.id);
        return this.node.publish(this, frame);
      }
    }
  }

  /** Best effort: the publish id of a refused frame, so the publisher can match the err. */
  idOf(data: Buffer): string | undefined {
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
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      // Cut off instead of growing the node's memory; it reconnects and resumes.
      return this.drop(CLOSE.slowConsumer, `slow consumer: more than ${this.limits.maxBufferedBytes} bytes unsent`);
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

  sendErr(code: ErrorCode, msg: string, id?: string, ch?: string): void {
    const frame: ErrFrame = { t: 'err', code, msg };
    if (id !== undefined) frame.id = id;
    if (ch !== undefined) frame.ch = ch;
    this.send(encode(frame));
  }

  /** Closes the socket so the client reconnects and resubscribes (e.g. continuity lost upstream). */
  kick(reason: string): void {
    if (!this.closed) this.ws.close(CLOSE.continuityLost, reason.slice(0, 120));
  }

  /**
   * Ends the connection for misbehaving (slow, silent): nothing more is sent or delivered, the
   * close frame says why, and the socket is destroyed after a grace period whether or not the
   * peer ever reads it, so its buffers are freed.
   */
  drop(code: number, reason: string): void {
    if (this.dropTimer) return;
    this.teardown();
    this.ws.close(code, reason.slice(0, 120));
    this.dropTimer = setTimeout(() => this.ws.terminate(), this.limits.dropGraceMs);
    this.dropTimer.unref();
  }

  /** The socket is gone: undo every subscription. */
  teardown(): void {
    if (this.dropTimer && this.ws.readyState === 3) clearTimeout(this.dropTimer);
    if (this.closed) return;
    this.closed = true;
    for (const sub of this.subs.values()) this.endSubscription(sub);
    this.subs.clear();
  }
}

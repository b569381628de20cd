// One virtual client = one connection to one node (through that node's client proxy), in
// whatever protocol its adapter speaks (src/adapters/). It subscribes to its channels, resumes
// each after every reconnect as the adapter can (from = last serial seen, or its session),
// reconnects with exponential backoff and jitter, detects dead links with pings, and (if it
// is a publisher) publishes open-loop with retries under the same key. The publish schedule is
// fixed on the run clock by the plan alone (join time + seeded phase, see schedulePublishing),
// so the same plan schedules the same messages however it is split over processes.
import type { Adapter, AdapterClient, AdapterEvents, ConnectionSettings } from '../adapters/types';
import type { EnvelopeView } from '../protocol/envelope';
import type { Stream } from '../verify/ledger';
import { backoffDelay } from '../util/backoff';
import type { LoadContext } from './context';
import { PublisherQueue } from './publisher';
import type { Timed } from './timer-heap';

const TIMER_CONNECT = 1;
const TIMER_PUBLISH = 2;

/** Above this many subscriptions a client looks channels up in a Map (up to it, a scan of a few names costs less and holds nothing). */
const MAP_FROM_CHANNELS = 4;

const enum State { Idle, Connecting, Open, Stopped, Away }

/** A performance.now() time in µs of the envelopes' clock (epoch-based, as `ts`). */
/** performance.timeOrigin is a getter that calls into the runtime: read once (it never changes). */
const TIME_ORIGIN_MS = performance.timeOrigin;
const toUs = (ms: number): number => Math.round((TIME_ORIGIN_MS + ms) * 1000);

export class VirtualClient implements Timed, AdapterEvents {
  private readonly link: AdapterClient;
  /** the adapter numbers nothing: this client numbers each stream's deliveries (see onDelivered) */
  private readonly localSerials: number[] | null;
  private readonly resumeBySerial: boolean;
  private readonly retryPublishes: boolean;
  private readonly resendAfterReconnect: boolean;
  private state = State.Idle;
  private attempt = 0;                  // failed attempts since the last open (backoff exponent)
  private everOpened = false;
  private returning = false;            // churn with resume: its next open is a return, not a reconnect
  private reconnectDue = false;         // a reconnect timer is pending (it fires even when the client went away meanwhile)
  private connectStartMs = 0;
  private droppedAtMs = -1;             // start of the current outage, -1 when none
  private awaitingResubscribe = 0;      // subd frames still due after a (re)connect
  private awaitingContinuity = false;
  private lastHeardMs = 0;
  private lastPingMs = 0;
  private readonly streams: Stream[];
  /** channel → index, for clients with many subscriptions (null: a scan of `channels` is quicker and smaller) */
  private readonly channelIndex: Map<string, number> | null;
  private readonly confirmed: boolean[];
  readonly publisher: PublisherQueue | null;
  private publishIntervalMs = 0;
  private publishFromMs = 0;            // run time of message 1
  private publishUntilMs = Infinity;    // its own end of publishing (stages: when it leaves)
  private scheduledCount = 0;           // messages scheduled so far: message k+1 is due at from + k × interval
  /** index of the publish channel among its subscriptions, while its first confirmation is still due (-1: none due) */
  private heldForOwnSubscription = -1;
  private openedAtMs = 0;
  /** stages with publish rates: the curve count of message 1 (k + phase); -1: a constant rate */
  private curveStart = -1;

  constructor(
    readonly id: string,
    readonly url: string,
    readonly channels: string[],
    publishChannel: string | null,
    private readonly ctx: LoadContext,
    adapter: Adapter,
    connection: ConnectionSettings,
  ) {
    const caps = adapter.capabilities;
    this.localSerials = caps.serials ? null : channels.map(() => 0);
    this.resumeBySerial = caps.serials && connection.resume === 'serial';
    // Without idempotent publish a resend may store the message twice: send each one once,
    // unless the protocol itself resends after a reconnect (MQTT QoS 1): a copy is then a
    // duplicate its guarantee allows, and giving up would hide what its retry delivers.
    this.retryPublishes = caps.idempotentPublish;
    this.resendAfterReconnect = caps.idempotentPublish || adapter.resendsAfterReconnect?.(connection.options) === true;
    this.link = adapter.createClient(url, this, { ...connection, clientId: id, connectTimeoutMs: ctx.spec.heartbeat.timeoutMs });
    this.channelIndex = channels.length > MAP_FROM_CHANNELS ? new Map(channels.map((ch, i) => [ch, i])) : null;
    this.streams = channels.map((ch) => ctx.ledger.openStream(id, ch));
    this.confirmed = channels.map(() => false);
    this.publisher = publishChannel ? new PublisherQueue(id, publishChannel, ctx.filler) : null;
    // Its first send waits for its own subscription to that channel: its own stream then owes
    // every message it publishes, whatever the timing (exact across shards and runs).
    if (publishChannel) this.heldForOwnSubscription = this.indexOf(publishChannel);
  }

  start(): void {
    if (this.state !== State.Idle) return;
    this.connect();
  }

  stop(): void {
    this.state = State.Stopped;
    this.link.stop();
  }

  /**
   * Leaves for good (stages: a ramp-down): its streams end here, so the checker owes it
   * nothing published after this moment, and it no longer counts as connected.
   */
  leave(): void {
    if (this.state === State.Open) {
      this.ctx.stats.connected--;
      const nowUs = toUs(this.ctx.now());
      for (const s of this.streams) this.ctx.ledger.dropped(s, nowUs);
    }
    this.stop();
  }

  /**
   * churn with resume: leaves for a while (the user closes the app). Its sessions end here as
   * in leave(); comeBack() reconnects and resubscribes from the last position it saw, so what
   * was published while it was away is owed when the target claims to resume.
   */
  goAway(): void {
    if (this.state === State.Stopped || this.state === State.Away) return;
    if (this.state === State.Open) {
      this.ctx.stats.connected--;
      const nowUs = toUs(this.ctx.now());
      for (const s of this.streams) this.ctx.ledger.dropped(s, nowUs);
    }
    this.state = State.Away;            // the link's closed() and a pending reconnect timer are ignored now
    this.droppedAtMs = -1;              // being away is no outage: no reconnect or continuity time
    this.awaitingContinuity = false;
    this.link.terminate();
  }

  /** churn with resume: back as itself (a pending reconnect timer, if any, connects it). */
  comeBack(): void {
    if (this.state !== State.Away) return;
    this.returning = true;
    if (this.reconnectDue) this.state = State.Connecting;
    else this.connect();
  }

  /** Each of its subscriptions was confirmed at least once (a stream never confirmed counts against the run). */
  get everConfirmed(): boolean {
    return this.streams.every((s) => this.ctx.ledger.lastSerial(s) !== undefined);
  }

  get isOpen(): boolean { return this.state === State.Open; }
  get fullySubscribed(): boolean { return this.state === State.Open && this.awaitingResubscribe === 0; }

  onTimer(kind: number, now: number): void {
    if (this.state === State.Stopped) return;
    if (kind === TIMER_CONNECT) {
      this.reconnectDue = false;
      if (this.state !== State.Away) this.connect();
    }
    else if (kind === TIMER_PUBLISH) this.publishDue(now);
  }

  // --- connection -------------------------------------------------------------------------

  private connect(): void {
    this.state = State.Connecting;
    this.connectStartMs = this.ctx.now();
    this.link.connect();
  }

  /** AdapterEvents: the connection is up. */
  opened(): void {
    if (this.state !== State.Connecting) return;
    const ctx = this.ctx;
    const now = ctx.now();
    this.state = State.Open;
    this.openedAtMs = now;
    this.attempt = 0;
    this.lastHeardMs = now;
    this.lastPingMs = now;
    ctx.stats.opened();
    ctx.stats.connects++;
    if (!this.everOpened) {
      this.everOpened = true;
      ctx.latency.recordConnect(Math.round((now - this.connectStartMs) * 1000));
    } else if (this.returning) {
      this.returning = false;
    } else {
      ctx.stats.reconnects++;
    }
    this.awaitingResubscribe = this.channels.length;
    for (let i = 0; i < this.channels.length; i++) {
      this.confirmed[i] = false;
      this.link.subscribe(this.channels[i], this.resumeBySerial ? ctx.ledger.lastSerial(this.streams[i]) : undefined);
    }
    // A publish in flight when the link dropped may or may not have been stored: resend it
    // with the same key (the target stores it at most once, or the protocol resends anyway),
    // or give it up if a resend could store it twice (it stays in doubt: sent, never acked).
    const p = this.publisher;
    if (p?.inFlight && this.resendAfterReconnect) this.sendInFlight(now);
    else {
      if (p?.inFlight) p.inFlight = null;
      this.trySend(now);
    }
  }

  /** AdapterEvents: the connection is gone (or never came up). */
  closed(): void {
    const ctx = this.ctx;
    if (this.state === State.Stopped || this.state === State.Away) return;
    const now = ctx.now();
    if (this.state === State.Open) {
      ctx.stats.connected--;
      ctx.stats.disconnects++;
      const nowUs = toUs(now);
      for (const s of this.streams) ctx.ledger.dropped(s, nowUs);
      if (this.droppedAtMs < 0) this.droppedAtMs = now;
      this.awaitingContinuity = this.channels.length > 0;
    } else {
      ctx.stats.connectFailures++;
    }
    this.state = State.Connecting;
    const delay = backoffDelay(ctx.spec.reconnect, this.attempt++, ctx.random);
    this.reconnectDue = true;
    ctx.scheduler.at(now + delay, this, TIMER_CONNECT);
  }

  /**
   * AdapterEvents: refused for good (a certificate, credentials). Retrying would only turn an
   * infrastructure problem into "lost messages": this client stops and the run ends (exit 3).
   */
  rejected(reason: string, hint: string): void {
    if (this.state === State.Stopped) return;
    if (this.state === State.Open) this.ctx.stats.connected--;
    this.state = State.Stopped;
    this.link.stop();
    this.ctx.fatal(reason, hint);
  }

  /** Called by the driver's housekeeping sweep: pings, and kills links that went silent. */
  heartbeat(now: number): void {
    if (this.state !== State.Open) return;
    const hb = this.ctx.spec.heartbeat;
    if (now - this.lastHeardMs > hb.timeoutMs) {
      this.ctx.stats.heartbeatTimeouts++;
      this.link.terminate();        // closed() follows: reconnect with backoff
      return;
    }
    // A link that delivers proves itself: ping only after `interval` of silence. (Each ping is
    // one write syscall on its own socket: at 10,000 clients they cost more than the deliveries.)
    if (now - this.lastHeardMs >= hb.intervalMs && now - this.lastPingMs >= hb.intervalMs) {
      this.lastPingMs = now;
      this.link.ping();
    }
  }

  // --- receiving --------------------------------------------------------------------------

  heard(): void {
    this.lastHeardMs = this.ctx.now();
  }

  protocolError(reason: string): void {
    this.ctx.ledger.protocolError(reason);
  }

  /** AdapterEvents: one message. A message before its confirmation counts: a target may replay history first. */
  delivered(channel: string, serial: number, id: string, envelope: unknown): void {
    const now = this.ctx.now();
    const i = this.streamOf(channel, now);
    if (i < 0) return;
    this.recorded(this.ctx.ledger.deliver(this.streams[i], this.serialOf(i, serial), id, envelope, toUs(now)), now);
  }

  /** AdapterEvents: one message read in place by the adapter's fast path. */
  deliveredView(channel: string, serial: number, view: EnvelopeView): void {
    const now = this.ctx.now();
    const i = this.streamOf(channel, now);
    if (i < 0) return;
    this.recorded(this.ctx.ledger.deliverView(this.streams[i], this.serialOf(i, serial), view, toUs(now)), now);
  }

  /** The index of a subscribed channel, or -1. */
  private indexOf(channel: string): number {
    return this.channelIndex === null ? this.channels.indexOf(channel) : this.channelIndex.get(channel) ?? -1;
  }

  /** The index of a delivery's stream (and a sign of life), or -1 after reporting a channel never subscribed. */
  private streamOf(channel: string, now: number): number {
    this.lastHeardMs = now;
    const i = this.indexOf(channel);
    if (i < 0) {
      this.ctx.ledger.protocolError(`msg for a channel never subscribed: ${channel}`);
      return -1;
    }
    this.ctx.stats.deliveries++;
    return i;
  }

  /**
   * A target without serials: number the stream's deliveries here, so the ledger checks
   * duplicates and order by each publisher's n alone.
   */
  private serialOf(i: number, serial: number): number {
    return this.localSerials === null ? serial : ++this.localSerials[i];
  }

  /** After the ledger took a delivery: its latency, and the end of an outage's continuity wait. */
  private recorded(latencyUs: number, now: number): void {
    const ctx = this.ctx;
    if (latencyUs >= 0) ctx.latency.record(latencyUs, now);
    if (this.awaitingContinuity && this.droppedAtMs >= 0 && this.awaitingResubscribe === 0) {
      this.awaitingContinuity = false;
      ctx.latency.recordContinuity(Math.round((now - this.droppedAtMs) * 1000));
      this.droppedAtMs = -1;
    }
  }

  /** AdapterEvents: the target confirmed a subscription on this connection. */
  subscribed(channel: string, at: number | undefined, resumed: boolean | undefined): void {
    const ctx = this.ctx;
    const now = ctx.now();
    this.lastHeardMs = now;
    const i = this.indexOf(channel);
    if (i < 0) {
      ctx.ledger.protocolError(`subd for a channel never requested: ${channel}`);
      return;
    }
    // Without serials the position is the stream's own count of deliveries, and the stream is
    // held to be one from its first confirmation on: what was published while the subscriber
    // was away is owed, so a system that drops it shows loss (outside any live session, which
    // at-most-once accepts and stronger guarantees do not).
    const position = this.localSerials ? this.localSerials[i] : at ?? Math.max(0, ctx.ledger.lastSerial(this.streams[i]) ?? 0);
    ctx.ledger.subscribed(this.streams[i], position, this.localSerials ? true : resumed, toUs(now));
    if (!this.confirmed[i]) {
      this.confirmed[i] = true;
      if (--this.awaitingResubscribe === 0 && this.droppedAtMs >= 0) {
        ctx.latency.recordReconnect(Math.round((now - this.droppedAtMs) * 1000));
        if (!this.awaitingContinuity) this.droppedAtMs = -1;
      }
    }
    if (i === this.heldForOwnSubscription) {
      this.heldForOwnSubscription = -1;
      this.trySend(now);
    }
  }

  // --- publishing -------------------------------------------------------------------------

  /**
   * Fixes its publish schedule on the run clock: message k (0-based) is scheduled at run time
   * joinMs + (phase + k) × interval — or, with stages' publish rates, when the rate curve's count
   * reaches the first count after joinMs plus k — while that is before its own end (`leaveMs`)
   * and the end of the publishing period. A pure function of the plan: it does not depend on
   * when the client actually connected. Messages that fall due before it is connected and
   * subscribed wait in its queue; their latency counts from the scheduled time like any queued
   * message's.
   */
  schedulePublishing(joinMs: number, phase: number, leaveMs = Infinity): void {
    if (!this.publisher) return;
    const curve = this.ctx.rateCurve;
    if (curve) {
      this.curveStart = Math.ceil(curve.countAt(joinMs) - phase) + phase;
    } else {
      const rate = this.ctx.spec.publishRate;
      if (!(rate > 0)) return;
      this.publishIntervalMs = 1000 / rate;
      this.publishFromMs = joinMs + phase * this.publishIntervalMs;
    }
    this.publishUntilMs = leaveMs;
    const first = this.dueAt(0);
    if (first < this.publishUntilMs) this.ctx.scheduler.at(this.ctx.runStartMs + first, this, TIMER_PUBLISH);
  }

  /** Run time of message k + 1 (Infinity: never, a curve whose rate stays at 0). */
  private dueAt(k: number): number {
    return this.curveStart >= 0 ? this.ctx.rateCurve!.timeOfCount(this.curveStart + k) : this.publishFromMs + k * this.publishIntervalMs;
  }

  private publishDue(now: number): void {
    const p = this.publisher;
    if (!p) return;
    const ctx = this.ctx;
    const end = Math.min(this.publishUntilMs, ctx.publishEndRunMs);
    let at = this.dueAt(this.scheduledCount);
    // A late timer schedules every message already due, each at its own time on the run clock.
    while (at < end && ctx.runStartMs + at <= now) {
      const scheduledUs = toUs(ctx.runStartMs + at);
      const n = p.enqueue(scheduledUs);
      ctx.ledger.publishScheduled(p.channel, p.publisher, n, scheduledUs);
      ctx.stats.scheduled++;
      at = this.dueAt(++this.scheduledCount);
    }
    if (at < end) ctx.scheduler.at(ctx.runStartMs + at, this, TIMER_PUBLISH);
    this.trySend(now);
  }

  private trySend(now: number): void {
    const p = this.publisher;
    if (!p || this.state !== State.Open || p.inFlight || this.heldForOwnSubscription >= 0) return;
    if (p.takeNext()) this.sendInFlight(now);
  }

  private sendInFlight(now: number): void {
    const p = this.publisher!;
    const m = p.inFlight!;
    if (this.state !== State.Open) return;
    this.link.publish(p.channel, m.key, m.payload);
    m.attempts++;
    m.deadlineMs = now + this.ctx.ackTimeoutMs;
    if (!m.sentOnce) {
      m.sentOnce = true;
      this.ctx.stats.published++;
      this.ctx.ledger.publishSent(p.channel, p.publisher, m.n, m.scheduledUs, toUs(now));
    } else {
      this.ctx.stats.retries++;
    }
  }

  /** AdapterEvents: the target took the publish with this key. */
  acked(id: string, serial: number): void {
    const now = this.ctx.now();
    this.lastHeardMs = now;
    const p = this.publisher;
    const m = p?.inFlight;
    if (!p || !m || m.key !== id) return; // a late ack of a message already acked: harmless
    this.ctx.stats.acked++;
    this.ctx.ledger.publishAcked(p.channel, p.publisher, m.n, serial, toUs(now));
    p.inFlight = null;
    this.trySend(now);
  }

  /** AdapterEvents: the target refused the publish with this key. */
  refused(id: string | undefined, code: string, msg: string): void {
    const now = this.ctx.now();
    this.lastHeardMs = now;
    const p = this.publisher;
    const m = p?.inFlight;
    if (!p || !m || id === undefined || m.key !== id) {
      this.ctx.ledger.protocolError(`err ${code}: ${msg}`);
      return;
    }
    this.ctx.stats.publishErrors++;
    if (code === 'bad_request' || code === 'too_large') {
      // The target refuses this message for good: it stays published-never-acked.
      this.ctx.ledger.protocolError(`publish refused (${code}): ${msg}`);
      p.inFlight = null;
      this.trySend(now);
      return;
    }
    // unavailable / rate_limited / internal: retry the same key after a backoff delay.
    m.deadlineMs = now + backoffDelay(this.ctx.spec.reconnect, m.attempts - 1, this.ctx.random);
  }

  /** Housekeeping: resend a publish whose ack is overdue or whose retry time has come. */
  checkPublishDeadline(now: number): void {
    // A target that never confirms the publisher's own subscription does not stop it publishing:
    // after an ack timeout on an open connection it sends anyway (its own stream then owes less).
    if (this.heldForOwnSubscription >= 0 && this.state === State.Open && now - this.openedAtMs >= this.ctx.ackTimeoutMs) {
      this.heldForOwnSubscription = -1;
      this.trySend(now);
    }
    const p = this.publisher;
    const m = p?.inFlight;
    if (!p || !m || this.state !== State.Open || now < m.deadlineMs) return;
    if (this.retryPublishes) this.sendInFlight(now);
    else {
      p.inFlight = null;   // no ack in time and a resend could store it twice: it stays in doubt
      this.trySend(now);
    }
  }

  /** True when nothing of this client's is still waiting to be published or acked. */
  get idle(): boolean {
    return !this.publisher || this.publisher.backlog === 0;
  }
}

// One virtual client = one connection to one node (through that node's client proxy), in
// whatever protocol its adapter speaks (src/adapters/). It subscribes to its channels, resumes
// each after every reconnect as the adapter can (from = last serial seen, or its session),
// reconnects with exponential backoff and jitter, detects dead links with pings, and (if it
// is a publisher) publishes open-loop with retries under the same key.
import type { Adapter, AdapterClient, AdapterEvents, ResumeMode } from '../adapters/types';
import type { Stream } from '../verify/ledger';
import { backoffDelay } from '../util/backoff';
import type { LoadContext } from './context';
import { PublisherQueue } from './publisher';
import type { Timed } from './timer-heap';

const TIMER_CONNECT = 1;
const TIMER_PUBLISH = 2;

const enum State { Idle, Connecting, Open, Stopped }

/** A performance.now() time in µs of the envelopes' clock (epoch-based, as `ts`). */
const toUs = (ms: number): number => Math.round((performance.timeOrigin + ms) * 1000);

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
  private connectStartMs = 0;
  private droppedAtMs = -1;             // start of the current outage, -1 when none
  private awaitingResubscribe = 0;      // subd frames still due after a (re)connect
  private awaitingContinuity = false;
  private lastHeardMs = 0;
  private lastPingMs = 0;
  private readonly streams: Stream[];
  private readonly channelIndex = new Map<string, number>();
  private readonly confirmed: boolean[];
  readonly publisher: PublisherQueue | null;
  private publishIntervalMs = 0;
  private nextPublishMs = 0;
  /** stages with publish rates: the curve count of the next message (k + phase); -1 otherwise */
  private curveCount = -1;

  constructor(
    readonly id: string,
    readonly url: string,
    readonly channels: string[],
    publishChannel: string | null,
    private readonly ctx: LoadContext,
    adapter: Adapter,
    adapterOptions: Readonly<Record<string, unknown>>,
    resume: ResumeMode,
    localAddress?: string,
  ) {
    const caps = adapter.capabilities;
    this.localSerials = caps.serials ? null : channels.map(() => 0);
    this.resumeBySerial = caps.serials && resume === 'serial';
    // Without idempotent publish a resend may store the message twice: send each one once,
    // unless the protocol itself resends after a reconnect (MQTT QoS 1): a copy is then a
    // duplicate its guarantee allows, and giving up would hide what its retry delivers.
    this.retryPublishes = caps.idempotentPublish;
    this.resendAfterReconnect = caps.idempotentPublish || adapter.resendsAfterReconnect?.(adapterOptions) === true;
    this.link = adapter.createClient(url, this, {
      clientId: id, connectTimeoutMs: ctx.spec.heartbeat.timeoutMs, options: adapterOptions, resume,
      ...(localAddress ? { localAddress } : {}),
    });
    this.streams = channels.map((ch, i) => {
      this.channelIndex.set(ch, i);
      return ctx.ledger.openStream(id, ch);
    });
    this.confirmed = channels.map(() => false);
    this.publisher = publishChannel ? new PublisherQueue(id, publishChannel, ctx.filler) : null;
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

  get isOpen(): boolean { return this.state === State.Open; }
  get fullySubscribed(): boolean { return this.state === State.Open && this.awaitingResubscribe === 0; }

  onTimer(kind: number, now: number): void {
    if (this.state === State.Stopped) return;
    if (kind === TIMER_CONNECT) this.connect();
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
    this.attempt = 0;
    this.lastHeardMs = now;
    this.lastPingMs = now;
    ctx.stats.opened();
    ctx.stats.connects++;
    if (!this.everOpened) {
      this.everOpened = true;
      ctx.latency.recordConnect(Math.round((now - this.connectStartMs) * 1000));
      if (this.publisher) this.startPublishing(now);
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
    if (this.state === State.Stopped) return;
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
    ctx.scheduler.at(now + delay, this, TIMER_CONNECT);
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
    const ctx = this.ctx;
    const now = ctx.now();
    this.lastHeardMs = now;
    const i = this.channelIndex.get(channel);
    if (i === undefined) {
      ctx.ledger.protocolError(`msg for a channel never subscribed: ${channel}`);
      return;
    }
    // A target without serials: number the stream's deliveries here, so the ledger checks
    // duplicates and order by each publisher's n alone.
    if (this.localSerials !== null) serial = ++this.localSerials[i];
    ctx.stats.deliveries++;
    const latencyUs = ctx.ledger.deliver(this.streams[i], serial, id, envelope, toUs(now));
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
    const i = this.channelIndex.get(channel);
    if (i === undefined) {
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
  }

  // --- publishing -------------------------------------------------------------------------

  private startPublishing(now: number): void {
    const curve = this.ctx.rateCurve;
    if (curve) {
      // stages with publish rates: message k goes when the curve's count reaches k + phase
      const phase = this.ctx.random();
      this.curveCount = Math.ceil(curve.countAt(now - this.ctx.rampStartMs) - phase) + phase;
      this.scheduleOnCurve();
      return;
    }
    const rate = this.ctx.spec.publishRate;
    if (rate <= 0) return;
    this.publishIntervalMs = 1000 / rate;
    // A random phase spreads publishers over the interval instead of firing in lockstep.
    this.nextPublishMs = now + this.ctx.random() * this.publishIntervalMs;
    this.ctx.scheduler.at(this.nextPublishMs, this, TIMER_PUBLISH);
  }

  private publishDue(now: number): void {
    const p = this.publisher;
    if (!p || !this.ctx.publishing) return;
    while (this.nextPublishMs <= now) {
      const scheduledUs = toUs(this.nextPublishMs);
      const n = p.enqueue(scheduledUs);
      this.ctx.ledger.publishScheduled(p.channel, p.publisher, n, scheduledUs);
      this.ctx.stats.scheduled++;
      if (this.curveCount < 0) {
        this.nextPublishMs += this.publishIntervalMs;
      } else {
        this.curveCount += 1;
        this.nextPublishMs = this.ctx.rampStartMs + this.ctx.rateCurve!.timeOfCount(this.curveCount);
      }
    }
    if (Number.isFinite(this.nextPublishMs)) this.ctx.scheduler.at(this.nextPublishMs, this, TIMER_PUBLISH);
    this.trySend(now);
  }

  /** The next message on the stages' rate curve (none while the rate stays at 0 for good). */
  private scheduleOnCurve(): void {
    this.nextPublishMs = this.ctx.rampStartMs + this.ctx.rateCurve!.timeOfCount(this.curveCount);
    if (Number.isFinite(this.nextPublishMs)) this.ctx.scheduler.at(this.nextPublishMs, this, TIMER_PUBLISH);
  }

  private trySend(now: number): void {
    const p = this.publisher;
    if (!p || this.state !== State.Open || p.inFlight) return;
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

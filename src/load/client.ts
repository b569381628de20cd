// One virtual client = one WebSocket to one node (through that node's client proxy).
// It subscribes to its channels, resumes each with `from` = last serial seen after every
// reconnect, reconnects with exponential backoff and jitter, detects dead links with
// ping/pong, and (if it is a publisher) publishes open-loop with retries under the same key.
import WebSocket from 'ws';
import { parseBrokerFrame } from '../protocol/codec';
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

export class VirtualClient implements Timed {
  private ws: WebSocket | null = null;
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
  private readonly subscribed: boolean[];
  readonly publisher: PublisherQueue | null;
  private publishIntervalMs = 0;
  private nextPublishMs = 0;

  constructor(
    readonly id: string,
    readonly url: string,
    readonly channels: string[],
    publishChannel: string | null,
    private readonly ctx: LoadContext,
    private readonly localAddress?: string,
  ) {
    this.streams = channels.map((ch, i) => {
      this.channelIndex.set(ch, i);
      return ctx.ledger.openStream(id, ch);
    });
    this.subscribed = channels.map(() => false);
    this.publisher = publishChannel ? new PublisherQueue(id, publishChannel, ctx.filler) : null;
  }

  start(): void {
    if (this.state !== State.Idle) return;
    this.connect();
  }

  stop(): void {
    this.state = State.Stopped;
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.terminate();
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
    const ctx = this.ctx;
    this.state = State.Connecting;
    this.connectStartMs = ctx.now();
    const ws = new WebSocket(this.url, {
      perMessageDeflate: false,
      handshakeTimeout: ctx.spec.heartbeat.timeoutMs,
      maxPayload: 64 * 1024 * 1024,
      ...(this.localAddress ? { localAddress: this.localAddress } : {}),
    });
    this.ws = ws;
    ws.on('open', () => this.onOpen(ws));
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(ws, data, isBinary));
    ws.on('pong', () => { this.lastHeardMs = this.ctx.now(); });
    ws.on('error', () => { /* 'close' follows and handles it */ });
    ws.on('close', () => this.onClose(ws));
  }

  private onOpen(ws: WebSocket): void {
    if (ws !== this.ws) return;
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
      this.subscribed[i] = false;
      const from = ctx.ledger.lastSerial(this.streams[i]);
      ws.send(from === undefined ? `{"t":"sub","ch":${JSON.stringify(this.channels[i])}}` :
        `{"t":"sub","ch":${JSON.stringify(this.channels[i])},"from":${from}}`);
    }
    // A publish in flight when the link dropped may or may not have been stored: resend it
    // with the same key (the broker stores it at most once).
    const p = this.publisher;
    if (p?.inFlight) this.sendInFlight(now);
    else this.trySend(now);
  }

  private onClose(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.ws = null;
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
    const ws = this.ws;
    if (!ws || this.state !== State.Open) return;
    const hb = this.ctx.spec.heartbeat;
    if (now - this.lastHeardMs > hb.timeoutMs) {
      this.ctx.stats.heartbeatTimeouts++;
      ws.terminate();               // 'close' follows: reconnect with backoff
      return;
    }
    // A link that delivers proves itself: ping only after `interval` of silence. (Each ping is
    // one write syscall on its own socket: at 10,000 clients they cost more than the deliveries.)
    if (now - this.lastHeardMs >= hb.intervalMs && now - this.lastPingMs >= hb.intervalMs) {
      this.lastPingMs = now;
      ws.ping();
    }
  }

  // --- receiving --------------------------------------------------------------------------

  private onMessage(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    if (ws !== this.ws) return;
    const ctx = this.ctx;
    const now = ctx.now();
    this.lastHeardMs = now;
    if (isBinary) {
      ctx.ledger.protocolError('binary frame');
      return;
    }
    const parsed = parseBrokerFrame(data.toString());
    if (!parsed.ok) {
      ctx.ledger.protocolError(parsed.reason);
      return;
    }
    const f = parsed.frame;
    switch (f.t) {
      case 'msg': {
        // A msg before its subd counts: a target may replay history before confirming.
        const i = this.channelIndex.get(f.ch);
        if (i === undefined) {
          ctx.ledger.protocolError(`msg for a channel never subscribed: ${f.ch}`);
          return;
        }
        ctx.stats.deliveries++;
        const recvUs = toUs(now);
        const latencyUs = ctx.ledger.deliver(this.streams[i], f.s, f.id, f.d, recvUs);
        if (latencyUs >= 0) ctx.latency.record(latencyUs, now);
        if (this.awaitingContinuity && this.droppedAtMs >= 0 && this.awaitingResubscribe === 0) {
          this.awaitingContinuity = false;
          ctx.latency.recordContinuity(Math.round((now - this.droppedAtMs) * 1000));
          this.droppedAtMs = -1;
        }
        return;
      }
      case 'subd': {
        const i = this.channelIndex.get(f.ch);
        if (i === undefined) {
          ctx.ledger.protocolError(`subd for a channel never requested: ${f.ch}`);
          return;
        }
        ctx.ledger.subscribed(this.streams[i], f.at, f.resumed, toUs(now));
        if (!this.subscribed[i]) {
          this.subscribed[i] = true;
          if (--this.awaitingResubscribe === 0 && this.droppedAtMs >= 0) {
            ctx.latency.recordReconnect(Math.round((now - this.droppedAtMs) * 1000));
            if (!this.awaitingContinuity) this.droppedAtMs = -1;
          }
        }
        return;
      }
      case 'ack':
        this.onAck(f.id, f.s, now);
        return;
      case 'err':
        this.onErr(f.id, f.code, f.msg, now);
        return;
    }
  }

  // --- publishing -------------------------------------------------------------------------

  private startPublishing(now: number): void {
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
      this.nextPublishMs += this.publishIntervalMs;
    }
    this.ctx.scheduler.at(this.nextPublishMs, this, TIMER_PUBLISH);
    this.trySend(now);
  }

  private trySend(now: number): void {
    const p = this.publisher;
    if (!p || this.state !== State.Open || p.inFlight) return;
    if (p.takeNext()) this.sendInFlight(now);
  }

  private sendInFlight(now: number): void {
    const p = this.publisher!;
    const m = p.inFlight!;
    const ws = this.ws;
    if (!ws || this.state !== State.Open) return;
    ws.send(m.frame);
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

  private onAck(id: string, serial: number, now: number): void {
    const p = this.publisher;
    const m = p?.inFlight;
    if (!p || !m || m.key !== id) return; // a late ack of a message already acked: harmless
    this.ctx.stats.acked++;
    this.ctx.ledger.publishAcked(p.channel, p.publisher, m.n, serial, toUs(now));
    p.inFlight = null;
    this.trySend(now);
  }

  private onErr(id: string | undefined, code: string, msg: string, now: number): void {
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
    const m = this.publisher?.inFlight;
    if (m && this.state === State.Open && now >= m.deadlineMs) this.sendInFlight(now);
  }

  /** True when nothing of this client's is still waiting to be published or acked. */
  get idle(): boolean {
    return !this.publisher || this.publisher.backlog === 0;
  }
}

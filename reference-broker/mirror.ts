// A non-home node's copy of a channel homed elsewhere. It keeps ONE upstream subscription per
// channel on the link to the home, resuming from the last serial it holds, and serves its
// local clients (live and resume) from its own history, exactly as the home would.
//
// States of the upstream subscription: idle (not subscribed, or the link is down),
// subscribing (sub sent; frames of an older subscription are ignored until its subd),
// active (frames are appended; a serial gap means drop and resubscribe).
// `based` says the log's serials continue the home's; a fresh mirror (or one reset after the
// home lost continuity) is not based until it knows where the home's replay starts.
import { ChannelLog } from './channel-log';
import type { HistoryLimits } from './channel-log';
import type { Subscription, SubscriptionSource } from './connection';
import type { PeerLink } from './peer-link';
import { Topic } from './topic';
import type { MsgFrame, SubdFrame } from '../src/protocol';

export interface MirrorOptions {
  limits: HistoryLimits;
  lingerMs: number;                 // stay subscribed upstream this long after the last local subscriber
  /** The mirror lingered with no local subscriber and unsubscribed upstream: the node may forget it. */
  release: (mirror: Mirror) => void;
  log: (line: string) => void;
}

export class Mirror implements SubscriptionSource {
  readonly topic: Topic;
  private readonly waiting = new Set<Subscription>();   // local subs answered once caught up
  private upstream: 'idle' | 'subscribing' | 'active' = 'idle';
  private based = false;
  private targetAt = 0;                                  // the home's `at` of the current subscription
  private probeFrom: number | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;

  constructor(readonly ch: string, readonly link: PeerLink, private readonly opts: MirrorOptions) {
    this.topic = new Topic(ch, new ChannelLog(opts.limits, null));
  }

  private get log(): ChannelLog { return this.topic.log; }
  private get localCount(): number { return this.waiting.size + this.topic.subscribers.size; }
  get caughtUp(): boolean { return this.upstream === 'active' && this.based && this.log.newest >= this.targetAt; }

  addLocal(sub: Subscription): void {
    this.cancelLinger();
    if (this.caughtUp) return this.attach(sub);
    sub.source = this;
    this.waiting.add(sub);
    if (this.upstream === 'idle' && this.link.isOpen) this.subscribeUpstream();
  }

  detach(sub: Subscription): void {
    this.waiting.delete(sub);
    this.topic.detach(sub);
    if (this.localCount === 0 && !this.lingerTimer) {
      this.lingerTimer = setTimeout(() => this.expire(), this.opts.lingerMs);
      this.lingerTimer.unref();
    }
  }

  onLinkOpen(): void {
    if (this.localCount > 0 || this.lingerTimer) this.subscribeUpstream();
  }

  onLinkClose(): void {
    this.upstream = 'idle';
    this.probeFrom = null;
  }

  onSubd(frame: SubdFrame): void {
    if (this.probeFrom !== null && this.upstream === 'active') return this.onProbeAnswer(frame, this.probeFrom);
    if (this.upstream !== 'subscribing') return; // answer to a subscription we already gave up
    this.upstream = 'active';
    this.targetAt = frame.at;
    if (frame.resumed !== false) {
      this.based = true; // from our newest (or from 0 with the whole history): contiguous from here
    } else if (this.based) {
      return this.loseContinuity(`home answered resumed:false to from=${this.log.newest}`);
    } else {
      // Fresh mirror, and the home's history no longer starts at 1: the replay starts at an
      // unknown serial and may be empty. A second sub from `at` tells us when it is over.
      this.probeFrom = frame.at;
      this.link.send({ t: 'sub', ch: this.ch, from: frame.at });
    }
    this.answerWaiting();
  }

  private onProbeAnswer(frame: SubdFrame, probeFrom: number): void {
    this.probeFrom = null;
    if (frame.resumed === false) return this.loseContinuity('home trimmed history while the mirror was starting');
    // Everything of the first subscription arrived before this subd: if none of it did, the
    // home had nothing up to probeFrom to give, and the log continues after it.
    if (!this.based) {
      this.log.restartAt(probeFrom);
      this.based = true;
    }
    this.targetAt = frame.at;
    this.answerWaiting();
  }

  onMsg(frame: MsgFrame, raw: Buffer): void {
    if (this.upstream !== 'active') return;
    if (!this.based) {
      this.log.restartAt(frame.s - 1); // first message after a fresh resumed:false sets the base
      this.based = true;
    }
    // While probing, what comes after probeFrom is replayed again after the probe's subd.
    if (this.probeFrom !== null && frame.s > this.probeFrom) return;
    if (frame.s <= this.log.newest) {
      // A correct home never reuses a serial; one that does must be seen by the checker, so the
      // mirror passes the message on instead of hiding it (history keeps the first one).
      this.opts.log(JSON.stringify({ event: 'mirror-serial-reuse', ch: this.ch, have: this.log.newest, got: frame.s, id: frame.id }));
      return this.topic.relay(Buffer.from(raw));
    }
    if (frame.s !== this.log.newest + 1) {
      this.opts.log(JSON.stringify({ event: 'mirror-gap', ch: this.ch, have: this.log.newest, got: frame.s }));
      return this.subscribeUpstream();
    }
    // Copy: `raw` may be a view into a larger socket buffer that history would otherwise pin.
    this.topic.publish({ s: frame.s, id: frame.id, at: Date.now(), frame: Buffer.from(raw) });
    this.answerWaiting();
  }

  close(): void {
    this.cancelLinger();
    this.waiting.clear();
  }

  private subscribeUpstream(): void {
    this.probeFrom = null;
    if (!this.link.isOpen) { this.upstream = 'idle'; return; }
    this.upstream = 'subscribing';
    this.link.send({ t: 'sub', ch: this.ch, from: this.based ? this.log.newest : 0 });
  }

  /** The linger ran out with nobody local: unsubscribe upstream and let the node free us. */
  private expire(): void {
    this.lingerTimer = null;
    if (this.localCount > 0) return;
    if (this.upstream !== 'idle') this.link.send({ t: 'unsub', ch: this.ch });
    this.upstream = 'idle';
    this.probeFrom = null;
    this.opts.release(this);
  }

  private cancelLinger(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
  }

  private attach(sub: Subscription): void {
    this.topic.attach(sub);
    sub.source = this; // detach through the mirror, which counts its local subscribers
  }

  private answerWaiting(): void {
    if (this.waiting.size === 0 || !this.caughtUp) return;
    for (const sub of this.waiting) this.attach(sub);
    this.waiting.clear();
  }

  /**
   * The home can no longer continue our history (it trimmed past it or lost data). Clients
   * already served from the mirror are disconnected so that, when they resume, they are told
   * resumed:false instead of silently missing messages; the mirror starts over from the home.
   */
  private loseContinuity(reason: string): void {
    this.opts.log(JSON.stringify({ event: 'mirror-reset', ch: this.ch, reason }));
    for (const sub of [...this.topic.subscribers]) {
      this.topic.detach(sub);
      sub.active = false;
      sub.conn.kick(`continuity of ${this.ch} lost upstream; resubscribe`);
    }
    this.log.restartAt(0);
    this.based = false;
    this.targetAt = 0;
    this.subscribeUpstream();
  }
}

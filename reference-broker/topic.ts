// A channel's history plus its subscribers on this node: answers a subscription (subd, then
// the replay) and fans each new message out. Used for home channels and for mirrors alike.
// Everything between the replay and registering for live delivery happens in one synchronous
// step, so nothing can fall between them or be delivered twice.
import type { ChannelLog, EncodedFrame, LogEntry } from './channel-log';
import type { Subscription, SubscriptionSource } from './connection';

export class Topic implements SubscriptionSource {
  readonly subscribers = new Set<Subscription>();
  /** Told when the last subscriber leaves, so the owner can free a channel nobody needs. */
  whenUnsubscribed: ((topic: Topic) => void) | null = null;

  constructor(readonly ch: string, readonly log: ChannelLog) {}

  attach(sub: Subscription): void {
    const { log } = this;
    const conn = sub.conn;
    log.trim();
    const at = log.newest;
    const from = conn.ignoresFrom ? undefined : sub.from;
    if (from === undefined) {
      // A live subscribe; under no-resume the client is told it resumed although nothing is replayed.
      conn.sendSubd(this.ch, at, sub.from === undefined ? undefined : true);
    } else {
      // Continuity holds if history reaches from+1, or if the client already has everything.
      const resumed = from <= at && from + 1 >= log.oldest;
      const replayFirst = conn.replaysBeforeSubd;
      if (!replayFirst) conn.sendSubd(this.ch, at, resumed);
      for (const e of log.after(from)) conn.deliver(sub, e.frame);
      if (replayFirst) conn.sendSubd(this.ch, at, resumed);
    }
    // The replay can overflow a slow consumer's buffer and drop it: then there is nothing to register.
    if (!conn.isOpen) return;
    sub.active = true;
    sub.source = this;
    this.subscribers.add(sub);
  }

  detach(sub: Subscription): void {
    if (this.subscribers.delete(sub) && this.subscribers.size === 0) this.whenUnsubscribed?.(this);
  }

  /** Appends to history and sends the one encoded frame to every subscriber. */
  publish(entry: LogEntry): void {
    this.log.append(entry);
    this.relay(entry.frame);
  }

  /** Sends a frame to every subscriber without recording it (a mirror passing on what it cannot store). */
  relay(frame: EncodedFrame): void {
    for (const sub of this.subscribers) sub.conn.deliver(sub, frame);
  }
}

// An open-loop publisher: messages are SCHEDULED at a fixed rate whatever the broker does,
// and each carries its scheduled time, so time spent queued while disconnected or waiting
// counts as latency (no coordinated omission). Sending is stop-and-wait per channel: the
// next message goes out only when the previous one is acked, because a retried message
// overtaken by a later one would reorder the publisher's own sequence in the channel.
import { idempotencyKey, sealedPadding } from '../protocol/envelope';

export interface PendingPublish {
  n: number;
  key: string;
  payload: string;          // the envelope as JSON, encoded once; every retry sends the same bytes
  scheduledUs: number;
  sentOnce: boolean;
  deadlineMs: number;       // resend when no ack by then (ack timeout), or retry time after an err
  attempts: number;
}

export class PublisherQueue {
  private queue: PendingPublish[] = [];
  private head = 0;
  inFlight: PendingPublish | null = null;
  nextN = 1;

  constructor(readonly publisher: string, readonly channel: string, private readonly filler: string) {}

  /** Creates message n for its scheduled time, queues it and returns n. */
  enqueue(scheduledUs: number): number {
    const n = this.nextN++;
    const key = idempotencyKey(this.publisher, this.channel, n);
    const d = { p: this.publisher, n, ts: scheduledUs, x: sealedPadding(this.publisher, n, scheduledUs, this.filler) };
    const payload = JSON.stringify(d);
    this.queue.push({ n, key, payload, scheduledUs, sentOnce: false, deadlineMs: 0, attempts: 0 });
    return n;
  }

  /** Moves the next queued message in flight, or returns null if one is already in flight or none waits. */
  takeNext(): PendingPublish | null {
    if (this.inFlight || this.head >= this.queue.length) return null;
    const next = this.queue[this.head];
    this.queue[this.head++] = undefined as unknown as PendingPublish;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.inFlight = next;
    return next;
  }

  get backlog(): number {
    return this.queue.length - this.head + (this.inFlight ? 1 : 0);
  }
}

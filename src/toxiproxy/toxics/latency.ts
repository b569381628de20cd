// latency: each chunk leaves at its read time + latency + U[-jitter, jitter) ms. Delays overlap
// (they count from read time, not from the previous release) and order is kept (FIFO), so a
// chunk never overtakes the one before it. One deadline per stage at a time, for the head.
import type { Deadline } from '../deadline-timer';
import { END, Fifo, randomInt, type Chunk, type Item, type StageContext, type ToxicDefinition } from './types';
import { TimedRunner } from './timed-runner';

/** Toxiproxy's latency stage reads through a 1024-chunk channel before it blocks the link. */
const BUFFERED_CHUNKS = 1024;

interface Pending {
  item: Item;
  due: number;
  delay: number;
}

class LatencyRunner extends TimedRunner {
  private readonly queue = new Fifo<Pending>();
  private lastDue = -Infinity;

  constructor(
    private readonly ctx: StageContext,
    private readonly latency: number,
    private readonly jitter: number,
  ) {
    super();
  }

  private delay(): number {
    return this.jitter > 0 ? this.latency + randomInt(this.jitter * 2) - this.jitter : this.latency;
  }

  push(item: Item): void {
    let delay = 0;
    let due = this.lastDue;
    if (item !== END) {
      delay = this.delay();
      due = Math.max(this.lastDue, item.ts + delay);
    }
    this.lastDue = due;
    this.queue.push({ item, due, delay });
    if (this.queue.length === 1) {
      if (due <= this.ctx.now()) this.release();
      else this.deadline = this.ctx.at(due, this.release);
    }
  }

  private readonly release = (): void => {
    this.deadline = null;
    const now = this.ctx.now() + 1;
    for (let head = this.queue.peek(); head && head.due <= now; head = this.queue.peek()) {
      this.queue.shift();
      if (head.item === END) {
        this.ctx.close();
        return;
      }
      this.send(head);
    }
    const head = this.queue.peek();
    if (head) this.deadline = this.ctx.at(head.due, this.release);
    this.ctx.flowChanged();
  };

  private send(p: Pending): void {
    const chunk = p.item as Chunk;
    // A later latency toxic counts from this one's release, so several latency toxics add up.
    this.ctx.emit({ data: chunk.data, ts: chunk.ts + p.delay });
  }

  interrupt(): Item[] {
    this.cancelDeadline();
    // Toxiproxy sends the chunk it is sleeping on at once rather than dropping it.
    const head = this.queue.peek();
    if (head && head.item !== END) {
      this.queue.shift();
      this.send(head);
    }
    return this.queue.drain().map((p) => p.item);
  }

  override saturated(): boolean {
    return this.queue.length >= BUFFERED_CHUNKS;
  }

  protected override dropHeld(): void {
    this.queue.drain();
  }
}

export const latency: ToxicDefinition = {
  type: 'latency',
  goStruct: 'LatencyToxic',
  attributes: [
    { name: 'latency', goType: 'int64' },
    { name: 'jitter', goType: 'int64' },
  ],
  run: (ctx, attrs) => new LatencyRunner(ctx, attrs.latency ?? 0, attrs.jitter ?? 0),
};

// slicer: splits each chunk at its midpoint ± rand(size_variation) until every piece is at most
// average_size + size_variation bytes, waiting `delay` µs after each piece. Toxiproxy recurses
// forever on average_size 0 and can panic when size_variation >= average_size; both are clamped
// (average_size >= 1, 0 <= size_variation < average_size).
import type { Deadline } from '../deadline-timer';
import { END, Fifo, randomInt, type Chunk, type Item, type StageContext, type ToxicDefinition } from './types';
import { TimedRunner } from './timed-runner';

/** Piece boundaries [s0, e0, s1, e1, ...] of one chunk, as Toxiproxy's slicer cuts it. */
export function slicePoints(length: number, averageSize: number, sizeVariation: number): number[] {
  const average = Math.max(1, Math.trunc(averageSize));
  const variation = Math.min(Math.max(0, Math.trunc(sizeVariation)), average - 1);
  const out: number[] = [];
  const cut = (start: number, end: number): void => {
    if (end - start - average <= variation) {
      out.push(start, end);
      return;
    }
    let mid = start + Math.floor((end - start) / 2);
    if (variation > 0) mid += randomInt(variation * 2) - variation;
    cut(start, mid);
    cut(mid, end);
  };
  cut(0, length);
  return out;
}

class SlicerRunner extends TimedRunner {
  private readonly queue = new Fifo<Item>();
  private current: Chunk | null = null;
  private points: number[] = [];
  private next = 0; // index into points of the next piece's start
  private closed = false;

  constructor(
    private readonly ctx: StageContext,
    private readonly average: number,
    private readonly variation: number,
    private readonly delayUs: number,
  ) {
    super();
  }

  push(item: Item): void {
    this.queue.push(item);
    if (!this.current && !this.closed) this.pump();
  }

  private pump(): void {
    for (;;) {
      if (!this.current) {
        const item = this.queue.shift();
        if (item === undefined) break;
        if (item === END) {
          this.closed = true;
          this.ctx.close();
          return;
        }
        this.current = item;
        this.points = slicePoints(item.data.length, this.average, this.variation);
        this.next = 0;
      }
      const chunk = this.current;
      const start = this.points[this.next];
      const end = this.points[this.next + 1];
      this.next += 2;
      if (this.next >= this.points.length) this.current = null;
      this.ctx.emit({ data: chunk.data.subarray(start, end), ts: chunk.ts });
      if (this.delayUs > 0) {
        this.deadline = this.ctx.at(this.ctx.now() + this.delayUs / 1000, () => {
          this.deadline = null;
          this.pump();
        });
        return;
      }
    }
    this.ctx.flowChanged();
  }

  interrupt(): Item[] {
    this.cancelDeadline();
    // Toxiproxy sends the unsent rest of the chunk in one piece when interrupted.
    if (this.current) {
      const rest = this.current.data.subarray(this.points[this.next]);
      if (rest.length > 0) this.ctx.emit({ data: rest, ts: this.current.ts });
      this.current = null;
    }
    return this.queue.drain();
  }

  override saturated(): boolean {
    return this.queue.length > 0;
  }

  protected override dropHeld(): void {
    this.current = null;
    this.queue.drain();
  }
}

export const slicer: ToxicDefinition = {
  type: 'slicer',
  goStruct: 'SlicerToxic',
  attributes: [
    { name: 'average_size', goType: 'int' },
    { name: 'size_variation', goType: 'int' },
    { name: 'delay', goType: 'int' },
  ],
  run: (ctx, attrs) =>
    new SlicerRunner(ctx, attrs.average_size ?? 0, attrs.size_variation ?? 0, attrs.delay ?? 0),
};

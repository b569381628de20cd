// bandwidth: caps one link at `rate` KB/s (1 KB = 1000 B, so rate is also bytes per ms).
// Each chunk costs len/rate ms; a chunk larger than 100 ms worth goes out in rate*100-byte
// slices every 100 ms. rate <= 0 holds the chunk forever (Toxiproxy's rate 0 never lets it
// out; a negative rate crashes Toxiproxy, here it stalls like 0). Bandwidth is per link.
import type { Deadline } from '../deadline-timer';
import { END, Fifo, type Item, type StageContext, type ToxicDefinition } from './types';
import { TimedRunner } from './timed-runner';

const SLICE_INTERVAL_MS = 100;

class BandwidthRunner extends TimedRunner {
  private readonly queue = new Fifo<Item>();
  private inHand: Buffer | null = null;
  private inHandTs = 0;
  /** time owed for bytes already accepted (Toxiproxy's carried-over `sleep`) */
  private debtMs = 0;
  private closed = false;

  constructor(
    private readonly ctx: StageContext,
    private readonly rate: number,
  ) {
    super();
  }

  push(item: Item): void {
    this.queue.push(item);
    if (!this.inHand && !this.deadline) this.pump();
  }

  /** Takes queued chunks until one has to wait. */
  private pump(): void {
    while (!this.inHand && !this.closed) {
      const item = this.queue.shift();
      if (item === undefined) break;
      if (item === END) {
        this.closed = true;
        this.ctx.close();
        return;
      }
      this.inHand = item.data;
      this.inHandTs = item.ts;
      if (this.rate <= 0) return; // stalled for good
      this.debtMs += item.data.length / this.rate;
      this.sendInHand();
    }
    this.ctx.flowChanged();
  }

  /** Sends the chunk in hand, waiting where the rate says so; returns with inHand null if done. */
  private sendInHand(): void {
    const sliceBytes = this.rate * SLICE_INTERVAL_MS;
    const data = this.inHand!;
    if (data.length > sliceBytes) {
      this.deadline = this.ctx.at(this.ctx.now() + SLICE_INTERVAL_MS, () => {
        this.deadline = null;
        this.inHand = data.subarray(sliceBytes);
        this.debtMs -= SLICE_INTERVAL_MS;
        this.ctx.emit({ data: data.subarray(0, sliceBytes), ts: this.inHandTs });
        this.sendInHand();
        if (!this.inHand) this.pump();
      });
      return;
    }
    if (this.debtMs <= 0) {
      this.inHand = null;
      this.ctx.emit({ data, ts: this.inHandTs });
      return;
    }
    const start = this.ctx.now();
    this.deadline = this.ctx.at(start + this.debtMs, () => {
      this.deadline = null;
      this.debtMs -= this.ctx.now() - start;
      this.inHand = null;
      this.ctx.emit({ data, ts: this.inHandTs });
      this.pump();
    });
  }

  interrupt(): Item[] {
    this.cancelDeadline();
    // Toxiproxy writes the rest of the chunk in hand at once when interrupted.
    if (this.inHand && this.inHand.length > 0) this.ctx.emit({ data: this.inHand, ts: this.inHandTs });
    this.inHand = null;
    return this.queue.drain();
  }

  override saturated(): boolean {
    return this.queue.length > 0;
  }

  protected override dropHeld(): void {
    this.inHand = null;
    this.queue.drain();
  }
}

export const bandwidth: ToxicDefinition = {
  type: 'bandwidth',
  goStruct: 'BandwidthToxic',
  attributes: [{ name: 'rate', goType: 'int64' }],
  run: (ctx, attrs) => new BandwidthRunner(ctx, attrs.rate ?? 0),
};

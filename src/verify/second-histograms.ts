// Histograms keyed by a second that moves back and forth: deliveries by the second their message
// was *scheduled* (DESIGN.md "Latency"). Live deliveries touch the newest one or two seconds,
// a backlog replayed after a fault touches older ones, interleaved across clients. A few seconds
// are kept live (recordValue straight into them, ≈ 0.2 µs); the least recently used one beyond
// MAX_LIVE is encoded (~0.1–2 KB). A late value for an encoded second is buffered and folded in
// batches (decode + encode once per second per batch), so a long backlog interleaved across many
// seconds costs about a microsecond a value instead of a decode each. Memory stays bounded
// (MAX_LIVE × ~95 KB + the buffer) whatever the run's length, and the result is exact.
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

const MAX_LIVE = 16;
const MAX_PENDING = 100_000;    // buffered values for encoded seconds before a batch fold

export class SecondHistograms {
  private readonly live = new Map<number, Histogram>(); // in least → most recently used order
  private readonly closed = new Map<number, string>();  // second → encoded histogram
  private readonly spare: Histogram[] = [];             // reset histograms, reused (no 95 KB allocation per second)
  private readonly pending = new Map<number, number[]>(); // encoded second → values not yet folded in
  private pendingCount = 0;
  private lastSecond = -1;
  private lastHistogram: Histogram | null = null;

  constructor(private readonly newHistogram: () => Histogram, private readonly maxLive = MAX_LIVE) {}

  record(second: number, valueUs: number): void {
    if (second !== this.lastSecond || !this.lastHistogram) {
      if (this.closed.has(second)) return this.buffer(second, valueUs);
      this.lastHistogram = this.open(second);
      this.lastSecond = second;
    }
    this.lastHistogram.recordValue(valueUs);
  }

  /** Adds a whole histogram to a second (merging workers). */
  add(second: number, h: Histogram): void {
    this.open(second).add(h);
  }

  /** Every second with at least one value, ascending, encoded (results.json `histograms`). */
  encoded(): Array<[number, string]> {
    this.foldPending();
    const out = new Map(this.closed);
    for (const [t, h] of this.live) if (h.totalCount > 0) out.set(t, encodeIntoCompressedBase64(h));
    return [...out].sort((a, b) => a[0] - b[0]);
  }

  /** Calls `visit` with each second's histogram, ascending (decoded one at a time: memory stays bounded). */
  forEach(visit: (second: number, h: Histogram) => void): void {
    this.foldPending();
    const seconds = new Set([...this.closed.keys(), ...this.live.keys()]);
    for (const t of [...seconds].sort((a, b) => a - b)) {
      const h = this.live.get(t) ?? decodeFromCompressedBase64(this.closed.get(t)!, 32, false);
      if (h.totalCount > 0) visit(t, h);
    }
  }

  private buffer(second: number, valueUs: number): void {
    const values = this.pending.get(second);
    if (values) values.push(valueUs);
    else this.pending.set(second, [valueUs]);
    if (++this.pendingCount >= MAX_PENDING) this.foldPending();
  }

  /** Folds buffered values into their encoded seconds (one decode + encode per second). */
  private foldPending(): void {
    if (this.pendingCount === 0) return;
    const h = this.spare.pop() ?? this.newHistogram();
    for (const [second, values] of this.pending) {
      h.add(decodeFromCompressedBase64(this.closed.get(second)!, 32, false));
      for (const v of values) h.recordValue(v);
      this.closed.set(second, encodeIntoCompressedBase64(h));
      h.reset();
    }
    this.spare.push(h);
    this.pending.clear();
    this.pendingCount = 0;
  }

  private open(second: number): Histogram {
    const live = this.live.get(second);
    if (live) {
      this.live.delete(second); // most recently used goes last
      this.live.set(second, live);
      return live;
    }
    if (this.pending.has(second)) this.foldPending();
    const h = this.spare.pop() ?? this.newHistogram();
    const encoded = this.closed.get(second);
    if (encoded !== undefined) {
      h.add(decodeFromCompressedBase64(encoded, 32, false));
      this.closed.delete(second);
    }
    this.live.set(second, h);
    if (this.live.size > this.maxLive) this.closeOldest();
    return h;
  }

  private closeOldest(): void {
    const [second, h] = this.live.entries().next().value as [number, Histogram];
    this.live.delete(second);
    if (h.totalCount > 0) this.closed.set(second, encodeIntoCompressedBase64(h));
    h.reset();
    this.spare.push(h);
    if (second === this.lastSecond) this.lastHistogram = null;
  }
}

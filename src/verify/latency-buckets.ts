// Delivery latencies counted into fixed buckets, per second of *scheduled* time, for live
// export (Prometheus histograms: /metrics). Fixed buckets add up across processes and shards,
// so histogram_quantile() over every shard's series is a real quantile of the whole run (to
// the buckets' resolution); the HDR histograms stay the exact record in results.json.
// Hot path: one comparison loop over 12 bounds and two additions per delivery (the map and the
// changed set are touched only when the scheduled second changes).

/** Upper bounds in ms, around the 100 ms target; one more bucket (+Inf) takes the rest. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;
const BOUNDS_US = LATENCY_BUCKETS_MS.map((ms) => ms * 1000);
/** Layout of one second's counts: [bucket 0 … bucket 11, +Inf bucket, sum of latencies in µs] (non-cumulative buckets). */
export const BUCKET_SLOTS = LATENCY_BUCKETS_MS.length + 2;
export const SUM_SLOT = BUCKET_SLOTS - 1;

/** Per scheduled second → counts (see BUCKET_SLOTS); cumulative since the start. */
export type BucketSeconds = Map<number, number[]>;

export class LatencyBuckets {
  readonly seconds: BucketSeconds = new Map();
  private readonly changed = new Set<number>();
  private lastSecond = -1;
  private last: number[] | null = null;

  record(scheduledSecond: number, valueUs: number): void {
    let row = this.last;
    if (scheduledSecond !== this.lastSecond || !row) {
      row = this.seconds.get(scheduledSecond) ?? null;
      if (!row) {
        row = new Array<number>(BUCKET_SLOTS).fill(0);
        this.seconds.set(scheduledSecond, row);
      }
      this.lastSecond = scheduledSecond;
      this.last = row;
      this.changed.add(scheduledSecond);
    }
    let i = 0;
    while (i < BOUNDS_US.length && valueUs > BOUNDS_US[i]) i++;
    row[i]++;
    row[SUM_SLOT] += valueUs;
  }

  /** The seconds that changed since the last call, with their cumulative counts (a worker's push to its parent). */
  takeChanged(): Array<[number, number[]]> {
    const out: Array<[number, number[]]> = [];
    for (const t of this.changed) out.push([t, this.seconds.get(t)!.slice()]);
    this.changed.clear();
    // The cached second is no longer marked changed: its next value goes the slow way and marks it.
    this.lastSecond = -1;
    this.last = null;
    return out;
  }
}

/** Sums several processes' per-second counts (each cumulative) into one map. */
export function sumBucketSeconds(parts: Iterable<BucketSeconds>): BucketSeconds {
  const sum: BucketSeconds = new Map();
  for (const part of parts) {
    for (const [t, row] of part) {
      const acc = sum.get(t);
      if (!acc) sum.set(t, row.slice());
      else for (let i = 0; i < BUCKET_SLOTS; i++) acc[i] += row[i];
    }
  }
  return sum;
}

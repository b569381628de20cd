// chat_bench_delivery_latency_seconds: a Prometheus histogram (…_bucket{le}, _sum, _count) of
// delivery latency by phase, fed from the engine's fixed buckets (verify/latency-buckets.ts).
// The counts come already bucketed from every load process, so this is a prom-client metric
// of our own (registered like any other: the registry formats it and adds run_id and shard)
// rather than a Histogram observed value by value. A delivery counts in the live phase of the
// second its message was scheduled in; results.json holds the judged phases.
import { LATENCY_BUCKETS_MS, BUCKET_SLOTS, SUM_SLOT, type BucketSeconds } from '../verify/latency-buckets';

const NAME = 'chat_bench_delivery_latency_seconds';
const LE = [...LATENCY_BUCKETS_MS.map((ms) => String(ms / 1000)), '+Inf'];

interface Value { labels: Record<string, string | number>; value: number; metricName: string }

export class LatencyHistogramMetric {
  readonly name = NAME;
  readonly help = 'delivery latency (receive time − scheduled time) by the live phase of the scheduled second';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames = ['phase'];
  private readonly seen = new Map<number, number[]>();          // scheduled second → counts already taken
  private readonly byPhase = new Map<string, number[]>();       // phase → non-cumulative counts + sum (µs)

  /** Takes what changed since the last call; `phaseOf` names the phase of a scheduled second. */
  update(seconds: BucketSeconds, phaseOf: (t: number) => string): void {
    for (const [t, row] of seconds) {
      let seen = this.seen.get(t);
      if (!seen) this.seen.set(t, seen = new Array<number>(BUCKET_SLOTS).fill(0));
      if (row[SUM_SLOT] === seen[SUM_SLOT] && row.every((v, i) => v === seen![i])) continue;
      const phase = phaseOf(t);
      let acc = this.byPhase.get(phase);
      if (!acc) this.byPhase.set(phase, acc = new Array<number>(BUCKET_SLOTS).fill(0));
      for (let i = 0; i < BUCKET_SLOTS; i++) {
        acc[i] += row[i] - seen[i];
        seen[i] = row[i];
      }
    }
  }

  /** prom-client's metric interface: what the registry prints. */
  get(): { name: string; help: string; type: string; aggregator: string; values: Value[] } {
    const values: Value[] = [];
    for (const phase of [...this.byPhase.keys()].sort()) {
      const row = this.byPhase.get(phase)!;
      let cumulative = 0;
      LE.forEach((le, i) => {
        cumulative += row[i];
        values.push({ metricName: `${NAME}_bucket`, labels: { phase, le }, value: cumulative });
      });
      values.push({ metricName: `${NAME}_sum`, labels: { phase }, value: row[SUM_SLOT] / 1e6 });
      values.push({ metricName: `${NAME}_count`, labels: { phase }, value: cumulative });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.seen.clear();
    this.byPhase.clear();
  }
}

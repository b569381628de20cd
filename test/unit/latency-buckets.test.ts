// Latency buckets for /metrics: fixed bounds around the 100 ms target, counted per scheduled
// second, summed across processes, exported as a Prometheus histogram per live phase whose
// _bucket lines are cumulative, end in +Inf = _count, and carry the exact _sum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyBuckets, LATENCY_BUCKETS_MS, SUM_SLOT, sumBucketSeconds } from '../../src/verify/latency-buckets';
import { LatencyRecorder } from '../../src/verify/latency';
import { LatencyHistogramMetric } from '../../src/observe/latency-histogram-metric';
import { startMetricsServer } from '../../src/observe/metrics-server';
import { livePhaseAt } from '../../src/observe/observer';
import { DriverStats } from '../../src/load/stats';
import { copyStats } from '../../src/load/engine';

test('a latency lands in the first bucket whose bound it does not exceed (Prometheus le semantics)', () => {
  const b = new LatencyBuckets();
  b.record(0, 1000);      // exactly 1 ms: le 0.001
  b.record(0, 1001);      // just above: le 0.002
  b.record(0, 100_000);   // 100 ms
  b.record(0, 5_000_001); // beyond 5 s: +Inf
  b.record(3, 7);
  const row = b.seconds.get(0)!;
  assert.equal(row[0], 1);
  assert.equal(row[1], 1);
  assert.equal(row[LATENCY_BUCKETS_MS.indexOf(100)], 1);
  assert.equal(row[LATENCY_BUCKETS_MS.length], 1);
  assert.equal(row[SUM_SLOT], 1000 + 1001 + 100_000 + 5_000_001);
  assert.deepEqual(b.takeChanged().map(([t]) => t).sort(), [0, 3]);
  assert.deepEqual(b.takeChanged(), []);
  b.record(3, 8);
  assert.deepEqual(b.takeChanged().map(([t, r]) => [t, r[0]]), [[3, 2]]);
  // Two processes' seconds add up.
  const sum = sumBucketSeconds([b.seconds, b.seconds]);
  assert.equal(sum.get(0)![SUM_SLOT], 2 * row[SUM_SLOT]);
  assert.equal(sum.get(3)![0], 4);
});

test('the recorder counts every delivery in the buckets of its scheduled second', () => {
  const rec = new LatencyRecorder(0);
  rec.record(30_000, 2_010);   // received at 2.01 s, 30 ms late: scheduled in second 1
  rec.record(3_000, 2_500);    // second 2
  rec.record(1_500_000, 3_000); // scheduled at 1.5 s: second 1
  const s1 = rec.buckets.seconds.get(1)!;
  assert.equal(s1.slice(0, SUM_SLOT).reduce((a, b) => a + b, 0), 2);
  assert.equal(rec.buckets.seconds.get(2)![LATENCY_BUCKETS_MS.indexOf(5)], 1);
});

test('the live phase of a second comes from the timeline\'s phase events', () => {
  const events = [
    { atMs: 0, kind: 'phase' as const, label: 'steady', phase: 'steady' as const, endMs: 2003 },
    { atMs: 2003, kind: 'phase' as const, label: 'fault', phase: 'fault' as const, endMs: 4001 },
    { atMs: 2003, kind: 'fault' as const, label: 'down clients:node-1' },
    { atMs: 4001, kind: 'phase' as const, label: 'recovery', phase: 'recovery' as const },
  ];
  assert.equal(livePhaseAt(events, 1500, 'x'), 'steady');
  assert.equal(livePhaseAt(events, 2500, 'x'), 'fault');
  assert.equal(livePhaseAt(events, 9500, 'recovery'), 'recovery');
  assert.equal(livePhaseAt([], 500, 'steady'), 'steady');
});

test('/metrics serves chat_bench_delivery_latency_seconds buckets per phase; late deliveries of an old second keep its phase', async () => {
  const server = await startMetricsServer('127.0.0.1:0', { runId: 'r1', shard: '1/3' });
  try {
    const rec = new LatencyRecorder(0);
    const phaseOf = (t: number) => (t >= 2 && t < 4 ? 'fault' : 'steady');
    const tick = () => server.second!({
      sample: { t: 0, latency: { count: 0, minUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0, meanUs: 0 }, deliveries: 0, published: 0, acked: 0, connected: 0, reconnects: 0, disconnects: 0 },
      totals: copyStats(new DriverStats()), activeFaults: [], phase: 'steady', p99LastSecUs: null,
      latencyBuckets: rec.buckets.seconds, phaseOfSecond: phaseOf,
    });
    for (let i = 0; i < 10; i++) rec.record(4_000, 1_000 + i * 10);   // second 1: 10 × 4 ms
    rec.record(150_000, 2_500);                                         // second 2 (fault): 150 ms
    tick();
    rec.record(2_000_000, 4_200);   // scheduled at 2.2 s (fault), delivered 2 s late, after the first scrape's tick
    rec.record(40_000, 5_100);      // second 5, steady
    tick();
    tick(); // nothing new: nothing counted twice
    const text = await (await fetch(server.url)).text();
    const line = (name: string, labels: string) => {
      const m = new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text);
      assert.ok(m, `${name}{${labels}} missing in\n${text}`);
      return Number(m[1]);
    };
    const common = 'run_id="r1",shard="1/3"';
    assert.match(text, /# TYPE chat_bench_delivery_latency_seconds histogram/);
    assert.equal(line('chat_bench_delivery_latency_seconds_bucket', `phase="steady",le="0.002",${common}`), 0);
    assert.equal(line('chat_bench_delivery_latency_seconds_bucket', `phase="steady",le="0.005",${common}`), 10);
    assert.equal(line('chat_bench_delivery_latency_seconds_bucket', `phase="steady",le="0.05",${common}`), 11);
    assert.equal(line('chat_bench_delivery_latency_seconds_bucket', `phase="steady",le="\\+Inf",${common}`), 11);
    assert.equal(line('chat_bench_delivery_latency_seconds_count', `phase="steady",${common}`), 11);
    assert.ok(Math.abs(line('chat_bench_delivery_latency_seconds_sum', `phase="steady",${common}`) - (10 * 0.004 + 0.04)) < 1e-9);
    assert.equal(line('chat_bench_delivery_latency_seconds_bucket', `phase="fault",le="0.1",${common}`), 0);
    assert.equal(line('chat_bench_delivery_latency_seconds_bucket', `phase="fault",le="0.2",${common}`), 1);
    assert.equal(line('chat_bench_delivery_latency_seconds_bucket', `phase="fault",le="2",${common}`), 2);
    assert.equal(line('chat_bench_delivery_latency_seconds_count', `phase="fault",${common}`), 2);
    // Cumulative: every bucket line of a phase is at least the one before.
    for (const phase of ['steady', 'fault']) {
      const counts = [...text.matchAll(new RegExp(`^chat_bench_delivery_latency_seconds_bucket\\{phase="${phase}",le="[^"]+",[^}]*\\} (\\S+)$`, 'gm'))].map((m) => Number(m[1]));
      assert.equal(counts.length, LATENCY_BUCKETS_MS.length + 1);
      counts.forEach((c, i) => assert.ok(i === 0 || c >= counts[i - 1]));
    }
  } finally {
    await server.close!();
  }
});

test('the metric alone: deltas per second, attributed once', () => {
  const m = new LatencyHistogramMetric();
  const seconds = new Map<number, number[]>();
  const row = new Array(LATENCY_BUCKETS_MS.length + 2).fill(0);
  row[0] = 3;
  row[SUM_SLOT] = 1500;
  seconds.set(0, row);
  m.update(seconds, () => 'steady');
  m.update(seconds, () => 'fault'); // unchanged: not moved to another phase
  const values = m.get().values;
  assert.deepEqual(values.filter((v) => v.metricName.endsWith('_count')).map((v) => [v.labels.phase, v.value]), [['steady', 3]]);
});

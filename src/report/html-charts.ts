// Turns results.json's per-second series, timeline and percentiles into the report's charts.
// Long runs are bucketed (at most MAX_POINTS points per chart) so a one-hour run stays a small file;
// bucketing keeps the worst latency of each bucket, never an average that hides a spike.
import { PHASES } from '../contracts/metrics';
import type { ResultsV1, SecondSample, TimelineEvent } from '../contracts/results';
import { renderPercentileChart, type PercentileCurve } from './charts/percentile-chart';
import { PALETTE } from './charts/svg';
import { renderTimeChart, type TimeBand } from './charts/time-chart';
import { formatCompact, formatCount, formatOffsetMs, formatUs } from './format';

const MAX_POINTS = 600;
const HALF_WIDTH = 560; // viewBox width of the charts shown two per row
export const TARGET_US = 100_000;
const axisUs = (v: number) => (v === 0 ? '0' : formatUs(v));

interface Bucket {
  startS: number;
  p50: number | null; p99: number | null; max: number | null;
  deliveries: number; published: number; acked: number;   // per second (mean over the bucket)
  connected: number;                                      // lowest in the bucket: dips stay visible
  reconnects: number; disconnects: number; lost: number;   // per second (mean over the bucket)
}

export function bucketSeries(series: SecondSample[]): { bucketS: number; buckets: Bucket[] } {
  const sorted = [...series].sort((a, b) => a.t - b.t);
  const length = sorted.length ? sorted[sorted.length - 1].t + 1 : 0;
  const bucketS = Math.max(1, Math.ceil(length / MAX_POINTS));
  const groups: SecondSample[][] = Array.from({ length: Math.ceil(length / bucketS) }, () => []);
  for (const s of sorted) if (s.t >= 0) groups[Math.floor(s.t / bucketS)].push(s);
  const buckets: Bucket[] = [];
  for (let g = 0; g < groups.length; g++) {
    const start = g * bucketS;
    const inside = groups[g];
    const withLatency = inside.filter((s) => s.latency && s.latency.count > 0);
    const worst = (f: (s: SecondSample) => number) => (withLatency.length ? Math.max(...withLatency.map(f)) : null);
    const mean = (f: (s: SecondSample) => number) => inside.reduce((sum, s) => sum + (f(s) || 0), 0) / bucketS;
    buckets.push({
      startS: start,
      p50: worst((s) => s.latency.p50Us), p99: worst((s) => s.latency.p99Us), max: worst((s) => s.latency.maxUs),
      deliveries: mean((s) => s.deliveries), published: mean((s) => s.published), acked: mean((s) => s.acked),
      connected: inside.length ? Math.min(...inside.map((s) => s.connected)) : 0,
      reconnects: mean((s) => s.reconnects), disconnects: mean((s) => s.disconnects), lost: mean((s) => s.lost ?? 0),
    });
  }
  return { bucketS, buckets };
}

/** Fault events in time order, tagged F1, F2, … (the same tags in charts and the timeline table). */
export function faultBands(timeline: TimelineEvent[]): Array<TimeBand & { event: TimelineEvent }> {
  return timeline.filter((e) => e.kind === 'fault').sort((a, b) => a.atMs - b.atMs).map((e, i) => ({
    startS: e.atMs / 1000,
    endS: e.endMs === undefined || e.endMs <= e.atMs ? null : e.endMs / 1000,
    tag: `F${i + 1}`, label: e.label, failed: Boolean(e.error), event: e,
  }));
}

/** steady, fault, recovery first (the order a run goes through), any other phase after. */
export function orderedPhases<T>(phases: Record<string, T> | undefined): Array<[string, T]> {
  const rank = (p: string) => { const i = (PHASES as readonly string[]).indexOf(p); return i < 0 ? 99 : i; };
  return Object.entries(phases ?? {}).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

export function renderCharts(results: ResultsV1): { latency: string; percentiles: string; clients: string; reconnects: string; deliveries: string; publishes: string; lost: string | null } {
  const { bucketS, buckets } = bucketSeries(results.series);
  const bands = faultBands(results.timeline);
  const per = bucketS === 1 ? 'per second' : `per second, ${bucketS} s buckets`;
  const at = (i: number) => `${formatOffsetMs(buckets[i].startS * 1000)}${bucketS > 1 ? `–${formatOffsetMs((buckets[i].startS + bucketS) * 1000)}` : ''}`;
  const overall = results.latency.overall;

  const latency = renderTimeChart({
    id: 'chart-latency', title: 'Delivery latency over time',
    subtitle: `${per}${bucketS > 1 ? ' (worst of each bucket)' : ''}; receive time − scheduled send time`,
    bucketS, y: 'latency', yFormat: axisUs, yLabel: 'latency', bands,
    series: [
      { kind: 'line', name: 'max', values: buckets.map((b) => b.max), color: PALETTE.purple, dash: '2 3', width: 1.5 },
      { kind: 'line', name: 'p99', values: buckets.map((b) => b.p99), color: PALETTE.vermillion, dash: '7 3', width: 2.2 },
      { kind: 'line', name: 'p50', values: buckets.map((b) => b.p50), color: PALETTE.blue, width: 2.2 },
    ],
    refLines: [{ value: TARGET_US, label: `target ${formatUs(TARGET_US)}` }],
    tooltip: (i) => `${at(i)}: p50 ${formatUs(buckets[i].p50)} · p99 ${formatUs(buckets[i].p99)} · max ${formatUs(buckets[i].max)}`,
    height: 280,
  });

  const phaseColors: Record<string, [string, string]> = { steady: [PALETTE.green, '1 0'], fault: [PALETTE.orange, '6 3'], recovery: [PALETTE.sky, '2 3'] };
  const curves: PercentileCurve[] = [{ name: 'whole run', points: results.latency.percentiles, color: PALETTE.blue }];
  for (const [phase, s] of orderedPhases(results.latency.phases)) {
    if (!s || !s.count) continue;
    const [color, dash] = phaseColors[phase] ?? [PALETTE.grey, '4 2'];
    curves.push({
      name: `${phase} (p50…p99.9)`, color, dash: dash === '1 0' ? undefined : dash, markers: true,
      points: [{ percentile: 50, valueUs: s.p50Us }, { percentile: 90, valueUs: s.p90Us }, { percentile: 99, valueUs: s.p99Us }, { percentile: 99.9, valueUs: s.p999Us }],
    });
  }
  const percentiles = renderPercentileChart({
    id: 'chart-percentiles', title: 'Latency by percentile', curves,
    subtitle: `${formatCount(overall.count)} deliveries; HdrHistogram-style axis, the tail on the right`,
    targetUs: TARGET_US, maxUs: overall.maxUs,
  });

  const clients = renderTimeChart({
    id: 'chart-clients', width: HALF_WIDTH, title: 'Connected clients', subtitle: bucketS === 1 ? 'at the end of each second' : `lowest in each ${bucketS} s bucket`,
    bucketS, y: 'linear', yFormat: formatCompact, yLabel: 'clients', bands,
    series: [{ kind: 'area', name: 'connected', values: buckets.map((b) => b.connected), color: PALETTE.green }],
    refLines: [{ value: results.clients.target, label: `target ${formatCount(results.clients.target)}`, color: PALETTE.grey, dash: '6 4' }],
    tooltip: (i) => `${at(i)}: ${formatCount(buckets[i].connected)} connected`,
    height: 240,
  });

  const reconnects = renderTimeChart({
    id: 'chart-reconnects', width: HALF_WIDTH, title: 'Reconnects and disconnects', subtitle: per,
    bucketS, y: 'linear', yFormat: formatCompact, yLabel: 'clients/s', bands,
    series: [
      { kind: 'bars', name: 'reconnects', values: buckets.map((b) => b.reconnects), color: PALETTE.sky },
      { kind: 'bars', name: 'disconnects', values: buckets.map((b) => b.disconnects), color: PALETTE.vermillion, hatch: true },
    ],
    tooltip: (i) => `${at(i)}: ${formatCount(buckets[i].reconnects)} reconnects/s · ${formatCount(buckets[i].disconnects)} disconnects/s`,
    height: 240,
  });

  const deliveries = renderTimeChart({
    id: 'chart-deliveries', width: HALF_WIDTH, title: 'Deliveries', subtitle: `${per}; every message frame received by a client`,
    bucketS, y: 'linear', yFormat: formatCompact, yLabel: 'msg/s', bands,
    series: [{ kind: 'area', name: 'deliveries', values: buckets.map((b) => b.deliveries), color: PALETTE.blue }],
    tooltip: (i) => `${at(i)}: ${formatCount(buckets[i].deliveries)} deliveries/s`,
    height: 240,
  });

  const publishes = renderTimeChart({
    id: 'chart-publishes', width: HALF_WIDTH, title: 'Publishes and acks', subtitle: `${per}; a gap between the lines is publishes waiting for their ack`,
    bucketS, y: 'linear', yFormat: formatCompact, yLabel: 'msg/s', bands,
    series: [
      { kind: 'line', name: 'published', values: buckets.map((b) => b.published), color: PALETTE.blue },
      { kind: 'line', name: 'acked', values: buckets.map((b) => b.acked), color: PALETTE.orange, dash: '6 3' },
    ],
    tooltip: (i) => `${at(i)}: ${formatCount(buckets[i].published)} published/s · ${formatCount(buckets[i].acked)} acked/s`,
    height: 240,
  });

  const anyLost = buckets.some((b) => b.lost > 0);
  const lost = anyLost ? renderTimeChart({
    id: 'chart-lost', title: 'Lost messages by scheduled send time', subtitle: `${per}; when the lost messages were meant to be sent`,
    bucketS, y: 'linear', yFormat: formatCompact, yLabel: 'lost/s', bands,
    series: [{ kind: 'bars', name: 'lost', values: buckets.map((b) => b.lost), color: PALETTE.vermillion }],
    tooltip: (i) => `${at(i)}: ${formatCount(buckets[i].lost)} lost/s`,
    height: 170,
  }) : null;

  return { latency, percentiles, clients, reconnects, deliveries, publishes, lost };
}

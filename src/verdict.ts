// The verdict of a run, decided before anything is rendered: assembles results.json (schema 1)
// from what the run measured (integrity account, latency histograms, per-second samples, fault
// timeline), judges the thresholds from the same numbers the report shows, and picks the exit
// code. src/report/ only renders the finished object.
import type { Cluster } from './runtime/cluster';
import type { Scenario, ThresholdSpec } from './contracts/scenario';
import type { DriverStats } from './load/stats';
import type { IntegrityAccount } from './verify/accounting';
import type { LatencyRecorder } from './verify/latency';
import { summarize, newHistogram } from './verify/latency';
import { guaranteeChecks } from './verify/guarantees';
import { evaluateThresholds, integrityCounter, type MetricSource } from './verify/thresholds';
import { EXIT } from './util/errors';
import type { ResultsV1, SecondSample, TimelineEvent } from './contracts/results';
import { cpus, hostname } from 'node:os';

const VERSION: string = (require('../../package.json') as { version: string }).version;

export interface RunFacts {
  scenario: Scenario;
  runId: string;
  startedAt: Date;
  durationMs: number;
  cluster: Pick<Cluster, 'runtime' | 'nodes'>;
  integrity: IntegrityAccount;
  latency: LatencyRecorder;
  series: SecondSample[];
  timeline: TimelineEvent[];
  recovery?: ResultsV1['recovery'];
  stats: Pick<DriverStats, 'maxConnected' | 'connects' | 'reconnects' | 'disconnects' | 'connectFailures' | 'heartbeatTimeouts' | 'leaves' | 'returns'>;
  faultFailures: number;
  workers: number;
  /** stopped by Ctrl-C: the record is partial and the exit code is 130 */
  interrupted?: boolean;
}

/** Threshold metrics read from a run's histograms and totals. */
export function metricSource(latency: LatencyRecorder, integrity: IntegrityAccount, stats: RunFacts['stats']): MetricSource {
  return {
    latency(kind, stat, tags) {
      const h = kind === 'latency'
        ? (tags.phase ? latency.phaseHistogram(tags.phase) : latency.overall)
        : kind === 'connect' ? latency.connect : kind === 'reconnect' ? latency.reconnect : latency.continuity;
      if (kind === 'latency' && !tags.phase) latency.summary(h); // folds values still staged
      if (h.totalCount === 0) return null;
      // The same reading the report prints (summarize): min/max are percentiles 0/100 of the
      // buckets, so a threshold never disagrees with the number shown beside it.
      if (stat === 'min') return summarize(h).minUs;
      if (stat === 'max') return summarize(h).maxUs;
      if (stat === 'mean') return summarize(h).meanUs;
      return h.getValueAtPercentile(Number(stat.slice(1)));
    },
    counter: (name) => integrityCounter(name, integrity.totals, stats),
  };
}

export function buildResults(f: RunFacts): ResultsV1 {
  const s = f.scenario;
  const latencyBlock = f.latency.results();
  // Per-second latency and losses go into the samples the run took once a second.
  const perSecond = new Map(f.latency.perSecond().map((x) => [x.t, x.latency]));
  const empty = summarize(newHistogram());
  const series = f.series.map((sample) => ({
    ...sample,
    latency: perSecond.get(sample.t) ?? empty,
    lost: f.integrity.lostBySecond[sample.t] ?? 0,
  }));
  const metrics = metricSource(f.latency, f.integrity, f.stats);
  const implied = guaranteeChecks(s.guarantee);
  const same = (a: ThresholdSpec, b: ThresholdSpec) => a.expression === b.expression && a.condition.replace(/\s+/g, '') === b.condition.replace(/\s+/g, '');
  const thresholds = [
    ...evaluateThresholds(implied, metrics, 'guarantee'),
    // a threshold that repeats one the guarantee implies is judged once
    ...evaluateThresholds(s.thresholds.filter((t) => !implied.some((i) => same(i, t))), metrics),
  ];
  const thresholdsPass = thresholds.every((t) => t.pass);
  const exitCode = f.interrupted ? EXIT.interrupted
    : f.faultFailures > 0 ? EXIT.infrastructure : thresholdsPass ? EXIT.ok : EXIT.thresholdFailed;
  return {
    schema: 1,
    tool: { name: 'chat-bench', version: VERSION },
    runId: f.runId,
    startedAt: f.startedAt.toISOString(),
    durationMs: f.durationMs,
    scenario: s,
    environment: {
      node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, hostname: hostname(),
      runtime: f.cluster.runtime, workers: f.workers, nodes: f.cluster.nodes.map((n) => n.id),
    },
    timeline: f.timeline,
    ...(f.recovery ? { recovery: f.recovery } : {}),
    ...(s.generatedFaults ? { generatedFaults: s.generatedFaults } : {}),
    clients: {
      target: s.clients.count,
      maxConnected: f.stats.maxConnected,
      connects: f.stats.connects,
      reconnects: f.stats.reconnects,
      disconnects: f.stats.disconnects,
      connectFailures: f.stats.connectFailures,
      heartbeatTimeouts: f.stats.heartbeatTimeouts,
      leaves: f.stats.leaves,
      returns: f.stats.returns,
    },
    totals: f.integrity.totals,
    channels: f.integrity.channels,
    examples: f.integrity.examples,
    latency: latencyBlock,
    histograms: f.latency.encode(),
    series,
    thresholds,
    verdict: exitCode === EXIT.ok ? 'pass' : 'fail',
    exitCode,
  };
}

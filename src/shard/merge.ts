// `chat-bench merge`: one run's shards → one results.json, decided exactly as if one process
// had run every client. Integrity: account() over every shard's ledger snapshots (a message
// published in one shard is owed to subscribers in all of them). Latency: the encoded HDR
// histograms summed. Per-second samples: summed second by second on the common clock.
import type { ResultsV1, SecondSample } from '../contracts/results';
import type { Scenario } from '../contracts/scenario';
import { loadResults } from '../report/write';
import { usageError } from '../util/errors';
import { account } from '../verify/accounting';
import { LatencyRecorder } from '../verify/latency';
import type { LedgerSnapshot } from '../verify/snapshot';
import { buildResults } from '../verdict';
import { judgeRecovery, secondFigures } from '../chaos/recovery';
import { join } from 'node:path';
import { readShardLedger, readShardMeta, type ShardMeta } from './files';

interface LoadedShard { dir: string; meta: ShardMeta; results: ResultsV1 }

const HINT = 'pass the results folder of every shard of one run (same scenario, seed, start and number of shards)';

/** Refuses shards that are not exactly the N parts of one run. */
export function checkShardSet(shards: Array<{ dir: string; meta: ShardMeta }>): void {
  if (shards.length === 0) throw usageError('merge: no shard folders given', HINT);
  const first = shards[0];
  for (const s of shards.slice(1)) {
    const differs = s.meta.scenarioHash !== first.meta.scenarioHash ? `scenario ${s.meta.scenarioHash} vs ${first.meta.scenarioHash}`
      : s.meta.seed !== first.meta.seed ? `seed ${s.meta.seed} vs ${first.meta.seed}`
        : s.meta.total !== first.meta.total ? `${s.meta.total} shards vs ${first.meta.total}`
          : s.meta.startAtMs !== first.meta.startAtMs ? `start ${new Date(s.meta.startAtMs).toISOString()} vs ${new Date(first.meta.startAtMs).toISOString()}`
            : null;
    if (differs) throw usageError(`merge: ${s.dir} and ${first.dir} are shards of different runs (${differs})`, HINT);
  }
  const total = first.meta.total;
  const seen = new Map<number, string>();
  for (const s of shards) {
    const other = seen.get(s.meta.index);
    if (other !== undefined) throw usageError(`merge: shard ${s.meta.index}/${total} given twice (${other} and ${s.dir})`, HINT);
    seen.set(s.meta.index, s.dir);
  }
  const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length) throw usageError(`merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${total}`).join(', ')} missing`, HINT);
}

/** Per-second samples of all shards, summed by second (all shards count seconds from the common start). */
export function sumSeries(all: SecondSample[][]): SecondSample[] {
  const byT = new Map<number, SecondSample>();
  for (const series of all) {
    for (const s of series) {
      const acc = byT.get(s.t);
      if (!acc) { byT.set(s.t, { ...s }); continue; }
      acc.deliveries += s.deliveries;
      acc.published += s.published;
      if (s.scheduled !== undefined) acc.scheduled = (acc.scheduled ?? 0) + s.scheduled;
      acc.acked += s.acked;
      acc.connected += s.connected;
      acc.reconnects += s.reconnects;
      acc.disconnects += s.disconnects;
    }
  }
  return [...byT.values()].sort((a, b) => a.t - b.t);
}

export async function loadShards(dirs: string[]): Promise<LoadedShard[]> {
  const metas = dirs.map((dir) => ({ dir, meta: readShardMeta(dir) }));
  checkShardSet(metas);
  const out: LoadedShard[] = [];
  for (const m of metas) out.push({ ...m, results: await loadResults(join(m.dir, 'results.json')) });
  return out.sort((a, b) => a.meta.index - b.meta.index);
}

/** A shard's run id without its -shard<i>of<N> suffix: the same in every shard of one run. */
export function sharedRunId(shardRunId: string): string {
  return shardRunId.replace(/-shard\d+of\d+$/, '');
}

export function mergedRunId(coordinatorRunId: string): string {
  return `${sharedRunId(coordinatorRunId)}-merged`;
}

/** The merged results; `ledgers` are read lazily, one shard at a time. */
export function mergeShardResults(shards: LoadedShard[], ledgerOf: (dir: string) => LedgerSnapshot[] = readShardLedger): ResultsV1 {
  const coordinator = shards[0];
  const scenario = coordinator.results.scenario as Scenario;
  const snapshots = shards.flatMap((s) => ledgerOf(s.dir));
  const interrupted = shards.some((s) => s.results.exitCode === 130);
  const runStartUs = coordinator.meta.startAtMs * 1000;
  const runEndMs = Math.max(...shards.map((s) => s.meta.runEndMs));
  const integrity = account(snapshots, {
    faultWindows: coordinator.meta.faultWindows, runStartUs, interrupted, endUs: runStartUs + runEndMs * 1000,
  });
  const latency = LatencyRecorder.merge(shards.map((s) => s.results.histograms));
  const series = sumSeries(shards.map((s) => s.results.series));
  // Phases and recovery are judged again over every shard's seconds, as one process would.
  const recovery = judgeRecovery({
    faults: coordinator.meta.recoveryFaults, seconds: secondFigures(latency.perScheduledSecond(), series),
    rampUpMs: scenario.clients.rampUpMs, publishEndMs: coordinator.meta.publishEndMs, runEndMs, maxMs: scenario.recoveryMs,
    clients: scenario.clients.count,
  });
  latency.assignPhases((t) => recovery.phaseOfSecond(t));
  const timeline = [...coordinator.results.timeline.filter((e) => e.kind !== 'phase'), ...recovery.phaseEvents()].sort((a, b) => a.atMs - b.atMs);
  const sum = (f: (r: ResultsV1) => number) => shards.reduce((acc, s) => acc + f(s.results), 0);
  const env = coordinator.results.environment;
  return buildResults({
    scenario,
    runId: mergedRunId(coordinator.results.runId),
    startedAt: new Date(coordinator.meta.startAtMs),
    durationMs: Math.max(...shards.map((s) => s.results.durationMs)),
    cluster: { runtime: env.runtime as 'local' | 'docker' | 'external', nodes: env.nodes.map((id) => ({ id, clientUrl: '' })) },
    integrity,
    latency,
    series,
    timeline,
    recovery: { baseline: recovery.baseline, maxMs: scenario.recoveryMs, windows: recovery.windows },
    stats: {
      // the sum of each shard's peak: the clients connected at once across shards is at most this
      maxConnected: sum((r) => r.clients.maxConnected),
      connects: sum((r) => r.clients.connects),
      reconnects: sum((r) => r.clients.reconnects),
      disconnects: sum((r) => r.clients.disconnects),
      connectFailures: sum((r) => r.clients.connectFailures),
      heartbeatTimeouts: sum((r) => r.clients.heartbeatTimeouts),
      leaves: sum((r) => r.clients.leaves ?? 0),
      returns: sum((r) => r.clients.returns ?? 0),
    },
    faultFailures: coordinator.results.timeline.filter((e) => e.kind === 'fault' && e.error).length,
    workers: sum((r) => r.environment.workers),
    interrupted,
  });
}

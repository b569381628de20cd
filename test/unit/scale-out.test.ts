// Pure parts of going beyond one machine: shard flags, the deterministic split, shard-set
// refusals, summing per-second samples, the GitHub step summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseShard, parseStartAt, resolveShard } from '../../src/shard/spec';
import { shardSlice } from '../../src/shard/slice';
import { checkShardSet, mergedRunId, sharedRunId, sumSeries } from '../../src/shard/merge';
import { scenarioHash, type ShardMeta } from '../../src/shard/files';
import { planClients } from '../../src/load/assignment';
import { appendStepSummary } from '../../src/report/step-summary';
import { UserError } from '../../src/util/errors';
import { makeSyntheticResults } from '../support/synthetic-results';

const usage = (f: () => unknown, pattern: RegExp) => assert.throws(f, (e: unknown) => e instanceof UserError && e.exitCode === 2 && pattern.test(e.message));

test('--shard i/N and JOB_COMPLETION_INDEX with a total', () => {
  assert.deepEqual(parseShard('2/5'), { index: 2, total: 5 });
  usage(() => parseShard('3/2'), /shard index 3 is not below the number of shards 2/);
  usage(() => parseShard('1/0'), /at least 1/);
  usage(() => parseShard('a/2'), /not a whole number/);
  usage(() => parseShard('2'), /not of the form i\/N/);
  assert.deepEqual(resolveShard({ shards: '4' }, { JOB_COMPLETION_INDEX: '3' }), { index: 3, total: 4 });
  assert.deepEqual(resolveShard({}, { JOB_COMPLETION_INDEX: '1', CHAT_BENCH_SHARDS: '2' }), { index: 1, total: 2 });
  assert.equal(resolveShard({}, { JOB_COMPLETION_INDEX: '1' }), null);
  usage(() => resolveShard({ shards: '3' }, {}), /JOB_COMPLETION_INDEX is not/);
  usage(() => resolveShard({}, { JOB_COMPLETION_INDEX: '3', CHAT_BENCH_SHARDS: '3' }), /not below/);
  assert.equal(parseStartAt('1700000000000'), 1700000000000);
  assert.equal(parseStartAt('2026-01-31T12:00:00Z'), Date.parse('2026-01-31T12:00:00Z'));
  usage(() => parseStartAt('soon'), /neither an ISO time nor epoch/);
});

test('every client, publisher and stream of the plan is in exactly one shard', () => {
  const spec = { count: 101, channels: 7, subscriptionsPerClient: 3, publishers: 20, rampUpMs: 1000 } as never;
  const plans = planClients(spec, 3, 42, 't');
  const slices = [0, 1, 2, 3].map((index) => shardSlice(plans, { index, total: 4 }));
  const ids = slices.flat().map((p) => p.id).sort();
  assert.deepEqual(ids, plans.map((p) => p.id).sort());
  assert.equal(new Set(ids).size, plans.length);
  // deterministic: the same seed gives the same slice
  assert.deepEqual(shardSlice(planClients(spec, 3, 42, 't'), { index: 2, total: 4 }), slices[2]);
});

test('a shard set that is not the N parts of one run is refused', () => {
  const meta = (index: number, patch: Partial<ShardMeta> = {}): { dir: string; meta: ShardMeta } => ({
    dir: `d${index}`,
    meta: { schema: 1, index, total: 3, scenarioHash: 'h', seed: 1, startAtMs: 5, runTag: 't', runEndMs: 1, faultWindows: [], recoveryFaults: [], publishEndMs: 1, ...patch },
  });
  checkShardSet([meta(2), meta(0), meta(1)]);
  usage(() => checkShardSet([meta(0), meta(2)]), /shard 1\/3 missing/);
  usage(() => checkShardSet([meta(0), meta(1), meta(1)]), /given twice/);
  usage(() => checkShardSet([meta(0), meta(1, { scenarioHash: 'other' }), meta(2)]), /different runs \(scenario/);
  usage(() => checkShardSet([meta(0), meta(1, { total: 4 })]), /4 shards vs 3/);
  usage(() => checkShardSet([]), /no shard folders/);
  assert.equal(scenarioHash({ a: 1, b: [1, { c: 2, d: 3 }] }), scenarioHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
});

test('per-second samples are summed by second', () => {
  const s = (t: number, n: number) => ({ t, latency: {} as never, deliveries: n, published: n, acked: n, connected: n, reconnects: 0, disconnects: 0 });
  const sum = sumSeries([[s(0, 1), s(1, 2)], [s(1, 10), s(2, 5)]]);
  assert.deepEqual(sum.map((x) => [x.t, x.deliveries, x.connected]), [[0, 1, 1], [1, 12, 12], [2, 5, 5]]);
});

test('GITHUB_STEP_SUMMARY gets a Markdown verdict table; nothing without it', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'cb-summary-')), 'summary.md');
  const results = makeSyntheticResults();
  assert.equal(await appendStepSummary(results, 'reports', {}), false);
  assert.equal(await appendStepSummary(results, 'reports', { GITHUB_STEP_SUMMARY: file }), true);
  const md = readFileSync(file, 'utf8');
  assert.match(md, new RegExp(`### chat-bench: .* ${results.runId}`));
  assert.match(md, /\| threshold \| actual \| result \|/);
  assert.equal(md.split('\n').filter((l) => l.startsWith('| `')).length, results.thresholds.length);
  assert.match(md, /\| published \| acked \| owed \| delivered \| lost .* p50 \| p99 \|/);
  assert.match(md, new RegExp(`\\| ${results.totals.published} \\| ${results.totals.acked} \\|`));
  assert.match(md, /Results: `reports\//);
});

test('every shard of a run shares one run id (the /metrics run_id label); the merge names its folder after it', () => {
  const ids = [0, 1, 2].map((i) => `20260131-120000-steady-x1a2b3-shard${i}of3`);
  assert.deepEqual(new Set(ids.map(sharedRunId)), new Set(['20260131-120000-steady-x1a2b3']));
  assert.equal(mergedRunId(ids[0]), '20260131-120000-steady-x1a2b3-merged');
  assert.equal(sharedRunId('20260131-120000-steady-ab12'), '20260131-120000-steady-ab12');
});

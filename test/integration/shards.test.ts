// Shards and merge on real processes: one reference cluster (`chat-bench broker`), the same
// seeded plan run unsplit and as 3 shard processes against it (runtime external), merged.
// The publish schedule is fixed on the run clock by the plan, so the merged counts equal the
// unsplit run's exactly. The plan lets every listener join before the first message is sent
// (stages: listeners in the first second, talkers from 2 s on), so no subscription races a
// publish; a publisher's own subscription is confirmed before its first send (client.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tmpOut } from './support';
import type { ResultsV1 } from '../../src/contracts/results';
import { LatencyRecorder } from '../../src/verify/latency';
import { schemaErrors } from '../support/schema-check';
import { externalScenario, onlyDir, resultsIn, runShards, startBroker } from './shard-support';
import { stopChild } from '../support/processes';

function scenarioFile(dir: string, urls: string[]): string {
  return externalScenario(join(dir, 'scenario.yaml'), 'shard-it', urls, [
    'clients:',
    '  channels: 9',
    '  publishRate: 4/s',
    '  payloadBytes: 64',
    '  groups:',
    '    - { name: listeners, count: 51, subscriptionsPerClient: 2 }',
    '    - { name: talkers, count: 9, publishers: 9, subscriptionsPerClient: 1 }',
    'stages:',
    '  - { duration: 1s, clients: 51 }',
    '  - { duration: 1s, clients: 51 }',
    '  - { duration: 500ms, clients: 60 }',
    '  - { duration: 2500ms, clients: 60 }',
    'duration: 5s', 'drain: 4s', 'recovery: 1s', 'seed: 7',
  ]);
}

test('the same plan unsplit and as 3 shard processes: merged integrity and histograms agree; bad shard sets are refused', async () => {
  const { child, urls } = await startBroker(2);
  try {
    const work = tmpOut('cb-shards-');
    const file = scenarioFile(work, urls);
    const whole = await cli(['run', file, '--out', join(work, 'whole'), '-q'], { timeoutMs: 90_000 });
    assert.equal(whole.code, 0, whole.stderr + whole.stdout);
    const unsplit = resultsIn(join(work, 'whole', readdirSync(join(work, 'whole'))[0]));

    const dirs = await runShards(file, join(work, 'shards'), 3);
    for (const d of dirs) assert.ok(existsSync(join(d, 'ledger.json.gz')) && existsSync(join(d, 'shard.json')), d);
    const merge = await cli(['merge', ...dirs, '--out', join(work, 'merged'), '--junit', join(work, 'merged', 'junit.xml')]);
    assert.equal(merge.code, 0, merge.stderr + merge.stdout);
    const merged = resultsIn(onlyDir(join(work, 'merged'), '-merged'));
    assert.ok(existsSync(join(work, 'merged', 'junit.xml')));
    // Real results, merged or not, validate against the shipped schema.
    for (const r of [merged, unsplit, resultsIn(dirs[1])]) assert.equal(schemaErrors('results.schema.json', r), null);

    // Exact by construction of the plan: the same streams on the same channels.
    const streams = (r: ResultsV1) => r.channels.map((c) => c.streams).sort((a, b) => a - b);
    assert.deepEqual(streams(merged), streams(unsplit));
    assert.equal(merged.clients.target, unsplit.clients.target);
    assert.equal(merged.clients.connects, 60);
    // Both runs are whole: nothing lost, duplicated, reordered or phantom, every owed delivery made.
    for (const r of [unsplit, merged]) {
      assert.equal(r.verdict, 'pass');
      for (const k of ['lost', 'duplicated', 'reordered', 'phantom', 'unconfirmedStreams', 'serialConflicts'] as const) assert.equal(r.totals[k], 0, k);
      assert.equal(r.totals.delivered, r.totals.expected);
      assert.ok(r.totals.expected > 0);
      // The latency histogram counts every delivery once, merged over shards or not.
      assert.equal(LatencyRecorder.merge([r.histograms]).overall.totalCount, r.totals.deliveriesTotal);
    }
    // The same plan gives the same counts, split or not: every one of them, exactly.
    const counts = (r: ResultsV1) => ({
      scheduled: r.totals.scheduled, published: r.totals.published, acked: r.totals.acked, expected: r.totals.expected,
      delivered: r.totals.delivered, deliveriesTotal: r.totals.deliveriesTotal, histogram: r.latency.overall.count,
      perChannel: r.channels.map((c) => [c.streams, c.published, c.expected, c.delivered].join('/')).sort(),
    });
    assert.deepEqual(counts(merged), counts(unsplit));
    // 9 talkers at 4/s, each from its join (2.0–2.5 s) to 5 s: about 9 × 11 messages.
    assert.ok(unsplit.totals.scheduled >= 90 && unsplit.totals.scheduled <= 110, `${unsplit.totals.scheduled}`);
    // The merge is the sum of the shards' histograms, exactly.
    const shardCounts = dirs.map((d) => LatencyRecorder.merge([resultsIn(d).histograms]).overall.totalCount);
    assert.equal(merged.latency.overall.count, shardCounts.reduce((a, b) => a + b, 0));
    assert.equal(merged.series.reduce((a, s) => a + s.deliveries, 0), resultsIn(dirs[0]).series.reduce((a, s) => a + s.deliveries, 0)
      + resultsIn(dirs[1]).series.reduce((a, s) => a + s.deliveries, 0) + resultsIn(dirs[2]).series.reduce((a, s) => a + s.deliveries, 0));

    // Refusals: one line, exit 2.
    const refused = async (args: string[], pattern: RegExp) => {
      const r = await cli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    };
    await refused(['merge', dirs[0], dirs[2]], /shard 1\/3 missing/);
    await refused(['merge', dirs[0], dirs[1], dirs[1], dirs[2]], /given twice/);
    await refused(['merge', dirs[0], dirs[1], join(work, 'whole')], /no shard\.json/);
    const other = JSON.parse(readFileSync(join(dirs[2], 'shard.json'), 'utf8'));
    writeFileSync(join(dirs[2], 'shard.json'), JSON.stringify({ ...other, seed: 8 }));
    await refused(['merge', ...dirs], /different runs \(seed 8 vs 7\)/);
    await refused(['run', file, '--shard', '3/2'], /--shard 3\/2: shard index 3 is not below the number of shards 2/);
    await refused(['run', file, '--shard', '1/3'], /common start/);
  } finally {
    await stopChild(child);
  }
});

test('a message dropped on purpose is found by the merge, its publisher and subscriber in different shards', async () => {
  const { child, urls } = await startBroker(2, ['--misbehave', 'drop', '--misbehave-rate', '0.05']);
  try {
    const work = tmpOut('cb-shards-drop-');
    const file = scenarioFile(work, urls);
    const dirs = await runShards(file, join(work, 'shards'), 3);
    const merge = await cli(['merge', ...dirs, '--out', join(work, 'merged'), '--json-summary']);
    assert.equal(merge.code, 1, merge.stderr);
    const merged = resultsIn(onlyDir(join(work, 'merged'), '-merged'));
    assert.equal(merged.verdict, 'fail');
    assert.ok(merged.totals.lost > 0, JSON.stringify(merged.totals));
    // Client cK lives in shard K mod 3: some loss crossed shards.
    const shardOf = (id: string) => Number(id.slice(1)) % 3;
    const crossing = merged.examples.filter((e) => e.kind === 'lost' && e.publisher && e.clients.some((c) => shardOf(c) !== shardOf(e.publisher!)));
    assert.ok(crossing.length > 0, JSON.stringify(merged.examples.slice(0, 3)));
  } finally {
    await stopChild(child);
  }
});

// A random nemesis against the healthy reference cluster: whatever the seed draws (toxics,
// downs, partitions, kills, pauses), a correct broker loses nothing; the run records the
// generated timeline, the judged phases and the time to recover.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseScenario } from '../../src/scenario/parse';
import { runSmall, small } from './support';

// seed 1 draws partition, kill, down; seed 4 timeout, kill, bandwidth (every kind is covered by
// test/scenario/random-faults.test.ts; bench/verdicts runs many seeds)
const nemesis = (seed: number) => ({
  duration: '16s', drain: '12s', recovery: '5s',
  faults: { random: { seed, every: '1500ms', maxFor: '2s' } },
});

describe('random nemesis on the reference cluster', () => {
  for (const seed of [1, 4]) test(`seed ${seed}: faults injected as generated, the run intact, phases and recovery judged`, async () => {
    const NEMESIS = nemesis(seed);
    const expected = parseScenario(small(NEMESIS), 'inline');
    assert.ok(expected.faults.length >= 3, `${expected.faults.length} faults generated`);
    const { results, exitCode } = await runSmall(NEMESIS);

    const t = results.totals;
    assert.ok(t.delivered > 0, 'nothing delivered');
    assert.deepEqual({ lost: t.lost, duplicated: t.duplicated, reordered: t.reordered, phantom: t.phantom },
      { lost: 0, duplicated: 0, reordered: 0, phantom: 0 }, JSON.stringify(results.examples.slice(0, 3)));
    assert.equal(exitCode, 0, JSON.stringify(results.thresholds.filter((x) => !x.pass)));

    // the timeline a user can paste back under faults: to replay this seed
    assert.deepEqual(results.generatedFaults, expected.generatedFaults);
    const faults = results.timeline.filter((e) => e.kind === 'fault');
    assert.equal(faults.length, expected.faults.length);
    assert.ok(faults.every((f) => f.error === undefined && f.endMs !== undefined), JSON.stringify(faults));

    // every delivery lands in exactly one phase, by the second its message was scheduled
    const phases = Object.values(results.latency.phases);
    assert.equal(phases.reduce((n, p) => n + p.count, 0), results.latency.overall.count);
    assert.ok(results.latency.phases.fault?.count, 'fault phase has deliveries');

    // recovery judged per fault period; the timeline's phase events are those windows
    const recovery = results.recovery!;
    assert.ok(recovery.windows.length >= 1 && recovery.windows.length <= faults.length, JSON.stringify(recovery.windows));
    assert.equal(recovery.maxMs, 5000);
    for (const w of recovery.windows) {
      assert.ok(w.endMs - w.startMs <= 5000 + 1, `recovery longer than the maximum: ${JSON.stringify(w)}`);
      if (w.timeToRecoverMs !== null) assert.equal(w.timeToRecoverMs, w.endMs - w.startMs);
    }
    const recoveryEvents = results.timeline.filter((e) => e.kind === 'phase' && e.phase === 'recovery');
    assert.deepEqual(recoveryEvents.map((e) => [e.atMs, e.endMs]), recovery.windows.filter((w) => w.endMs > w.startMs).map((w) => [w.startMs, w.endMs]));
  });
});

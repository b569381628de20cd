// Adaptive recovery: a recovery window lasts from a fault's end until the per-second p99 and
// reconnects are back within the steady baseline (3 seconds held), or the configured maximum.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeRecovery, secondFigures, type RecoveryInput, type SecondFigures } from '../../src/chaos/recovery';

const MS = 1000;
/** Seconds 0..n-1: p99 25 ms and no reconnects, except where `override` says otherwise. */
function seconds(n: number, override: Record<number, Partial<SecondFigures>> = {}): SecondFigures[] {
  return Array.from({ length: n }, (_, t) => ({ t, p99Us: 25_000, reconnects: 0, ...override[t] }));
}
const input = (patch: Partial<RecoveryInput>): RecoveryInput => ({
  faults: [{ startMs: 10_000, endMs: 15_000, label: 'down clients:node-1' }],
  seconds: seconds(40), rampUpMs: 2000, publishEndMs: 40_000, runEndMs: 45_000, maxMs: 30_000, clients: 100, ...patch,
});

describe('judgeRecovery', () => {
  test('baseline = median of the steady seconds after the ramp-up and before the first fault', () => {
    const s = seconds(40, { 0: { p99Us: 900_000, reconnects: 50 }, 3: { p99Us: 10_000 }, 4: { p99Us: 60_000 } });
    const j = judgeRecovery(input({ seconds: s }));
    assert.deepEqual(j.baseline, { p99Us: 25_000, reconnectsPerSec: 0, seconds: 8, fromTarget: false });
  });

  test('recovery ends where 3 good seconds begin; time to recover is measured from the fault end', () => {
    const slow = { p99Us: 2_000_000 };
    const j = judgeRecovery(input({ seconds: seconds(40, { 15: slow, 16: slow, 18: slow }) }));
    assert.deepEqual(j.windows, [{ afterFaults: ['down clients:node-1'], startMs: 15_000, endMs: 19_000, timeToRecoverMs: 4000, endedBy: 'baseline' }]);
    assert.deepEqual([9, 10, 14, 15, 18, 19].map((t) => j.phaseOfSecond(t)), ['steady', 'fault', 'fault', 'recovery', 'recovery', 'steady']);
  });

  test('p99 within max(2 × baseline, baseline + 20 ms) counts as recovered; a second without deliveries does not', () => {
    const j = judgeRecovery(input({ seconds: seconds(40, { 15: { p99Us: 51_000 }, 16: { p99Us: 50_000 }, 20: { p99Us: null } }) }));
    assert.equal(j.windows[0].timeToRecoverMs, 1000); // limit max(50 ms, 45 ms): 15 is over it, 16..18 within
    const empty = judgeRecovery(input({ seconds: seconds(40, { 15: { p99Us: null }, 16: { p99Us: null } }) }));
    assert.equal(empty.windows[0].endMs, 17_000);
  });

  test('reconnects above the baseline keep the recovery open even when latency is fine', () => {
    const storm = { reconnects: 30 };
    const j = judgeRecovery(input({ seconds: seconds(40, { 15: storm, 16: storm, 17: storm, 18: { reconnects: 1 } }) }));
    assert.equal(j.windows[0].endMs, 18_000); // 1 reconnect/s is within the slack
  });

  test('not recovered by the maximum: the window ends there and time to recover is null', () => {
    const slow = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [15 + i, { p99Us: 900_000 }]));
    const j = judgeRecovery(input({ seconds: seconds(40, slow), maxMs: 5000 }));
    assert.deepEqual(j.windows[0], { afterFaults: ['down clients:node-1'], startMs: 15_000, endMs: 20_000, timeToRecoverMs: null, endedBy: 'maximum' });
    assert.equal(j.phaseOfSecond(20), 'steady');
  });

  test('the next fault cuts a recovery short; overlapping faults form one period', () => {
    const slow = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [15 + i, { p99Us: 900_000 }]));
    const j = judgeRecovery(input({
      seconds: seconds(40, slow),
      faults: [
        { startMs: 10_000, endMs: 13_000, label: 'a' }, { startMs: 12_000, endMs: 15_000, label: 'b' },
        { startMs: 22_000, endMs: 24_000, label: 'c' },
      ],
    }));
    assert.deepEqual(j.periods.map((p) => p.labels), [['a', 'b'], ['c']]);
    assert.deepEqual(j.windows.map((w) => [w.startMs, w.endMs, w.timeToRecoverMs, w.endedBy]), [
      [15_000, 22_000, null, 'next fault'], [24_000, 24_000, 0, 'baseline'],
    ]);
  });

  test('a fault that lasts until the end has no recovery; no steady second before it: the 100 ms target is the baseline', () => {
    const j = judgeRecovery(input({ faults: [{ startMs: 0, endMs: null, label: 'kill node:node-1' }] }));
    assert.deepEqual(j.windows, []);
    assert.equal(j.baseline.fromTarget, true);
    assert.equal(j.baseline.p99Us, 100_000);
    assert.equal(j.phaseOfSecond(39), 'fault');
  });

  test('phase events cover the run without gaps and carry the time to recover', () => {
    const j = judgeRecovery(input({ seconds: seconds(40, { 15: { p99Us: 2_000_000 } }) }));
    assert.deepEqual(j.phaseEvents().map((e) => [e.label, e.atMs, e.endMs, e.timeToRecoverMs]), [
      ['steady', 0, 10_000, undefined], ['fault', 10_000, 15_000, undefined], ['recovery', 15_000, 16_000, 1000], ['steady', 16_000, 45_000, undefined],
    ]);
  });

  test('secondFigures joins p99 by scheduled second with reconnects by sample', () => {
    const f = secondFigures([{ t: 1, latency: { count: 3, p99Us: 7 } }, { t: 2, latency: { count: 0, p99Us: 0 } }], [{ t: 0, reconnects: 2 }, { t: 1, reconnects: 1 }]);
    assert.deepEqual(f, [{ t: 0, p99Us: null, reconnects: 2 }, { t: 1, p99Us: 7, reconnects: 1 }, { t: 2, p99Us: null, reconnects: 0 }]);
  });
});

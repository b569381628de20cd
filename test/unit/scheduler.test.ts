import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler, type Timed } from '../../src/load/timer-heap';

test('scheduler fires entries in time order (FIFO for equal times), only when due', () => {
  let now = 0;
  const s = new Scheduler(() => now);
  const fired: string[] = [];
  const owner = (name: string): Timed => ({ onTimer: (kind) => fired.push(`${name}${kind}`) });
  const times = [50, 10, 30, 10, 70, 20, 60, 40];
  times.forEach((t, i) => s.at(t, owner(String.fromCharCode(97 + i)), t));
  now = 25;
  s.runDue();
  assert.deepEqual(fired, ['b10', 'd10', 'f20']);
  now = 100;
  s.runDue();
  assert.deepEqual(fired, ['b10', 'd10', 'f20', 'c30', 'h40', 'a50', 'g60', 'e70']);
  assert.equal(s.size, 0);
});

test('an entry scheduled while running fires in the same pass only if already due', () => {
  let now = 10;
  const s = new Scheduler(() => now);
  const fired: number[] = [];
  const o: Timed = { onTimer: (kind) => { fired.push(kind); if (kind === 1) { s.at(5, o, 2); s.at(20, o, 3); } } };
  s.at(10, o, 1);
  s.runDue();
  assert.deepEqual(fired, [1, 2]);
  now = 20;
  s.runDue();
  assert.deepEqual(fired, [1, 2, 3]);
});

test('the scheduler sleeps until the earliest due time instead of ticking', async () => {
  let clockReads = 0;
  const s = new Scheduler(() => { clockReads++; return performance.now(); });
  const fired: Array<{ kind: number; lateMs: number }> = [];
  const t0 = performance.now();
  const o: Timed = { onTimer: (kind, now) => fired.push({ kind, lateMs: now - (t0 + kind) }) };
  s.at(t0 + 150, o, 150);
  s.start();
  assert.equal(s.wakeAt, t0 + 150);
  s.at(t0 + 300, o, 300);           // later: the timer stays as it is
  assert.equal(s.wakeAt, t0 + 150);
  s.at(t0 + 60, o, 60);             // earlier: the timer moves
  assert.equal(s.wakeAt, t0 + 60);
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(fired.map((f) => f.kind), [60, 150, 300]);
  for (const f of fired) assert.ok(f.lateMs >= 0, `never early (${f.lateMs} ms)`);
  // A 2 ms tick would have read the clock ~200 times in 400 ms; sleeping reads it a few times per entry.
  assert.ok(clockReads < 20, `${clockReads} clock reads: the scheduler is polling`);
  assert.equal(s.wakeAt, Infinity, 'nothing due: no timer left');
  s.at(performance.now() + 10_000, o, 1);
  assert.notEqual(s.wakeAt, Infinity);
  s.stop();
  assert.equal(s.wakeAt, Infinity);
  assert.equal(s.size, 0);
});

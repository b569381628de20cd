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

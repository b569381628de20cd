import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffCeiling, backoffDelay } from '../../src/util/backoff';
import { seededRandom } from '../../src/load/random';
import type { ReconnectSpec } from '../../src/contracts/scenario';

const spec: ReconnectSpec = { initialMs: 100, maxMs: 5000, multiplier: 2, jitter: 'full' };

describe('backoff', () => {
  test('ceiling grows by the multiplier and stops at max', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((a) => backoffCeiling(spec, a)), [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    assert.equal(backoffCeiling(spec, 10_000), 5000); // no overflow to Infinity/NaN
  });

  test('full jitter stays within [0, ceiling) and spreads over it', () => {
    const random = seededRandom(1);
    for (const attempt of [0, 3, 9]) {
      const ceiling = backoffCeiling(spec, attempt);
      const draws = Array.from({ length: 2000 }, () => backoffDelay(spec, attempt, random));
      assert.ok(draws.every((d) => d >= 0 && d < ceiling), `attempt ${attempt}`);
      // spread: both the lower and the upper quarter of the range are hit often
      assert.ok(draws.filter((d) => d < ceiling / 4).length > 300);
      assert.ok(draws.filter((d) => d > (3 * ceiling) / 4).length > 300);
    }
  });

  test('equal jitter stays within [ceiling/2, ceiling); none is exactly the ceiling', () => {
    const random = seededRandom(2);
    const eq: ReconnectSpec = { ...spec, jitter: 'equal' };
    for (let i = 0; i < 1000; i++) {
      const d = backoffDelay(eq, 4, random);
      assert.ok(d >= 800 && d < 1600, String(d));
    }
    assert.equal(backoffDelay({ ...spec, jitter: 'none' }, 4, random), 1600);
    assert.equal(backoffDelay({ ...spec, jitter: 'none' }, 40, random), 5000);
  });

  test('same seed, same delays', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let i = 0; i < 50; i++) assert.equal(backoffDelay(spec, i % 8, a), backoffDelay(spec, i % 8, b));
  });
});

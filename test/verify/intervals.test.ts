import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IntervalSet } from '../../src/verify/intervals';
import { randomInt, seededRandom } from '../../src/load/random';

const setOf = (...values: number[]): IntervalSet => {
  const s = new IntervalSet();
  for (const v of values) s.add(v);
  return s;
};

/** Reference model: a plain Set, compared member by member. */
function assertSame(actual: IntervalSet, expected: Set<number>, limit: number): void {
  assert.equal(actual.count, expected.size);
  for (let v = 0; v <= limit; v++) assert.equal(actual.has(v), expected.has(v), `has(${v})`);
  const flat = actual.toJSON();
  for (let i = 0; i < flat.length; i += 2) {
    assert.ok(flat[i] <= flat[i + 1], 'range lo <= hi');
    if (i > 0) assert.ok(flat[i] > flat[i - 1] + 1, 'ranges disjoint and not adjacent');
  }
}

describe('IntervalSet', () => {
  test('appending in order keeps one range', () => {
    const s = new IntervalSet();
    for (let v = 1; v <= 1000; v++) assert.equal(s.add(v), true);
    assert.equal(s.add(500), false);
    assert.equal(s.add(1000), false);
    assert.deepEqual(s.toJSON(), [1, 1000]);
    assert.equal(s.count, 1000);
    assert.equal(s.rangeCount, 1);
    assert.equal(s.min, 1);
    assert.equal(s.max, 1000);
  });

  test('a hole makes two ranges, filling it merges them', () => {
    const s = setOf(1, 2, 3, 5, 6);
    assert.deepEqual(s.toJSON(), [1, 3, 5, 6]);
    assert.equal(s.has(4), false);
    assert.equal(s.add(4), true);
    assert.deepEqual(s.toJSON(), [1, 6]);
    assert.equal(s.count, 6);
  });

  test('inserting before, between and touching ranges', () => {
    const s = setOf(10, 20, 30);
    s.add(5);
    s.add(21);
    s.add(29);
    s.add(0);
    assert.deepEqual(s.toJSON(), [0, 0, 5, 5, 10, 10, 20, 21, 29, 30]);
    assert.equal(s.add(10), false);
    assert.equal(s.count, 7);
  });

  test('addRange merges every range it touches and counts only new members', () => {
    const s = setOf(1, 5, 9, 20);
    assert.equal(s.addRange(4, 10), 5); // 4,6,7,8,10 are new
    assert.deepEqual(s.toJSON(), [1, 1, 4, 10, 20, 20]);
    assert.equal(s.addRange(2, 3), 2);
    assert.deepEqual(s.toJSON(), [1, 10, 20, 20]);
    assert.equal(s.addRange(3, 2), 0);
    assert.equal(s.addRange(30, 31), 2);
    assert.equal(s.count, 13); // [1,10] + 20 + [30,31]
  });

  test('random adds match a reference Set', () => {
    const random = seededRandom(7);
    const s = new IntervalSet();
    const ref = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      if (random() < 0.2) {
        const lo = randomInt(random, 400);
        const hi = lo + randomInt(random, 6);
        let fresh = 0;
        for (let v = lo; v <= hi; v++) if (!ref.has(v)) { ref.add(v); fresh++; }
        assert.equal(s.addRange(lo, hi), fresh);
      } else {
        const v = randomInt(random, 400);
        assert.equal(s.add(v), !ref.has(v));
        ref.add(v);
      }
    }
    assertSame(s, ref, 420);
  });

  test('subtract, intersect, intersectRange, union and countIn match set algebra', () => {
    const random = seededRandom(11);
    for (let round = 0; round < 50; round++) {
      const a = new IntervalSet();
      const b = new IntervalSet();
      const ra = new Set<number>();
      const rb = new Set<number>();
      for (let i = 0; i < 60; i++) {
        const va = randomInt(random, 100);
        a.add(va);
        ra.add(va);
        const vb = randomInt(random, 100);
        b.add(vb);
        rb.add(vb);
      }
      assertSame(a.subtract(b), new Set([...ra].filter((v) => !rb.has(v))), 105);
      assertSame(a.intersect(b), new Set([...ra].filter((v) => rb.has(v))), 105);
      assertSame(a.union(b), new Set([...ra, ...rb]), 105);
      const lo = randomInt(random, 100);
      const hi = lo + randomInt(random, 40);
      const inRange = new Set([...ra].filter((v) => v >= lo && v <= hi));
      assertSame(a.intersectRange(lo, hi), inRange, 105);
      assert.equal(a.countIn(lo, hi), inRange.size);
    }
  });

  test('first() lists the smallest members in order', () => {
    assert.deepEqual(setOf(9, 3, 4, 5, 20).first(4), [3, 4, 5, 9]);
    assert.deepEqual(new IntervalSet().first(3), []);
  });

  test('toJSON / fromJSON round-trip and reject malformed input', () => {
    const s = setOf(1, 2, 3, 7, 100);
    const copy = IntervalSet.fromJSON(JSON.parse(JSON.stringify(s)) as number[]);
    assert.deepEqual(copy.toJSON(), [1, 3, 7, 7, 100, 100]);
    assert.equal(copy.count, 5);
    assert.throws(() => IntervalSet.fromJSON([1]), /even-length/);
    assert.throws(() => IntervalSet.fromJSON([5, 3]), /bad range/);
    assert.throws(() => IntervalSet.fromJSON([1, 3, 4, 6]), /not sorted and disjoint/);
    assert.throws(() => IntervalSet.fromJSON([-1, 3]), /bad range/);
  });

  test('fromSorted builds ranges from ascending values with repeats', () => {
    assert.deepEqual(IntervalSet.fromSorted([1, 1, 2, 3, 5, 5, 6, 9]).toJSON(), [1, 3, 5, 6, 9, 9]);
  });
});

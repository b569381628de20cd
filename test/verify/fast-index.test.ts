// The integer slot computation (src/verify/fast-index.ts) must put every value in the slot the
// library's floating-point one does: otherwise percentiles would silently shift.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'hdr-histogram-js';
import { withFastIndex } from '../../src/verify/fast-index';
import { HIGHEST_US, LOWEST_US, newHistogram } from '../../src/verify/latency';

const params = { bitBucketSize: 32 as const, lowestDiscernibleValue: LOWEST_US, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3 as const, autoResize: false };
type Indexed = { countsArrayIndex(v: number): number };

/** Values at and around every power of two up to the histogram's top, plus a seeded spread. */
function probeValues(): number[] {
  const out = [0, 0.5, 1, 1.5, 2, 3, 1023, 1024, 2047, 2048, 2049, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, HIGHEST_US - 1, HIGHEST_US];
  for (let k = 0; k < 32; k++) {
    const p = 2 ** k;
    out.push(p - 1, p, p + 1, p + 0.25, 3 * p);
  }
  let s = 12345;
  for (let i = 0; i < 20_000; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(s % 2_000_000, s, s / 1000);
  }
  return out.filter((v) => v >= 0 && v <= HIGHEST_US);
}

describe('fast histogram slot index', () => {
  test('the same slot as hdr-histogram-js for every probed value (integers, fractions, both sides of 2^31)', () => {
    const library = build(params) as unknown as Indexed;
    const fast = withFastIndex(build(params)) as unknown as Indexed;
    let checked = 0;
    for (const v of probeValues()) {
      assert.equal(fast.countsArrayIndex(v), library.countsArrayIndex(v), `value ${v}`);
      checked++;
    }
    assert.ok(checked > 50_000, `${checked} values`);
  });

  test('recording through it gives the same histogram (percentiles, min, max, count)', () => {
    const library = build(params);
    const fast = newHistogram();
    for (const v of probeValues()) {
      library.recordValue(v);
      fast.recordValue(v);
    }
    for (const p of [0, 1, 10, 50, 90, 99, 99.9, 99.99, 100]) assert.equal(fast.getValueAtPercentile(p), library.getValueAtPercentile(p), `p${p}`);
    assert.equal(fast.totalCount, library.totalCount);
    assert.equal(fast.minNonZeroValue, library.minNonZeroValue);
    assert.equal(fast.maxValue, library.maxValue);
  });

  test('a negative value is still refused (the library throws)', () => {
    assert.throws(() => newHistogram().recordValue(-1), /negative/);
  });
});

// hdr-histogram-js finds a value's counts slot with floating point (floor(log2(v)), pow(2, k),
// v / 2^k): about half of what recording a delivery's latency costs. For the values latency
// takes (non-negative, below 2^31 µs ≈ 36 min) the same slot comes from integer operations:
// floor(log2(v)) = 31 − clz32(v) for v ≥ 1, and floor(v / 2^k) = v >>> k. Larger values keep
// the library's own computation. test/verify/fast-index.test.ts checks the two agree.
import type { Histogram } from 'hdr-histogram-js';

/** The fields of JsHistogram the slot computation reads (public in its .d.ts, not in its Histogram interface). */
interface SlotFields {
  subBucketHalfCountMagnitude: number;
  subBucketHalfCount: number;
  unitMagnitude: number;
  countsArrayIndex(value: number): number;
}

const INTEGER_LIMIT = 0x8000_0000;

/** Gives `h` the integer slot computation (same slots as the library's); returns h. */
export function withFastIndex<H extends Histogram>(h: H): H {
  const fields = h as unknown as SlotFields;
  const libraryIndex = fields.countsArrayIndex;
  if (typeof libraryIndex !== 'function' || typeof fields.subBucketHalfCountMagnitude !== 'number') return h; // not a JsHistogram: leave it
  fields.countsArrayIndex = function countsArrayIndex(this: SlotFields, value: number): number {
    if (!(value >= 0 && value < INTEGER_LIMIT)) return libraryIndex.call(this, value); // negatives throw there
    const shift = 31 - Math.clz32(value) - this.subBucketHalfCountMagnitude - this.unitMagnitude;
    const bucketIndex = shift > 0 ? shift : 0;
    const subBucketIndex = value >>> (bucketIndex + this.unitMagnitude);
    return (bucketIndex + 1) * (1 << this.subBucketHalfCountMagnitude) + subBucketIndex - this.subBucketHalfCount;
  };
  return h;
}

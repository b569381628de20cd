// A set of non-negative integers kept as sorted, disjoint, non-adjacent ranges [lo, hi].
// The checker stores serials and per-publisher sequences this way: a healthy stream
// receives 1, 2, 3 … so its whole history is ONE range, whatever the message count.
// Stored flat ([lo0, hi0, lo1, hi1, …]) so toJSON is the internal array itself.

export class IntervalSet {
  private r: number[];
  private total: number;

  constructor() {
    this.r = [];
    this.total = 0;
  }

  /** Number of integers in the set. */
  get count(): number {
    return this.total;
  }

  /** Number of disjoint ranges (1 for a contiguous set). */
  get rangeCount(): number {
    return this.r.length >> 1;
  }

  get isEmpty(): boolean {
    return this.total === 0;
  }

  /** Smallest member, or -1 when empty. */
  get min(): number {
    return this.r.length === 0 ? -1 : this.r[0];
  }

  /** Largest member, or -1 when empty. */
  get max(): number {
    return this.r.length === 0 ? -1 : this.r[this.r.length - 1];
  }

  /** Adds v; returns false if it was already there. O(1) when v is at or after the end. */
  add(v: number): boolean {
    const r = this.r;
    const len = r.length;
    if (len === 0) {
      this.r = [v, v]; // exactly two slots: a first push would reserve 16 (most sets stay one range)
      this.total = 1;
      return true;
    }
    const lastHi = r[len - 1];
    if (v > lastHi) {
      if (v === lastHi + 1) r[len - 1] = v;
      else r.push(v, v);
      this.total++;
      return true;
    }
    if (v >= r[len - 2]) return false;
    return this.addRange(v, v) > 0;
  }

  /** Adds every integer of [lo, hi]; returns how many were new. */
  addRange(lo: number, hi: number): number {
    if (hi < lo) return 0;
    const r = this.r;
    const len = r.length;
    if (len === 0 || lo > r[len - 1] + 1) {
      if (len === 0) this.r = [lo, hi];
      else r.push(lo, hi);
      this.total += hi - lo + 1;
      return hi - lo + 1;
    }
    // first range that touches or follows [lo, hi]: its hi >= lo - 1
    const i = this.firstRangeEndingAtOrAfter(lo - 1);
    // ranges i..j-1 touch [lo, hi] (their lo <= hi + 1)
    let j = i;
    let covered = 0;
    let newLo = lo;
    let newHi = hi;
    while (j < len >> 1 && r[2 * j] <= hi + 1) {
      if (r[2 * j] < newLo) newLo = r[2 * j];
      if (r[2 * j + 1] > newHi) newHi = r[2 * j + 1];
      covered += r[2 * j + 1] - r[2 * j] + 1;
      j++;
    }
    const added = newHi - newLo + 1 - covered;
    if (j === i) r.splice(2 * i, 0, newLo, newHi);
    else if (j === i + 1) {
      r[2 * i] = newLo;
      r[2 * i + 1] = newHi;
    } else r.splice(2 * i, 2 * (j - i), newLo, newHi);
    this.total += added;
    return added;
  }

  has(v: number): boolean {
    const r = this.r;
    const len = r.length;
    if (len === 0 || v > r[len - 1]) return false;
    if (v >= r[len - 2]) return true;
    const i = this.firstRangeEndingAtOrAfter(v);
    return r[2 * i] <= v;
  }

  /** How many members lie in [lo, hi]. */
  countIn(lo: number, hi: number): number {
    let n = 0;
    const r = this.r;
    for (let i = lo <= this.min ? 0 : this.firstRangeEndingAtOrAfter(lo); i < r.length >> 1; i++) {
      const a = r[2 * i];
      if (a > hi) break;
      const b = r[2 * i + 1];
      n += Math.min(b, hi) - Math.max(a, lo) + 1;
    }
    return n;
  }

  /** Members of this set that are not in `other` (a new set). */
  subtract(other: IntervalSet): IntervalSet {
    const a = this.r;
    const b = other.r;
    const out = new IntervalSet();
    let j = 0;
    for (let i = 0; i < a.length; i += 2) {
      let lo = a[i];
      const hi = a[i + 1];
      while (j < b.length && b[j + 1] < lo) j += 2;
      let k = j;
      while (lo <= hi) {
        if (k >= b.length || b[k] > hi) {
          out.mergeAtEnd(lo, hi);
          break;
        }
        if (b[k] > lo) out.mergeAtEnd(lo, b[k] - 1);
        lo = b[k + 1] + 1;
        k += 2;
      }
    }
    return out;
  }

  /** Members of this set inside [lo, hi] (a new set). */
  intersectRange(lo: number, hi: number): IntervalSet {
    const out = new IntervalSet();
    if (hi < lo || this.r.length === 0) return out;
    const r = this.r;
    for (let i = lo <= this.min ? 0 : this.firstRangeEndingAtOrAfter(lo); i < r.length >> 1; i++) {
      const a = r[2 * i];
      if (a > hi) break;
      out.mergeAtEnd(Math.max(a, lo), Math.min(r[2 * i + 1], hi));
    }
    return out;
  }

  /** Members of both sets (a new set). */
  intersect(other: IntervalSet): IntervalSet {
    const a = this.r;
    const b = other.r;
    const out = new IntervalSet();
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const lo = Math.max(a[i], b[j]);
      const hi = Math.min(a[i + 1], b[j + 1]);
      if (lo <= hi) out.mergeAtEnd(lo, hi);
      if (a[i + 1] < b[j + 1]) i += 2;
      else j += 2;
    }
    return out;
  }

  /** Members of either set (a new set). */
  union(other: IntervalSet): IntervalSet {
    const a = this.r;
    const b = other.r;
    const out = new IntervalSet();
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      let lo: number;
      let hi: number;
      if (j >= b.length || (i < a.length && a[i] <= b[j])) {
        lo = a[i];
        hi = a[i + 1];
        i += 2;
      } else {
        lo = b[j];
        hi = b[j + 1];
        j += 2;
      }
      out.mergeAtEnd(lo, hi);
    }
    return out;
  }

  /** Calls fn(lo, hi) for every range, in order. */
  forEachRange(fn: (lo: number, hi: number) => void): void {
    const r = this.r;
    for (let i = 0; i < r.length; i += 2) fn(r[i], r[i + 1]);
  }

  *ranges(): IterableIterator<[number, number]> {
    const r = this.r;
    for (let i = 0; i < r.length; i += 2) yield [r[i], r[i + 1]];
  }

  /** The smallest `limit` members, ascending. */
  first(limit: number): number[] {
    const out: number[] = [];
    const r = this.r;
    for (let i = 0; i < r.length && out.length < limit; i += 2) {
      for (let v = r[i]; v <= r[i + 1] && out.length < limit; v++) out.push(v);
    }
    return out;
  }

  clone(): IntervalSet {
    const c = new IntervalSet();
    c.r = this.r.slice();
    c.total = this.total;
    return c;
  }

  /** Compact form: the flat [lo0, hi0, lo1, hi1, …] array (a copy). */
  toJSON(): number[] {
    return this.r.slice();
  }

  /** Rebuilds a set from toJSON's array; throws on anything that is not a valid range list. */
  static fromJSON(flat: readonly number[]): IntervalSet {
    if (!Array.isArray(flat) || flat.length % 2 !== 0) throw new Error('interval set: expected an even-length array of integers');
    const s = new IntervalSet();
    for (let i = 0; i < flat.length; i += 2) {
      const lo = flat[i];
      const hi = flat[i + 1];
      if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo < 0 || hi < lo) {
        throw new Error(`interval set: bad range [${lo}, ${hi}]`);
      }
      if (i > 0 && lo <= flat[i - 1] + 1) throw new Error(`interval set: ranges not sorted and disjoint at [${lo}, ${hi}]`);
      s.r.push(lo, hi);
      s.total += hi - lo + 1;
    }
    return s;
  }

  /** Builds a set from ascending values (duplicates allowed), in one pass. */
  static fromSorted(values: ArrayLike<number>): IntervalSet {
    const s = new IntervalSet();
    for (let i = 0; i < values.length; i++) s.add(values[i]);
    return s;
  }

  // --- internals ---

  /** Index of the first range whose hi >= v (ranges are sorted by hi too). */
  private firstRangeEndingAtOrAfter(v: number): number {
    const r = this.r;
    let lo = 0;
    let hi = r.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[2 * mid + 1] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Appends [lo, hi] where lo >= the last range's lo, merging overlap/adjacency. */
  private mergeAtEnd(lo: number, hi: number): void {
    const r = this.r;
    const len = r.length;
    if (len > 0 && lo <= r[len - 1] + 1) {
      if (hi > r[len - 1]) {
        this.total += hi - r[len - 1];
        r[len - 1] = hi;
      }
      return;
    }
    r.push(lo, hi);
    this.total += hi - lo + 1;
  }
}

// A publisher's rate over time when `stages:` give publish rates: piecewise linear from
// clients.publishRate (at the start of the ramp) to each stage's target, then held. Publish k
// (k = 0, 1, …) of a publisher happens when the expected count ∫rate reaches k + phase: a
// constant rate gives evenly spaced messages, a ramp spaces them closer and closer, and a
// rate of 0 publishes nothing until it rises again.
import type { StageSpec } from '../contracts/scenario';

interface Segment { startMs: number; endMs: number; fromRate: number; toRate: number; countBefore: number }

export class RateCurve {
  private readonly segments: Segment[] = [];
  private readonly holdRate: number;
  private readonly holdFromMs: number;
  private readonly holdCount: number;

  /** `baseRate`: messages per second at t = 0; each stage's publishRate is its target at its end. */
  constructor(baseRate: number, stages: readonly StageSpec[]) {
    let t = 0;
    let rate = baseRate;
    let count = 0;
    for (const s of stages) {
      const to = s.publishRate ?? rate;
      this.segments.push({ startMs: t, endMs: t + s.durationMs, fromRate: rate, toRate: to, countBefore: count });
      count += ((rate + to) / 2) * (s.durationMs / 1000);
      t += s.durationMs;
      rate = to;
    }
    this.holdFromMs = t;
    this.holdRate = rate;
    this.holdCount = count;
  }

  /** Messages per second at `tMs` (since the start of the ramp). */
  rateAt(tMs: number): number {
    for (const s of this.segments) {
      if (tMs < s.endMs) return s.fromRate + ((s.toRate - s.fromRate) * (Math.max(tMs, s.startMs) - s.startMs)) / (s.endMs - s.startMs);
    }
    return this.holdRate;
  }

  /** Expected messages of one publisher from 0 to `tMs`. */
  countAt(tMs: number): number {
    for (const s of this.segments) {
      if (tMs < s.endMs) {
        const dt = (Math.max(tMs, s.startMs) - s.startMs) / 1000;
        return s.countBefore + (s.fromRate + this.rateAt(tMs)) / 2 * dt;
      }
    }
    return this.holdCount + this.holdRate * ((tMs - this.holdFromMs) / 1000);
  }

  /** The first time (ms since the start of the ramp) at which countAt reaches `count`; Infinity if never. */
  timeOfCount(count: number): number {
    for (const s of this.segments) {
      const seconds = (s.endMs - s.startMs) / 1000;
      const inSegment = ((s.fromRate + s.toRate) / 2) * seconds;
      if (count > s.countBefore + inSegment) continue;
      // solve fromRate·x + (slope/2)·x² = need for x in seconds, slope in messages/s²
      const need = Math.max(0, count - s.countBefore);
      const slope = (s.toRate - s.fromRate) / seconds;
      const x = Math.abs(slope) < 1e-12
        ? (s.fromRate > 0 ? need / s.fromRate : 0)
        : (-s.fromRate + Math.sqrt(Math.max(0, s.fromRate * s.fromRate + 2 * slope * need))) / slope;
      return s.startMs + Math.min(seconds, Math.max(0, x)) * 1000;
    }
    if (this.holdRate <= 0) return Infinity;
    return this.holdFromMs + ((count - this.holdCount) / this.holdRate) * 1000;
  }
}

/** The curve of a scenario's clients, or null when no stage gives a publish rate. */
export function rateCurveOf(spec: { publishRate: number; stages?: readonly StageSpec[] }): RateCurve | null {
  if (!spec.stages?.some((s) => s.publishRate !== undefined)) return null;
  return new RateCurve(spec.publishRate, spec.stages);
}

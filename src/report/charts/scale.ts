// Axis scales and tick choice for the report's SVG charts.

export interface Scale {
  (v: number): number;          // domain value → pixel
  ticks: number[];
  kind: 'linear' | 'log';
}

/** Linear scale from [d0, d1] to [r0, r1] with "nice" ticks (1, 2, 5 × 10^k steps). */
export function linearScale(d0: number, d1: number, r0: number, r1: number, maxTicks = 6): Scale {
  if (!(d1 > d0)) d1 = d0 + 1;
  const step = niceStep((d1 - d0) / Math.max(1, maxTicks));
  const lo = Math.floor(d0 / step) * step;
  const hi = Math.ceil(d1 / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(round(v, step));
  const f = ((v: number) => r0 + ((v - lo) / (hi - lo || 1)) * (r1 - r0)) as Scale;
  f.ticks = ticks;
  f.kind = 'linear';
  return f;
}

/**
 * Log10 scale from the decade below d0 up to the first 1/2/5 × 10^k at or above d1 (both > 0),
 * so a 10.8 s maximum tops out at 20 s rather than 100 s. Ticks at each decade, plus 2 and 5
 * within it when the range spans few decades.
 */
export function logScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const lo = Math.floor(Math.log10(Math.max(d0, 1e-9)));
  const top = Math.max(niceCeil(Math.max(d1, 1e-9)), 10 ** (lo + 1));
  const hi = Math.log10(top);
  const span = hi - lo;
  const ticks: number[] = [];
  for (let k = lo; k <= Math.ceil(hi); k++) {
    for (const m of span <= 3.5 ? [1, 2, 5] : [1]) {
      const v = m * 10 ** k;
      if (v <= top * (1 + 1e-9)) ticks.push(Number(v.toPrecision(6)));
    }
  }
  if (ticks[ticks.length - 1] < top * (1 - 1e-9)) ticks.push(top);
  const f = ((v: number) => {
    const x = Math.log10(Math.max(v, 10 ** lo));
    return r0 + ((x - lo) / span) * (r1 - r0);
  }) as Scale;
  f.ticks = ticks;
  f.kind = 'log';
  return f;
}

/** The smallest 1, 2 or 5 × 10^k that is ≥ v. */
export function niceCeil(v: number): number {
  const mag = 10 ** Math.floor(Math.log10(v));
  const m = [1, 2, 5, 10].find((c) => c * mag >= v * (1 - 1e-12)) ?? 10;
  return Number((m * mag).toPrecision(6));
}

/** Latency axes: log when the values span more than ~1.7 decades, otherwise linear from 0. */
export function latencyScale(values: number[], extra: number[], r0: number, r1: number): Scale {
  const positive = [...values, ...extra].filter((v) => Number.isFinite(v) && v > 0);
  if (!positive.length) return linearScale(0, 1000, r0, r1);
  const min = Math.min(...positive);
  const max = Math.max(...positive);
  // 0.9 × min: a value exactly on a decade (the 100 ms target) is drawn above the axis, not on it.
  return max / min > 50 ? logScale(min * 0.9, max, r0, r1) : linearScale(0, max * 1.05, r0, r1, 5);
}

export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

/** Time axis ticks in seconds: steps of 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1 h. */
export function timeTicks(seconds: number, maxTicks = 10): number[] {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
  const step = steps.find((s) => seconds / s <= maxTicks) ?? 7200;
  const ticks: number[] = [];
  for (let t = 0; t <= seconds + 1e-9; t += step) ticks.push(t);
  return ticks;
}

const round = (v: number, step: number) => {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(digits));
};

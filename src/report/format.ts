// Number formatting shared by the console summary, the HTML report and JUnit: every number a
// person reads carries its unit, and the same value reads the same everywhere.

/** Latency in microseconds → "850µs", "12.3ms", "1.25s". null/NaN → "n/a". */
export function formatUs(us: number | null | undefined): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return 'n/a';
  const a = Math.abs(us);
  if (a < 1000) return `${trim(us, 0)}µs`;
  if (a < 1_000_000) return `${trim(us / 1000, a < 10_000 ? 2 : a < 100_000 ? 1 : 0)}ms`;
  if (a < 60_000_000) return `${trim(us / 1_000_000, 2)}s`;
  return formatDurationMs(us / 1000);
}

/** Latency in microseconds as milliseconds with 3 decimals max (machine-friendly summaries). */
export const usToMs = (us: number | null | undefined): number | null =>
  us === null || us === undefined || !Number.isFinite(us) ? null : Math.round(us) / 1000;

/** A duration in ms → "850ms", "12.5s", "2m 05s", "1h 02m". */
export function formatDurationMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return 'n/a';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${trim(s, s < 10 ? 2 : 1)}s`;
  const totalS = Math.round(s);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const rest = totalS % 60;
  return h > 0 ? `${h}h ${pad2(m)}m` : `${m}m ${pad2(rest)}s`;
}

/** A point on the run's clock (ms since start) → "12.0s", "1:05.0" past a minute. */
export function formatOffsetMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return 'n/a';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}:${((ms % 60_000) / 1000).toFixed(1).padStart(4, '0')}`;
}

/** "2025-03-01 10:15:00 UTC" — always UTC, so the same report comes out on every machine. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Integer counts with thin grouping: 1234567 → "1,234,567". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  const rounded = Math.abs(n) >= 100 || Number.isInteger(n) ? Math.round(n) : Math.round(n * 10) / 10;
  const [int, frac] = String(Math.abs(rounded)).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${rounded < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** Compact count for tight places (axis ticks): 1500 → "1.5k", 2000000 → "2M". */
export function formatCompact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9, 1)}G`;
  if (a >= 1e6) return `${trim(n / 1e6, 1)}M`;
  if (a >= 1e3) return `${trim(n / 1e3, 1)}k`;
  return trim(n, a < 10 && !Number.isInteger(n) ? 1 : 0);
}

/** A ratio 0..1 → "0.012%". */
export function formatRatio(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return 'n/a';
  const pct = r * 100;
  const digits = pct === 0 ? 0 : Math.abs(pct) >= 10 ? 1 : Math.abs(pct) >= 1 ? 2 : 3;
  return `${trim(pct, digits)}%`;
}

export type MetricUnit = 'us' | 'count' | 'ratio' | 'ms';

/** A threshold's measured value in its own unit. */
export function formatMetric(value: number | null | undefined, unit: MetricUnit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'no data';
  switch (unit) {
    case 'us': return formatUs(value);
    case 'ms': return formatUs(value * 1000);
    case 'ratio': return formatRatio(value);
    case 'count': return formatCount(value);
  }
}

function trim(n: number, digits: number): string {
  const fixed = n.toFixed(digits);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

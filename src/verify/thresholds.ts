// k6-style thresholds: "metric{tag:value}" → "< 100ms". Parsed when the scenario loads (so a
// typo fails before a 10-minute run, not after it) and evaluated against the run's metrics.
import { EXIT, UserError } from '../errors';
import type { IntegrityTotals, ThresholdVerdict } from '../report/results-schema';
import { didYouMean, pathText } from '../scenario/fields';
import type { ThresholdSpec } from '../scenario/types';

export type LatencyKind = 'latency' | 'connect' | 'reconnect' | 'continuity';
/** 'min' | 'max' | 'mean' | 'p50', 'p99', 'p99.9' … (the number after p is the percentile). */
export type LatencyStat = string;

export const LATENCY_KINDS: readonly LatencyKind[] = ['latency', 'connect', 'reconnect', 'continuity'];
export const PHASES = ['steady', 'fault', 'recovery'] as const;

/** Counter names a threshold (and MetricSource.counter) may use; `expected` feeds the rates. */
export const COUNTERS = [
  'loss', 'loss.silent', 'loss.announced', 'duplicates', 'reorders', 'phantoms', 'protocol_errors',
  'serial_conflicts', 'reconnects', 'delivered', 'published', 'acked', 'connects', 'expected',
] as const;
export type CounterName = (typeof COUNTERS)[number];

/** Rates are a counter divided by `expected`. */
export const RATES: Record<string, CounterName> = { 'loss.rate': 'loss', 'duplicates.rate': 'duplicates' };

/**
 * What the run code gives the evaluator. Implemented by the lead's run (live HDR histograms and
 * the integrity ledger) and by anything that re-reads a results.json.
 */
export interface MetricSource {
  /**
   * A statistic of one latency histogram, in MICROSECONDS, or null when it has no samples.
   * kind: latency (delivery) · connect · reconnect (drop → resubscribed) · continuity (drop → first resumed message).
   * stat: 'min' | 'max' | 'mean' | `p${percentile}` with the percentile as a number ('p50', 'p99', 'p99.9').
   * tags: {} for the whole run, or { phase: 'steady' | 'fault' | 'recovery' } (latency only).
   */
  latency(kind: LatencyKind, stat: LatencyStat, tags: Record<string, string>): number | null;
  /** A run total by CounterName; null (no such data) counts as 0, except `expected`. */
  counter(name: CounterName): number | null;
}

/**
 * The counter values of a run from its integrity totals and client statistics, so that every
 * MetricSource maps the names the same way.
 */
export function integrityCounter(
  name: CounterName,
  totals: IntegrityTotals,
  clients: { connects: number; reconnects: number },
): number {
  switch (name) {
    case 'loss': return totals.lost;
    case 'loss.silent': return totals.lostSilent;
    case 'loss.announced': return totals.lostAnnounced;
    case 'duplicates': return totals.duplicated;
    case 'reorders': return totals.reordered;
    case 'phantoms': return totals.phantom;
    case 'protocol_errors': return totals.protocolErrors;
    case 'serial_conflicts': return totals.serialConflicts;
    case 'reconnects': return clients.reconnects;
    case 'delivered': return totals.delivered;
    case 'published': return totals.published;
    case 'acked': return totals.acked;
    case 'connects': return clients.connects;
    case 'expected': return totals.expected;
  }
}

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type Measure =
  | { type: 'latency'; kind: LatencyKind; stat: LatencyStat }
  | { type: 'counter'; name: CounterName }
  | { type: 'rate'; name: CounterName };

export interface ParsedThreshold {
  expression: string;          // as written, trimmed
  condition: string;           // normalised, e.g. "< 100ms"
  metric: string;              // the expression without its tags, e.g. "latency.p99"
  tags: Record<string, string>;
  measure: Measure;
  op: Operator;
  limit: number;               // in the verdict's unit: µs, count or ratio
  unit: 'us' | 'count' | 'ratio';
  display: '' | 'us' | 'ms' | 's' | '%'; // how the condition was written, used to print the actual value
}

/** A threshold the user wrote wrongly; `problem` is the message without the field name. */
export class ThresholdError extends UserError {
  constructor(readonly expression: string, readonly problem: string, hint?: string) {
    super(`${pathText(['thresholds', expression])}: ${problem}`, EXIT.usage, hint);
    this.name = 'ThresholdError';
  }
}

const LATENCY_UNITS: Record<string, number> = { us: 1, 'µs': 1, ms: 1000, s: 1_000_000 };
const OPERATORS: readonly Operator[] = ['<=', '>=', '==', '!=', '<', '>'];

export function parseThreshold(expression: string, condition: string): ParsedThreshold {
  const expr = expression.trim();
  const fail = (problem: string, hint?: string): never => {
    throw new ThresholdError(expr, problem, hint);
  };
  const m = /^([A-Za-z0-9_.]+)\s*(?:\{([^{}]*)\})?$/.exec(expr);
  if (!m) fail(`"${expr}" is not a metric expression`, 'write it like latency.p99 or latency.p99{phase:steady}');
  const metric = m![1];
  const measure = parseMetric(metric, fail);
  const tags = parseTags(m![2], measure, fail);
  const { op, limit, unit, display, text } = parseCondition(condition, measure, fail);
  return { expression: expr, condition: text, metric, tags, measure, op, limit, unit, display };
}

function parseMetric(metric: string, fail: (p: string, h?: string) => never): Measure {
  if ((COUNTERS as readonly string[]).includes(metric)) return { type: 'counter', name: metric as CounterName };
  if (RATES[metric]) return { type: 'rate', name: RATES[metric] };
  const dot = metric.indexOf('.');
  const kind = metric.slice(0, dot) as LatencyKind;
  if (dot > 0 && LATENCY_KINDS.includes(kind)) {
    const stat = parseStat(metric.slice(dot + 1));
    if (!stat) fail(`"${metric.slice(dot + 1)}" is not a statistic of ${kind}`, 'use p50, p90, p95, p99, p99.9, p999, min, max or mean');
    return { type: 'latency', kind, stat: stat! };
  }
  const stats = ['p50', 'p90', 'p95', 'p99', 'p99.9', 'min', 'max', 'mean'];
  const known = [...LATENCY_KINDS.flatMap((k) => stats.map((s) => `${k}.${s}`)), ...COUNTERS, ...Object.keys(RATES)];
  const listed = [...LATENCY_KINDS.map((k) => `${k}.p99`), ...COUNTERS, ...Object.keys(RATES)].join(', ');
  return fail(`unknown metric "${metric}"`, didYouMean(metric, known) ?? `known: ${listed} (see docs/scenario-format.md)`);
}

/** p99 → p99, p99.9 / p999 → p99.9, p9999 → p99.99, min/max/mean as they are. */
function parseStat(stat: string): LatencyStat | null {
  if (stat === 'min' || stat === 'max' || stat === 'mean') return stat;
  const m = /^p(\d+)(?:\.(\d+))?$/.exec(stat);
  if (!m) return null;
  // "p999" is HDR shorthand for 99.9: digits past the second are decimals
  const percentile = m[2] !== undefined ? Number(`${m[1]}.${m[2]}`)
    : Number(m[1]) <= 100 ? Number(m[1]) : Number(`${m[1].slice(0, 2)}.${m[1].slice(2)}`);
  return percentile > 0 && percentile <= 100 ? `p${percentile}` : null;
}

function parseTags(text: string | undefined, measure: Measure, fail: (p: string, h?: string) => never): Record<string, string> {
  const tags: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return tags;
  for (const pair of text.split(',')) {
    const [key, value, extra] = pair.split(':').map((s) => s.trim());
    if (!key || !value || extra !== undefined) fail(`tag "${pair.trim()}" is not tag:value`, 'write it like {phase:steady}');
    if (key !== 'phase' || measure.type !== 'latency' || measure.kind !== 'latency') {
      fail(`tag "${key}" is not known here`, 'only latency.* takes a tag: {phase:steady|fault|recovery}');
    }
    if (!(PHASES as readonly string[]).includes(value)) fail(`phase "${value}" is not one of ${PHASES.join(', ')}`);
    if (key in tags) fail(`tag "${key}" is given twice`);
    tags[key] = value;
  }
  return tags;
}

function parseCondition(condition: unknown, measure: Measure, fail: (p: string, h?: string) => never) {
  const example = measure.type === 'latency' ? '"< 100ms"' : measure.type === 'rate' ? '"< 0.1%"' : '"== 0"';
  if (typeof condition !== 'string') return fail(`${JSON.stringify(condition)} is not a condition`, `write it like ${example}`);
  const m = /^\s*(<=|>=|==|!=|<|>|=)\s*([+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?)\s*([A-Za-zµ%]*)\s*$/.exec(condition);
  if (!m) return fail(`"${condition}" is not a condition`, `write an operator (< <= > >= == !=) and a number, like ${example}`);
  if (m[1] === '=') return fail(`"${condition}" uses "="`, 'write "==" to compare');
  const op = m[1] as Operator;
  const number = Number(m[2]);
  const written = m[3];
  const text = `${op} ${m[2]}${written}`;
  switch (measure.type) {
    case 'latency': {
      if (!written) return fail(`"${condition}" has no unit`, `latency thresholds need a unit (us, ms or s): "${op} ${m[2]}ms"`);
      const scale = LATENCY_UNITS[written];
      if (!scale) return fail(`"${written}" is not a time unit`, 'use us, ms or s');
      const display = (written === 'µs' ? 'us' : written) as ParsedThreshold['display'];
      return { op, limit: number * scale, unit: 'us' as const, display, text };
    }
    case 'counter':
      if (written) return fail(`"${condition}": counts take no unit`, `write "${op} ${m[2]}"`);
      return { op, limit: number, unit: 'count' as const, display: '' as const, text };
    case 'rate': {
      if (written && written !== '%') return fail(`"${written}" is not a unit for a rate`, 'write a fraction (0.001) or a percentage ("0.1%")');
      const limit = written === '%' ? number / 100 : number;
      if (limit < 0 || limit > 1) return fail(`"${condition}": a rate is a fraction of expected messages, 0 to 1`, 'write 0.001 or "0.1%"');
      return { op, limit, unit: 'ratio' as const, display: (written === '%' ? '%' : '') as ParsedThreshold['display'], text };
    }
  }
}

const compare: Record<Operator, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b,
  '>=': (a, b) => a >= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b,
};

/** One verdict per spec, in order. A spec that does not parse throws (it was checked at load). */
export function evaluateThresholds(specs: ThresholdSpec[], metrics: MetricSource): ThresholdVerdict[] {
  return specs.map((spec) => {
    const t = parseThreshold(spec.expression, spec.condition);
    const actual = measure(t.measure, t.tags, metrics);
    const pass = actual !== null && compare[t.op](actual, t.limit);
    const shownActual = actual === null ? 'no data' : formatValue(actual, t);
    return {
      expression: t.expression,
      condition: t.condition,
      metric: t.metric,
      tags: t.tags,
      actual,
      unit: t.unit,
      pass,
      message: `${t.expression} = ${shownActual} (${t.condition}) ${pass ? 'PASS' : 'FAIL'}`,
    };
  });
}

function measure(m: Measure, tags: Record<string, string>, metrics: MetricSource): number | null {
  const known = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  switch (m.type) {
    case 'latency':
      return known(metrics.latency(m.kind, m.stat, tags));
    case 'counter':
      // absent counters are zero (nothing of that kind happened), except the denominator
      return m.name === 'expected' ? known(metrics.counter(m.name)) : known(metrics.counter(m.name)) ?? 0;
    case 'rate': {
      const expected = known(metrics.counter('expected'));
      return expected ? (known(metrics.counter(m.name)) ?? 0) / expected : null;
    }
  }
}

/** The actual value in the unit the condition was written in: "12.4ms", "0.05%", "3". */
function formatValue(value: number, t: ParsedThreshold): string {
  const short = (v: number) => String(+v.toFixed(Math.abs(v) < 10 ? 3 : Math.abs(v) < 100 ? 2 : 1));
  switch (t.display) {
    case 'us': return `${Math.round(value)}us`;
    case 'ms': return `${short(value / 1000)}ms`;
    case 's': return `${short(value / 1_000_000)}s`;
    case '%': return `${short(value * 100)}%`;
    default: return t.unit === 'ratio' ? String(+value.toPrecision(3)) : String(value);
  }
}

// k6-style thresholds: "metric{tag:value}" → "< 100ms". Parsed when the scenario loads, so a
// typo fails before a 10-minute run, not after it; src/verify/thresholds.ts evaluates them.
import { EXIT, UserError } from '../util/errors';
import { COUNTERS, LATENCY_KINDS, PHASES, RATES, type CounterName, type LatencyKind, type LatencyStat } from '../contracts/metrics';
import { didYouMean, pathText } from './fields';

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


// Threshold evaluation: each parsed threshold against the run's metrics, one verdict each.
import type { IntegrityTotals, ThresholdVerdict } from '../contracts/results';
import type { ThresholdSpec } from '../contracts/scenario';
import type { CounterName, LatencyKind, LatencyStat } from '../contracts/metrics';
import { parseThreshold, type Measure, type Operator, type ParsedThreshold } from '../scenario/thresholds';

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
    case 'loss.in_session': return totals.lostInSession;
    case 'not_delivered': return totals.notDelivered;
    case 'reorders.publisher': return totals.reorderedN;
    case 'unconfirmed_streams': return totals.unconfirmedStreams;
    case 'scheduled': return totals.scheduled;
    case 'in_doubt': return totals.inDoubt;
    case 'unsent': return totals.unsent;
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

const compare: Record<Operator, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b,
  '>=': (a, b) => a >= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b,
};

/** One verdict per spec, in order. A spec that does not parse throws (it was checked at load). */
export function evaluateThresholds(specs: ThresholdSpec[], metrics: MetricSource, source: ThresholdVerdict['source'] = 'scenario'): ThresholdVerdict[] {
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
      source,
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

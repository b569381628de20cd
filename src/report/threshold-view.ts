// How a threshold verdict reads to a person: "measured 182ms, required < 100ms, 82ms over".
// The verdict itself (pass/fail) comes from src/verify; this only re-reads the condition
// to say by how much a failed one missed, in the metric's own unit.
import type { ThresholdVerdict } from '../contracts/results';
import { formatMetric, type MetricUnit } from './format';

export interface ThresholdView {
  name: string;          // "latency.p99{phase:steady}"
  measured: string;      // "182ms" or "no data"
  required: string;      // "< 100ms" as written
  miss?: string;         // failed only, when computable: "82ms over, 1.82×"
  pass: boolean;
}

const COND = /^\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*(us|µs|ms|s|%)?\s*$/;

/** The condition's bound converted to the verdict's unit, or null when it cannot be read. */
export function conditionBound(condition: string, unit: MetricUnit): { op: string; value: number } | null {
  const m = COND.exec(condition);
  if (!m) return null;
  const raw = Number(m[2]);
  const suffix = m[3];
  let value = raw;
  if (suffix === '%') value = unit === 'ratio' ? raw / 100 : raw;
  else if (suffix) {
    const us = suffix === 's' ? raw * 1e6 : suffix === 'ms' ? raw * 1e3 : raw;
    value = unit === 'ms' ? us / 1000 : unit === 'us' ? us : raw;
  }
  return { op: m[1], value };
}

export function viewThreshold(t: ThresholdVerdict): ThresholdView {
  const name = t.expression;
  const view: ThresholdView = { name, measured: formatMetric(t.actual, t.unit), required: t.condition.trim(), pass: t.pass };
  if (!t.pass) view.miss = missText(t);
  return view;
}

function missText(t: ThresholdVerdict): string | undefined {
  if (t.actual === null || !Number.isFinite(t.actual)) return 'no data was measured';
  const bound = conditionBound(t.condition, t.unit);
  if (!bound) return undefined;
  const diff = Math.abs(t.actual - bound.value);
  const amount = formatMetric(diff, t.unit);
  const factor = bound.value > 0 && t.actual > 0 ? `, ${(t.actual / bound.value).toFixed(2)}×` : '';
  switch (bound.op) {
    case '<': case '<=': return `${amount} over${factor}`;
    case '>': case '>=': return `${amount} under${factor}`;
    case '==': return `${amount} ${t.actual > bound.value ? 'over' : 'under'}${factor}`;
    case '!=': return `equals ${formatMetric(bound.value, t.unit)}`;
  }
  return undefined;
}

/** One line: "FAIL latency.p99{phase:steady}: measured 182ms, required < 100ms — 82ms over, 1.82×". */
export function thresholdLine(t: ThresholdVerdict): string {
  const v = viewThreshold(t);
  return `${v.pass ? 'PASS' : 'FAIL'} ${v.name}: measured ${v.measured}, required ${v.required}${v.miss ? ` — ${v.miss}` : ''}`;
}

// k6 spellings of a threshold, rewritten into chat-bench's own before it is parsed, so a k6
// user's habits work and everything downstream sees one form. Accepted (docs/scenario-format.md):
//   latency: "p(95)<500"          (k6's shape: aggregation in the condition) → latency.p95: "< 500ms"
//   latency.p(95): "<500"         (aggregation in the key)                  → latency.p95: "< 500ms"
//   aggregations p(N), avg, med, min, max on latency, connect, reconnect, continuity (tags kept);
//   loss: "count==0" → loss: "== 0" (any counter); loss: "rate<0.01" → loss.rate: "< 0.01" (loss, duplicates).
// A latency limit without a unit is in milliseconds, as in k6; in chat-bench's own form a unit
// stays required.
import { COUNTERS, LATENCY_KINDS, RATES } from '../contracts/metrics';

export interface ThresholdText { expression: string; condition: string }

const CONDITION = /^\s*(p\(\s*\d+(?:\.\d+)?\s*\)|avg|med|min|max|count|rate)\s*(<=|>=|==|!=|<|>|===)\s*(\S.*?)\s*$/;
const KEY = /^\s*([A-Za-z]+)(?:\.(p\(\s*\d+(?:\.\d+)?\s*\)|avg|med|min|max))?\s*(\{[^{}]*\})?\s*$/;

/** The chat-bench spelling of a k6-style threshold, or the input unchanged. */
export function fromK6(expression: string, condition: string): ThresholdText {
  const counter = expression.trim();
  if ((COUNTERS as readonly string[]).includes(counter)) {
    const c = CONDITION.exec(condition);
    const operator = c?.[2] === '===' ? '==' : c?.[2];
    if (c?.[1] === 'count') return { expression: counter, condition: `${operator} ${c[3]}` };
    if (c?.[1] === 'rate' && RATES[`${counter}.rate`]) return { expression: `${counter}.rate`, condition: `${operator} ${c[3]}` };
    return { expression, condition };
  }
  const key = KEY.exec(expression);
  if (!key) return { expression, condition };
  const [, metric, keyAggregation, tags = ''] = key;
  const isLatency = (LATENCY_KINDS as readonly string[]).includes(metric);
  if (keyAggregation) {
    if (!isLatency) return { expression, condition };
    return { expression: `${metric}.${statOf(keyAggregation)}${tags}`, condition: withMs(condition) };
  }
  const c = CONDITION.exec(condition);
  if (!c) return { expression, condition };
  const [, aggregation, op, limit] = c;
  const operator = op === '===' ? '==' : op;
  if (isLatency && !['count', 'rate'].includes(aggregation)) {
    return { expression: `${metric}.${statOf(aggregation)}${tags}`, condition: withMs(`${operator} ${limit}`) };
  }
  return { expression, condition };
}

/** p(95) → p95, p(99.9) → p99.9, avg → mean, med → p50. */
function statOf(aggregation: string): string {
  const p = /^p\(\s*(\d+(?:\.\d+)?)\s*\)$/.exec(aggregation);
  if (p) return `p${Number(p[1])}`;
  return aggregation === 'avg' ? 'mean' : aggregation === 'med' ? 'p50' : aggregation;
}

/** "<500" → "< 500ms"; a condition that already has a unit (or is no condition) is kept. */
function withMs(condition: string): string {
  const m = /^\s*(<=|>=|==|!=|<|>|===)\s*([+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?)\s*$/.exec(condition);
  if (!m) return condition;
  return `${m[1] === '===' ? '==' : m[1]} ${m[2]}ms`;
}

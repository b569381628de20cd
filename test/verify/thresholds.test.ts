import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/util/errors';
import type { IntegrityTotals } from '../../src/contracts/results';
import { COUNTERS, type CounterName, type LatencyKind } from '../../src/contracts/metrics';
import { parseThreshold } from '../../src/scenario/thresholds';
import { evaluateThresholds, integrityCounter, type MetricSource } from '../../src/verify/thresholds';

/** A MetricSource over fixed values: latency keyed "kind stat phase", counters by name. */
function source(latency: Record<string, number>, counters: Partial<Record<CounterName, number>>): MetricSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    latency(kind: LatencyKind, stat: string, tags: Record<string, string>) {
      const key = `${kind} ${stat}${tags.phase ? ` ${tags.phase}` : ''}`;
      asked.push(key);
      return latency[key] ?? null;
    },
    counter: (name) => counters[name] ?? null,
  };
}

const verdict = (expression: string, condition: string, metrics: MetricSource) =>
  evaluateThresholds([{ expression, condition }], metrics)[0];

function refuses(expression: string, condition: string, message: string, hint?: string | RegExp): void {
  assert.throws(() => parseThreshold(expression, condition), (e: unknown) => {
    assert.ok(e instanceof UserError, `expected UserError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, message);
    if (hint instanceof RegExp) assert.match(e.hint ?? '', hint);
    else if (hint !== undefined) assert.equal(e.hint, hint);
    return true;
  });
}

describe('parseThreshold', () => {
  test('latency metrics with stats, tags and units', () => {
    const t = parseThreshold('latency.p99{phase:steady}', '< 100ms');
    assert.deepEqual(
      { metric: t.metric, tags: t.tags, measure: t.measure, op: t.op, limit: t.limit, unit: t.unit, condition: t.condition },
      { metric: 'latency.p99', tags: { phase: 'steady' }, measure: { type: 'latency', kind: 'latency', stat: 'p99' }, op: '<', limit: 100_000, unit: 'us', condition: '< 100ms' },
    );
    const stat = (e: string) => (parseThreshold(e, '< 1s').measure as { stat: string }).stat;
    assert.equal(stat('latency.p999'), 'p99.9');
    assert.equal(stat('latency.p99.9'), 'p99.9');
    assert.equal(stat('latency.p9999'), 'p99.99');
    assert.equal(stat('latency.p50'), 'p50');
    assert.equal(stat('latency.p100'), 'p100');
    assert.equal(stat('connect.max'), 'max');
    assert.equal(stat('reconnect.min'), 'min');
    assert.equal(stat('continuity.mean'), 'mean');
    assert.equal(parseThreshold('latency.p50', '< 250us').limit, 250);
    assert.equal(parseThreshold('latency.p50', '< 250µs').limit, 250);
    assert.equal(parseThreshold('latency.p50', '<= 1.5s').limit, 1_500_000);
    assert.deepEqual(parseThreshold(' latency.mean { phase : fault } ', '>0ms').tags, { phase: 'fault' });
    assert.equal(parseThreshold('latency.max', '  >=   2ms ').condition, '>= 2ms');
  });

  test('counters and rates', () => {
    for (const name of COUNTERS) {
      const t = parseThreshold(name, '== 0');
      assert.deepEqual([t.measure, t.unit, t.limit], [{ type: 'counter', name }, 'count', 0]);
    }
    assert.deepEqual(parseThreshold('loss.rate', '< 0.1%').measure, { type: 'rate', name: 'loss' });
    assert.equal(parseThreshold('loss.rate', '< 0.1%').limit, 0.001);
    assert.equal(parseThreshold('duplicates.rate', '< 0.001').limit, 0.001);
    assert.equal(parseThreshold('duplicates.rate', '< 0.001').unit, 'ratio');
  });

  test('errors name the expression', () => {
    refuses('latency.p99', '< 100', 'thresholds["latency.p99"]: "< 100" has no unit', 'latency thresholds need a unit (us, ms or s): "< 100ms"');
    refuses('latency.p99', '< 100m', 'thresholds["latency.p99"]: "m" is not a time unit', 'use us, ms or s');
    refuses('latency.p98.5.1', '< 1s', 'thresholds["latency.p98.5.1"]: "p98.5.1" is not a statistic of latency', /p50, p90/);
    refuses('latency.p0', '< 1s', 'thresholds["latency.p0"]: "p0" is not a statistic of latency');
    refuses('latency.median', '< 1s', 'thresholds["latency.median"]: "median" is not a statistic of latency');
    refuses('latncy.p99', '< 1s', 'thresholds["latncy.p99"]: unknown metric "latncy.p99"', 'did you mean "latency.p99"?');
    refuses('throughput', '> 5', 'thresholds.throughput: unknown metric "throughput"', /^known: latency\.p99, connect\.p99/);
    refuses('latency', '< 1s', 'thresholds.latency: unknown metric "latency"');
    refuses('latency.p99{phase:warmup}', '< 1s', 'thresholds["latency.p99{phase:warmup}"]: phase "warmup" is not one of steady, fault, recovery');
    refuses('latency.p99{phase}', '< 1s', 'thresholds["latency.p99{phase}"]: tag "phase" is not tag:value', 'write it like {phase:steady}');
    refuses('latency.p99{phase:steady,phase:fault}', '< 1s', 'thresholds["latency.p99{phase:steady,phase:fault}"]: tag "phase" is given twice');
    refuses('connect.p99{phase:steady}', '< 1s', 'thresholds["connect.p99{phase:steady}"]: tag "phase" is not known here', /only latency/);
    refuses('loss{phase:fault}', '== 0', 'thresholds["loss{phase:fault}"]: tag "phase" is not known here');
    refuses('latency.p99{phase:steady', '< 1s', 'thresholds["latency.p99{phase:steady"]: "latency.p99{phase:steady" is not a metric expression');
    refuses('loss', '== 0ms', 'thresholds.loss: "== 0ms": counts take no unit', 'write "== 0"');
    refuses('loss', '0', 'thresholds.loss: "0" is not a condition', /operator/);
    refuses('loss', '= 0', 'thresholds.loss: "= 0" uses "="', 'write "==" to compare');
    refuses('loss', '== zero', 'thresholds.loss: "== zero" is not a condition');
    refuses('loss.rate', '< 0.1ms', 'thresholds["loss.rate"]: "ms" is not a unit for a rate');
    refuses('loss.rate', '< 5', 'thresholds["loss.rate"]: "< 5": a rate is a fraction of expected messages, 0 to 1', 'write 0.001 or "0.1%"');
    refuses('loss.rate', '< 200%', 'thresholds["loss.rate"]: "< 200%": a rate is a fraction of expected messages, 0 to 1');
  });
});

describe('evaluateThresholds', () => {
  const metrics = source(
    { 'latency p99 steady': 12_400, 'latency p99.9': 250_000, 'connect max': 800, 'continuity p50': 1_500_000 },
    { loss: 3, expected: 1000, duplicates: 0, reconnects: 12 },
  );

  test('latency in the unit of the condition, with tags passed through', () => {
    assert.equal(verdict('latency.p99{phase:steady}', '< 100ms', metrics).message, 'latency.p99{phase:steady} = 12.4ms (< 100ms) PASS');
    assert.equal(verdict('latency.p999', '< 100ms', metrics).message, 'latency.p999 = 250ms (< 100ms) FAIL');
    assert.equal(verdict('connect.max', '< 1000us', metrics).message, 'connect.max = 800us (< 1000us) PASS');
    assert.equal(verdict('continuity.p50', '<= 1s', metrics).message, 'continuity.p50 = 1.5s (<= 1s) FAIL');
    assert.ok(metrics.asked.includes('latency p99 steady') && metrics.asked.includes('latency p99.9'));
    const v = verdict('latency.p99{phase:steady}', '< 100ms', metrics);
    assert.deepEqual({ ...v, message: undefined }, {
      expression: 'latency.p99{phase:steady}', condition: '< 100ms', metric: 'latency.p99', tags: { phase: 'steady' },
      actual: 12_400, unit: 'us', pass: true, source: 'scenario', message: undefined,
    });
  });

  test('each operator passes and fails', () => {
    const cases: Array<[string, boolean]> = [
      ['< 4', true], ['< 3', false], ['<= 3', true], ['<= 2', false], ['> 2', true], ['> 3', false],
      ['>= 3', true], ['>= 4', false], ['== 3', true], ['== 0', false], ['!= 0', true], ['!= 3', false],
    ];
    for (const [condition, pass] of cases) {
      const v = verdict('loss', condition, metrics);
      assert.equal(v.pass, pass, condition);
      assert.equal(v.message, `loss = 3 (${condition}) ${pass ? 'PASS' : 'FAIL'}`);
    }
  });

  test('latency operators compare in microseconds across units', () => {
    assert.equal(verdict('latency.p99{phase:steady}', '< 12.4ms', metrics).pass, false);
    assert.equal(verdict('latency.p99{phase:steady}', '<= 12400us', metrics).pass, true);
    assert.equal(verdict('latency.p99{phase:steady}', '== 0.0124s', metrics).pass, true);
    assert.equal(verdict('latency.p99{phase:steady}', '> 0.0124s', metrics).pass, false);
  });

  test('missing latency data fails with "no data"; missing counters are 0', () => {
    const v = verdict('latency.p99{phase:fault}', '< 100ms', metrics);
    assert.deepEqual([v.pass, v.actual, v.message], [false, null, 'latency.p99{phase:fault} = no data (< 100ms) FAIL']);
    assert.equal(verdict('reconnect.p99', '> 0ms', metrics).message, 'reconnect.p99 = no data (> 0ms) FAIL');
    const zero = verdict('phantoms', '== 0', metrics);
    assert.deepEqual([zero.pass, zero.actual, zero.message], [true, 0, 'phantoms = 0 (== 0) PASS']);
    assert.equal(verdict('latency.p50', '< 1s', source({ 'latency p50': Number.NaN }, {})).message, 'latency.p50 = no data (< 1s) FAIL');
  });

  test('rates are fractions of expected; without expected there is no data', () => {
    assert.equal(verdict('loss.rate', '< 0.1%', metrics).message, 'loss.rate = 0.3% (< 0.1%) FAIL');
    assert.equal(verdict('loss.rate', '<= 0.003', metrics).message, 'loss.rate = 0.003 (<= 0.003) PASS');
    assert.equal(verdict('duplicates.rate', '== 0', metrics).message, 'duplicates.rate = 0 (== 0) PASS');
    const none = verdict('loss.rate', '< 1%', source({}, { loss: 0 }));
    assert.deepEqual([none.pass, none.actual, none.unit, none.message], [false, null, 'ratio', 'loss.rate = no data (< 1%) FAIL']);
    assert.equal(verdict('loss.rate', '< 1%', source({}, { expected: 0 })).actual, null);
  });

  test('verdicts come back in order, one per spec; a bad spec throws a UserError', () => {
    const all = evaluateThresholds([
      { expression: 'loss', condition: '== 0' }, { expression: 'reconnects', condition: '> 0' }, { expression: 'duplicates', condition: '== 0' },
    ], metrics);
    assert.deepEqual(all.map((v) => [v.expression, v.pass]), [['loss', false], ['reconnects', true], ['duplicates', true]]);
    assert.throws(() => evaluateThresholds([{ expression: 'nope', condition: '== 0' }], metrics), UserError);
  });
});

describe('integrityCounter', () => {
  test('maps every counter name to the results totals', () => {
    const totals: IntegrityTotals = {
      published: 1, acked: 2, expected: 3, delivered: 4, deliveriesTotal: 5, lost: 6, lostSilent: 7, lostAnnounced: 8,
      duplicated: 9, reordered: 10, phantom: 11, unackedDelivered: 12, serialConflicts: 13, protocolErrors: 14,
      scheduled: 17, inDoubt: 18, unsent: 19, lostInSession: 20, notDelivered: 21, reorderedN: 22, unconfirmedStreams: 23,
    };
    const clients = { connects: 15, reconnects: 16 };
    const got = Object.fromEntries(COUNTERS.map((n) => [n, integrityCounter(n, totals, clients)]));
    assert.deepEqual(got, {
      loss: 6, 'loss.silent': 7, 'loss.announced': 8, duplicates: 9, reorders: 10, phantoms: 11, protocol_errors: 14,
      serial_conflicts: 13, reconnects: 16, delivered: 4, published: 1, acked: 2, connects: 15, expected: 3,
      scheduled: 17, in_doubt: 18, unsent: 19, 'loss.in_session': 20, not_delivered: 21, 'reorders.publisher': 22,
      unconfirmed_streams: 23,
    });
  });
});

// Thresholds inside a scenario: one ThresholdSpec per condition, each checked at load time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/scenario/parse';
import { refuses, scenarioWith } from './support';

const thresholdsOf = (thresholds: unknown) => parseScenario(scenarioWith({ thresholds }), 't.yaml').thresholds;

describe('scenario thresholds', () => {
  test('one spec per condition, arrays expanded in order, text trimmed', () => {
    assert.deepEqual(thresholdsOf({
      'latency.p99{phase:steady}': '< 100ms',
      loss: ' == 0 ',
      'latency.p50': ['< 20ms', '> 0us'],
    }), [
      { expression: 'latency.p99{phase:steady}', condition: '< 100ms' },
      { expression: 'loss', condition: '== 0' },
      { expression: 'latency.p50', condition: '< 20ms' },
      { expression: 'latency.p50', condition: '> 0us' },
    ]);
    assert.deepEqual(thresholdsOf({}), []);
  });

  test('a bad metric or condition fails at load time naming the key', () => {
    refuses(scenarioWith({ thresholds: { 'latency.p99{phase:steady}': '< 100' } }), 'thresholds["latency.p99{phase:steady}"]: "< 100" has no unit', /"< 100ms"/);
    refuses(scenarioWith({ thresholds: { lossy: '== 0' } }), 'thresholds.lossy: unknown metric "lossy"', 'did you mean "loss"?');
    refuses(scenarioWith({ thresholds: { loss: 0 } }), 'thresholds.loss: 0 is not a condition', 'write it as text with an operator, e.g. "== 0"');
    refuses(scenarioWith({ thresholds: { loss: '= 0' } }), 'thresholds.loss: "= 0" uses "="', 'write "==" to compare');
    refuses(scenarioWith({ thresholds: { 'latency.p50': ['< 20ms', '< 20'] } }), 'thresholds["latency.p50"][1]: "< 20" has no unit');
    refuses(scenarioWith({ thresholds: { loss: [] } }), 'thresholds.loss: has no condition');
    refuses(scenarioWith({ thresholds: { 'latency.p99{region:eu}': '< 1s' } }), 'thresholds["latency.p99{region:eu}"]: tag "region" is not known here');
    refuses(scenarioWith({ thresholds: ['loss == 0'] }), 'thresholds: ["loss == 0"] is not a mapping');
  });
});

// Time to recover is shown wherever a run is read: the console summary and the HTML report.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummary } from '../../src/report/console';
import { renderHtmlReport } from '../../src/report/html';
import type { ResultsV1 } from '../../src/contracts/results';
import { makeSyntheticResults } from '../support/synthetic-results';

function withRecovery(): ResultsV1 {
  const r = makeSyntheticResults({ seed: 3 });
  r.recovery = {
    baseline: { p99Us: 25_000, reconnectsPerSec: 0, seconds: 12, fromTarget: false },
    maxMs: 30_000,
    windows: [
      { afterFaults: ['down clients:node-1'], startMs: 15_000, endMs: 17_000, timeToRecoverMs: 2000, endedBy: 'baseline' },
      { afterFaults: ['kill node:node-2'], startMs: 30_000, endMs: 60_000, timeToRecoverMs: null, endedBy: 'maximum' },
    ],
  };
  return r;
}

describe('time to recover in the reports', () => {
  test('console summary: per fault period, with the baseline', () => {
    const text = formatSummary(withRecovery());
    assert.match(text, /recovery\s+down clients:node-1 → 2s · kill node:node-2 → not recovered \(maximum after 30s\) \(baseline p99 25(\.0)?ms, 0 reconnects\/s\)/);
    assert.doesNotMatch(formatSummary(makeSyntheticResults({ seed: 3 })), /recovery /, 'no row for results without recovery');
  });

  test('HTML report: a time-to-recover table', () => {
    const html = renderHtmlReport(withRecovery());
    assert.match(html, /<h3>Time to recover<\/h3>/);
    assert.match(html, /id="recovery"/);
    assert.match(html, /not recovered/);
    assert.match(html, /Baseline \(median of 12 steady seconds before the first fault\)/);
  });
});

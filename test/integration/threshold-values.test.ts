// A threshold never disagrees with the number printed beside it: on one real run, every
// latency threshold's value is the summary value the report shows for that statistic, and the
// console and the HTML print the same text for it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSummary } from '../../src/report/console';
import { formatUs } from '../../src/report/format';
import { renderHtmlReport } from '../../src/report/html';
import { viewThreshold } from '../../src/report/threshold-view';
import { runSmall } from './support';

test('threshold values equal the values shown in the console and the HTML report', async () => {
  const thresholds = {
    'latency.min': '>= 0ms', 'latency.p50': '< 3600s', 'latency.p90': '< 3600s', 'latency.p99': '< 3600s', 'latency.p99.9': '< 3600s',
    'latency.max': '< 3600s', 'latency.mean': '< 3600s', 'connect.max': '< 3600s', 'reconnect.p99': '< 3600s', delivered: '>= 1',
  };
  const { results } = await runSmall({ thresholds, faults: [{ at: '1500ms', for: '1s', target: 'clients:node-2', action: 'down' }] });
  const l = results.latency.overall;
  const shown: Record<string, number> = {
    'latency.min': l.minUs, 'latency.p50': l.p50Us, 'latency.p90': l.p90Us, 'latency.p99': l.p99Us, 'latency.p99.9': l.p999Us,
    'latency.max': l.maxUs, 'latency.mean': l.meanUs, 'connect.max': results.latency.connect.maxUs,
    'reconnect.p99': results.latency.reconnect.p99Us, delivered: results.totals.delivered,
  };
  const console = formatSummary(results);
  const html = renderHtmlReport(results);
  for (const [expression, value] of Object.entries(shown)) {
    const v = results.thresholds.find((t) => t.expression === expression && t.source === 'scenario');
    assert.ok(v, `verdict for ${expression}`);
    assert.equal(v.actual, value, `${expression}: the threshold judged ${v.actual}, the report shows ${value}`);
    const text = viewThreshold(v).measured;
    if (v.unit === 'us') assert.equal(text, formatUs(value), expression);
    assert.ok(console.includes(text), `console shows ${expression} as ${text}`);
    assert.ok(html.includes(text), `HTML shows ${expression} as ${text}`);
  }
  assert.ok(l.maxUs > 0 && l.p50Us > 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJsonSummary, formatSummary } from '../../src/report/console';
import { formatUs, formatCount, formatDurationMs } from '../../src/report/format';
import { makeSyntheticResults } from '../support/synthetic-results';

test('units: µs → ms/s formatting and counts', () => {
  assert.equal(formatUs(850), '850µs');
  assert.equal(formatUs(1234), '1.23ms');
  assert.equal(formatUs(12_340), '12.3ms');
  assert.equal(formatUs(100_000), '100ms');
  assert.equal(formatUs(2_500_000), '2.5s');
  assert.equal(formatUs(null), 'n/a');
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatDurationMs(75_000), '1m 15s');
});

test('console summary: totals, latency with units, every threshold with measured vs required, verdict', () => {
  const results = makeSyntheticResults();
  const out = formatSummary(results);
  assert.ok(!out.includes('\x1b['), 'no colour codes unless asked');
  assert.match(out, /target 2,000 · max connected 2,000 · reconnects 690/);
  assert.match(out, /published  [\d,]+ of [\d,]+ scheduled · acked [\d,]+/);
  assert.match(out, /delivered  [\d,]+ of [\d,]+ owed/);
  assert.match(out, /lost 34 \(silent 13, announced 21, inside a live session 0\) · dup 2 · reordered 1 · phantom 0/);
  assert.match(out, /p50 \d[\d.]*(µs|ms) · p90 .+ · p99 .+ · p99\.9 .+ · max \d[\d.]*(ms|s)/);
  assert.match(out, /PASS {2}latency\.p99\{phase:steady\} +7\.9ms {2}required < 100ms/);
  assert.match(out, /FAIL {2}latency\.p99\{phase:fault\} +412ms {2}required < 250ms {2}162ms over, 1\.65×/);
  assert.match(out, /FAIL {2}loss +34 {2}required == 0/);
  assert.match(out, /warning: fault "reset_peer on clients:node-3"/);
  const last = out.trimEnd().split('\n').pop()!;
  assert.equal(last, 'FAIL — latency.p99{phase:fault}, loss, duplicates, reorders (4 of 6 checks failed), 37 integrity defects (exit 1)');
});

test('console summary: colour only when asked; a clean run ends with PASS', () => {
  const results = makeSyntheticResults({ failing: false });
  const plain = formatSummary(results);
  assert.equal(plain.trimEnd().split('\n').pop(), `PASS — all ${results.thresholds.length} checks met (exit 0)`);
  const colored = formatSummary(results, { color: true });
  assert.ok(colored.includes('\x1b[32mPASS\x1b[0m'));
  assert.equal(colored.replace(/\x1b\[\d+m/g, ''), plain, 'colour changes nothing but the escapes');
});

test('JSON summary: one line, stable keys, latency in ms, thresholds pass/fail', () => {
  const results = makeSyntheticResults();
  const text = formatJsonSummary(results);
  assert.ok(!text.includes('\n'), 'a single line');
  const s = JSON.parse(text);
  assert.deepEqual(Object.keys(s), ['schema', 'runId', 'scenario', 'verdict', 'exitCode', 'durationMs', 'clients', 'totals', 'latencyMs', 'thresholds']);
  assert.equal(s.verdict, 'fail');
  assert.equal(s.exitCode, 1);
  assert.equal(s.totals.lost, 34);
  assert.equal(s.latencyMs.p50, results.latency.overall.p50Us / 1000);
  assert.equal(s.latencyMs.max, results.latency.overall.maxUs / 1000);
  assert.deepEqual(s.thresholds.map((t: { pass: boolean }) => t.pass), results.thresholds.map((t) => t.pass));
  assert.equal(formatJsonSummary(results), text, 'same input, same bytes');
});

// The HTML report as text: self-contained, escaped, deterministic. (Rendering is checked in Chromium
// by html-chromium.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHtmlReport } from '../../src/report/html';
import { bucketSeries } from '../../src/report/html-charts';
import { formatSummary } from '../../src/report/console';
import { makeSyntheticResults } from '../support/synthetic-results';

test('HTML: self-contained — no external URL, no link/src to anything but inline data', () => {
  const html = renderHtmlReport(makeSyntheticResults());
  const urls = html.match(/\b(?:https?:|wss?:|ftp:)\/\/[^\s"'<>)]*/g) ?? [];
  assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg'], 'only the SVG namespace, which is never fetched');
  assert.ok(!/<(?:img|iframe|object|embed|video|audio|source)\b/i.test(html));
  assert.ok(!/\bsrc\s*=/.test(html), 'no src attribute anywhere');
  assert.ok(!/@import|url\((?!#)/.test(html), 'CSS loads nothing (only url(#pattern) references)');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  assert.equal((html.match(/<script>/g) ?? []).length, 1, 'one inline script (table sorting)');
});

test('HTML: verdict banner names each failed threshold with measured vs required', () => {
  const html = renderHtmlReport(makeSyntheticResults());
  assert.match(html, /<header class="banner fail"/);
  assert.match(html, /✘ FAIL<\/span><span class="verdict-text">4 of 6 checks failed/);
  assert.match(html, /<code>latency\.p99\{phase:fault\}<\/code> measured <strong>412ms<\/strong>, required &lt; 250ms — 162ms over, 1\.65×/);
  const clean = renderHtmlReport(makeSyntheticResults({ failing: false }));
  assert.match(clean, /<header class="banner pass"/);
  assert.match(clean, /✔ PASS<\/span><span class="verdict-text">all 6 checks met/);
});

test('HTML: every string from results is escaped', () => {
  const html = renderHtmlReport(makeSyntheticResults({ hostile: true }));
  assert.ok(!html.includes('<script>window.__pwned'), 'no injected script');
  assert.ok(!html.includes('<img src=x'), 'no injected element');
  assert.ok(!/<\/svg>\]\]>/.test(html), 'cannot close an SVG early');
  assert.ok(html.includes('&lt;script&gt;window.__pwned=1&lt;/script&gt;'), 'shown as text instead');
  assert.equal((html.match(/<script>/g) ?? []).length, 1);
});

test('HTML: deterministic, with every section and chart present', () => {
  const results = makeSyntheticResults();
  const html = renderHtmlReport(results);
  assert.equal(renderHtmlReport(makeSyntheticResults()), html);
  for (const id of ['chart-latency', 'chart-percentiles', 'chart-clients', 'chart-reconnects', 'chart-deliveries', 'chart-publishes', 'chart-lost']) {
    assert.ok(html.includes(`<figure class="chart" id="${id}">`), id);
  }
  for (const section of ['s-thresholds', 's-latency', 's-clients', 's-throughput', 's-integrity', 's-timeline', 's-scenario']) {
    assert.ok(html.includes(`<section id="${section}">`), section);
  }
  for (const kind of ['Lost: 34', 'Duplicated: 2', 'Reordered: 1', 'Phantom: 0']) assert.ok(html.includes(`<h3>${kind}</h3>`), kind);
  assert.match(html, /<pre class="scenario">name: partition-heal\n/);
});

test('HTML: an hour-long series is bucketed to at most 600 points, keeping the worst latency', () => {
  const results = makeSyntheticResults({ seconds: 3600 });
  const { bucketS, buckets } = bucketSeries(results.series);
  assert.equal(bucketS, 6);
  assert.equal(buckets.length, 600);
  const worst = Math.max(...results.series.map((s) => s.latency.p99Us));
  assert.equal(Math.max(...buckets.map((b) => b.p99 ?? 0)), worst);
  const html = renderHtmlReport(results);
  assert.ok(html.length < 1_500_000, `report stays small: ${html.length} bytes`);
});

test('HTML and console: a run that recorded nothing (interrupted at once) still renders, without NaN', () => {
  const results = makeSyntheticResults({ failing: false });
  const empty = { count: 0, minUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0, meanUs: 0 };
  Object.assign(results, { series: [], channels: [], examples: [], thresholds: [], timeline: [], verdict: 'fail', exitCode: 130, scenario: null });
  results.latency = { overall: empty, phases: {}, connect: empty, reconnect: empty, continuity: empty, percentiles: [] };
  const html = renderHtmlReport(results);
  const visible = html.replace(/<script>[\s\S]*?<\/script>/, '');
  assert.ok(!/NaN|Infinity|undefined/.test(visible), 'no NaN/Infinity/undefined shown');
  assert.match(html, /no checks · guarantee exactly-once-ordered · run was interrupted/);
  assert.match(html, /no data recorded/);
  const summary = formatSummary(results);
  assert.match(summary, /latency +no deliveries recorded/);
  assert.equal(summary.split('\n').pop(), 'FAIL — no checks, run interrupted (exit 130)');
});

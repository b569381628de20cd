// report.html as a person sees it: rendered by headless Chromium, charts measured in the DOM, every
// request recorded (there must be none but the file itself), a screenshot and a PDF printed.
// Output is kept for people to look at: reports/test-report-html/{report.html,report.png,…}.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeReports } from '../../src/report/write';
import { Chromium, chromiumUnavailable, pngSize } from '../support/chromium';
import { makeSyntheticResults } from '../support/synthetic-results';

const outDir = resolve(__dirname, '../../../reports/test-report-html');
const unavailable = chromiumUnavailable();
let browser: Chromium | undefined;
let htmlPath = '';
let hostilePath = '';

before(async () => {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  htmlPath = (await writeReports(makeSyntheticResults(), outDir)).htmlPath;
  hostilePath = (await writeReports(makeSyntheticResults({ hostile: true }), join(outDir, 'hostile'))).htmlPath;
  if (!unavailable) browser = await Chromium.launch();
});

after(async () => {
  await browser?.close();
});

interface ChartInfo { id: string; width: number; height: number; paths: number[]; bars: number; bands: number; instants: number }

test('Chromium: every chart is drawn with real geometry', async (t) => {
  if (!browser) return t.skip(unavailable!);
  const page = await browser.open(htmlPath, { width: 1280, height: 900 });
  const charts = await page.evaluate<ChartInfo[]>(`Array.from(document.querySelectorAll('figure.chart')).map((f) => {
    const svg = f.querySelector('svg.chart-svg');
    const box = svg.getBoundingClientRect();
    return {
      id: f.id, width: box.width, height: box.height,
      paths: Array.from(svg.querySelectorAll('path.series')).map((p) => p.getTotalLength()),
      bars: Array.from(svg.querySelectorAll('g.bars rect')).filter((r) => r.getBBox().height > 0 && r.getBBox().width > 0).length,
      bands: Array.from(svg.querySelectorAll('g.band rect')).filter((r) => r.getBBox().width > 0).length,
      instants: svg.querySelectorAll('g.instant line').length,
    };
  })`);
  const byId = new Map(charts.map((c) => [c.id, c]));
  assert.deepEqual([...byId.keys()].sort(), ['chart-clients', 'chart-deliveries', 'chart-latency', 'chart-lost', 'chart-percentiles', 'chart-publishes', 'chart-reconnects']);
  for (const c of charts) {
    assert.ok(c.width > 300 && c.height > 100, `${c.id} has a size: ${c.width}×${c.height}`);
    assert.ok(c.paths.length + c.bars > 0, `${c.id} draws something`);
    for (const len of c.paths) assert.ok(len > 50, `${c.id}: every series line has length (${len})`);
  }
  const latency = byId.get('chart-latency')!;
  assert.equal(latency.paths.length, 3, 'p50, p99, max');
  assert.equal(latency.bands, 3, 'three fault windows shaded');
  assert.equal(latency.instants, 1, 'the instantaneous fault drawn as a line');
  assert.ok(byId.get('chart-percentiles')!.paths.length >= 2, 'whole run plus phase curves');
  assert.ok(byId.get('chart-reconnects')!.bars > 3);
  assert.ok(byId.get('chart-lost')!.bars > 0);
  assert.deepEqual(page.problems, [], 'no script error, no CSP violation');
  await page.close();
});

test('Chromium: the page makes no network request at all (only the file itself)', async (t) => {
  if (!browser) return t.skip(unavailable!);
  const page = await browser.open(htmlPath, { width: 1280, height: 900 });
  // Hover and sort so lazy behaviour, if any existed, would have fired too.
  await page.evaluate(`document.querySelector('#channels thead th button').click()`);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(page.requests.map((r) => r.url), [pathToFileURL(htmlPath).href]);
  assert.equal(page.requests[0].type, 'Document');
  await page.close();
});

test('Chromium: screenshot and PDF of the report (kept next to it)', async (t) => {
  if (!browser) return t.skip(unavailable!);
  const page = await browser.open(htmlPath, { width: 1280, height: 900 });
  const png = await page.screenshot(join(outDir, 'report.png'));
  const size = pngSize(png);
  assert.equal(size.width, 1280);
  assert.ok(size.height > 3000, `a full-page capture (${size.height}px)`);
  const narrow = await browser.open(htmlPath, { width: 400, height: 800 });
  const overflow = await narrow.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  assert.ok(overflow <= 0, `readable in a 400px window without sideways page scroll (overflow ${overflow}px)`);
  await narrow.screenshot(join(outDir, 'report-narrow.png'));
  await page.setViewport({ width: 794, height: 1123, media: 'print' });
  assert.equal(await page.evaluate(`getComputedStyle(document.querySelector('nav.toc')).display`), 'none', 'print CSS applies');
  const { data } = await page.send<{ data: string }>('Page.printToPDF', { printBackground: true, preferCSSPageSize: true });
  const pdf = Buffer.from(data, 'base64');
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  await import('node:fs/promises').then((fs) => fs.writeFile(join(outDir, 'report.pdf'), pdf));
  assert.deepEqual([...page.problems, ...narrow.problems], []);
  await narrow.close();
  await page.close();
});

test('Chromium: per-channel table sorts by clicking headers, worst first by default', async (t) => {
  if (!browser) return t.skip(unavailable!);
  const page = await browser.open(htmlPath, { width: 1280, height: 900 });
  const column = (i: number) => page.evaluate<string[]>(`Array.from(document.querySelectorAll('#channels tbody tr')).map((r) => r.cells[${i}].textContent)`);
  const heads = await page.evaluate<string[]>(`Array.from(document.querySelectorAll('#channels thead th')).map((h) => h.textContent)`);
  const defects = heads.indexOf('defects');
  const lostSilent = heads.indexOf('lost silent');
  const initial = (await column(defects)).map(Number);
  assert.deepEqual(initial, [...initial].sort((a, b) => b - a), 'worst first');
  assert.ok(initial[0] > 0);
  await page.evaluate(`document.querySelectorAll('#channels thead th button')[0].click()`);
  const names = await column(0);
  assert.deepEqual(names, [...names].sort(), 'first click on a text column: A→Z');
  assert.equal(await page.evaluate(`document.querySelectorAll('#channels thead th')[0].getAttribute('aria-sort')`), 'ascending');
  await page.evaluate(`document.querySelectorAll('#channels thead th button')[${lostSilent}].click()`);
  const lost = (await column(lostSilent)).map((s) => Number(s.replace(/,/g, '')));
  assert.deepEqual(lost, [...lost].sort((a, b) => b - a), 'first click on a number column: largest first');
  await page.evaluate(`document.querySelectorAll('#channels thead th button')[${lostSilent}].click()`);
  const lostAsc = (await column(lostSilent)).map((s) => Number(s.replace(/,/g, '')));
  assert.deepEqual(lostAsc, [...lostAsc].sort((a, b) => a - b), 'second click reverses');
  await page.close();
});

test('Chromium: hostile strings in results stay text (no injected script or element)', async (t) => {
  if (!browser) return t.skip(unavailable!);
  const page = await browser.open(hostilePath, { width: 1280, height: 900 });
  assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
  assert.equal(await page.evaluate('document.querySelectorAll("img").length'), 0);
  assert.equal(await page.evaluate('document.scripts.length'), 1);
  assert.match(await page.evaluate<string>('document.querySelector("h1.title").textContent'), /<script>window\.__pwned=1<\/script>/);
  assert.equal(page.requests.length, 1, 'the injected <img src=x> fetched nothing');
  await page.close();
});

// The HTML report of a REAL run, as a person sees it: a run with a network fault and a
// deliberate loss (broker fault mode drop), rendered in headless Chromium. The charts must
// be drawn, the page must fetch nothing but itself, and a screenshot is kept in the run folder.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { writeReports, regenerateReport } from '../../src/report/write';
import { Chromium, chromiumUnavailable, pngSize } from '../support/chromium';
import { runSmall } from './support';

let browser: Chromium | undefined;
after(async () => { await browser?.close(); });

test('report.html of a real run with a fault and a loss: charts drawn, no network, screenshot saved', async (t) => {
  const { results, runDir, exitCode } = await runSmall({
    cluster: { runtime: 'local', nodes: 3, durable: true, misbehaviour: { mode: 'drop', rate: 0.02 } },
    duration: '6s', drain: '4s',
    faults: [
      { at: '2s', for: '2s', target: 'clients:node-1', toxic: 'latency', attributes: { latency: 150 } },
      { at: '2500ms', for: '1s', target: 'clients:node-2', action: 'down' },
    ],
  });
  assert.equal(exitCode, 1);
  assert.ok(results.totals.lostSilent > 0);
  const { htmlPath, resultsPath } = await writeReports(results, runDir);
  const html = readFileSync(htmlPath, 'utf8');
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org)/, 'no absolute URL other than SVG namespaces');
  assert.match(html, /FAIL/);
  assert.match(html, /latency latency=150 on clients:node-1/);

  // `chat-bench report` on the results.json reproduces the same page.
  const again = await regenerateReport(resultsPath, join(runDir, 'again.html'));
  assert.equal(readFileSync(again, 'utf8'), html);

  const unavailable = chromiumUnavailable();
  if (unavailable) return t.skip(unavailable);
  browser = await Chromium.launch();
  const page = await browser.open(htmlPath, { width: 1280, height: 900 });
  const drawn = await page.evaluate<Array<{ id: string; w: number; h: number; marks: number }>>(`Array.from(document.querySelectorAll('figure.chart')).map((f) => {
    const svg = f.querySelector('svg');
    const box = svg.getBoundingClientRect();
    const lines = Array.from(svg.querySelectorAll('path.series')).filter((p) => p.getTotalLength() > 10).length;
    const bars = Array.from(svg.querySelectorAll('g.bars rect')).filter((r) => r.getBBox().height > 0).length;
    return { id: f.id, w: box.width, h: box.height, marks: lines + bars };
  })`);
  assert.ok(drawn.length >= 5, JSON.stringify(drawn));
  for (const c of drawn) {
    assert.ok(c.w > 200 && c.h > 80, `${c.id} has a size`);
    assert.ok(c.marks > 0, `${c.id} drew something: ${JSON.stringify(c)}`);
  }
  const bands = await page.evaluate<number>(`document.querySelectorAll('#chart-latency g.band rect').length`);
  assert.ok(bands >= 2, 'the fault window is shaded on the latency chart');
  assert.deepEqual(page.requests.map((r) => r.url), [pathToFileURL(htmlPath).href], 'no request but the page itself');
  const shot = join(runDir, 'report.png');
  const png = await page.screenshot(shot, { fullPage: true });
  assert.ok(existsSync(shot));
  const size = pngSize(png);
  assert.ok(size.width >= 1000 && size.height > 900, JSON.stringify(size));
});

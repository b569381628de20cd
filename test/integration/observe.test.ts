// --events and --metrics on a real run (local cluster, one fault): the NDJSON stream has a
// line per second, the fault's start and end and the verdict; /metrics answers during the run
// with run_id and shard labels; a real Prometheus scrapes it and answers
// chat_bench_deliveries_total > 0 through its query API (skipped visibly without the binary;
// .ci/run installs Debian's prometheus).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CLI, ROOT, small, tmpOut } from './support';
import { parseScenario } from '../../src/scenario/parse';
import { runScenario } from '../../src/run';
import { startMetricsServer } from '../../src/observe/metrics-server';
import { stopChild } from '../support/processes';

const hasPrometheus = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).status === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startPrometheus(dir: string, target: string): Promise<{ child: ChildProcess; api: string }> {
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, stringify({ global: { scrape_interval: '1s', scrape_timeout: '900ms' }, scrape_configs: [{ job_name: 'chat-bench', static_configs: [{ targets: [target] }] }] }));
  const child = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => { log = (log + d).slice(-4000); });
  const api = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
    try { if ((await fetch(`${api}/-/ready`)).ok) return { child, api }; } catch { /* not yet */ }
    await sleep(250);
  }
  await stopChild(child);
  throw new Error(`prometheus not ready within 30 s: ${log}`);
}

test(`--events and --metrics on a real run${hasPrometheus ? '' : ' (Prometheus part SKIPPED: no prometheus binary; apt-get install prometheus)'}`, async () => {
  const dir = tmpOut('cb-observe-');
  const metricsPort = await freePort();
  const prometheus = hasPrometheus ? await startPrometheus(dir, `127.0.0.1:${metricsPort}`) : null;
  try {
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, stringify(small({
      name: 'observe-it', duration: '7s', drain: '4s',
      faults: [{ at: '2s', for: '2s', target: 'clients:node-1', toxic: 'latency', attributes: { latency: 50 } }],
    })));
    const events = join(dir, 'run.ndjson');
    const child = spawn(process.execPath, [CLI, 'run', file, '--out', join(dir, 'out'), '-q', '--events', events, '--metrics', `127.0.0.1:${metricsPort}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // Scrape it ourselves during the run: labelled with the run id and shard.
    let scraped = '';
    for (let i = 0; i < 120 && child.exitCode === null; i++) {
      await sleep(250);
      try {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        if (/chat_bench_deliveries_total\{[^}]*\} [1-9]/.test(text)) { scraped = text; break; }
      } catch { /* not listening yet */ }
    }
    const code = await exited;
    assert.equal(code, 0, stderr);
    assert.match(scraped, /chat_bench_deliveries_total\{run_id="[^"]+",shard="all"\} [1-9]/);
    assert.match(scraped, /chat_bench_connected_clients\{/);
    assert.match(scraped, /chat_bench_delivery_latency_seconds_bucket\{phase="steady",le="0\.1",run_id="[^"]+",shard="all"\} [1-9]/);

    const lines = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const seconds = lines.filter((l) => l.type === 'second');
    assert.ok(seconds.length >= 8, `${seconds.length} second lines`);
    assert.ok(seconds.some((l) => (l.deliveries as number) > 0));
    const results = JSON.parse(readFileSync(join(dir, 'out', String(lines[0].runId), 'results.json'), 'utf8')) as { series: Array<{ t: number; deliveries: number }>; totals: { lost: number } };
    // The same samples as results.json's series.
    assert.deepEqual(seconds.map((l) => [l.t, l.deliveries]), results.series.map((s) => [s.t, s.deliveries]));
    const start = lines.findIndex((l) => l.type === 'fault-start');
    const end = lines.findIndex((l) => l.type === 'fault-end');
    assert.ok(start > 0 && end > start, JSON.stringify(lines.map((l) => l.type)));
    assert.match(String(lines[start].label), /latency/);
    const last = lines[lines.length - 1];
    assert.equal(last.type, 'verdict');
    assert.equal(last.verdict, 'pass');

    if (prometheus) {
      let value = 0;
      for (let i = 0; i < 40 && value === 0; i++) {
        const q = encodeURIComponent('max(max_over_time(chat_bench_deliveries_total[5m]))');
        const body = await (await fetch(`${prometheus.api}/api/v1/query?query=${q}`)).json() as { data: { result: Array<{ value: [number, string] }> } };
        value = Number(body.data.result[0]?.value[1] ?? 0);
        if (value === 0) await sleep(250);
      }
      assert.ok(value > 0, 'Prometheus read chat_bench_deliveries_total > 0');
      // The latency histogram's buckets are real Prometheus buckets: histogram_quantile reads them.
      const q = encodeURIComponent('histogram_quantile(0.99, sum by (le) (max_over_time(chat_bench_delivery_latency_seconds_bucket[5m])))');
      const body = await (await fetch(`${prometheus.api}/api/v1/query?query=${q}`)).json() as { data: { result: Array<{ value: [number, string] }> } };
      const p99 = Number(body.data.result[0]?.value[1]);
      assert.ok(Number.isFinite(p99) && p99 > 0 && p99 <= 5, `histogram_quantile p99 = ${JSON.stringify(body.data.result)}`);
    }
  } finally {
    if (prometheus) await stopChild(prometheus.child);
  }
});

test('/metrics latency histogram: its counts are the run\'s deliveries, by phase', async () => {
  const scenario = parseScenario(small({
    name: 'observe-buckets', duration: '6s', drain: '4s',
    faults: [{ at: '2s', for: '2s', target: 'clients:node-1', toxic: 'latency', attributes: { latency: 50 } }],
  }), 'inline');
  const metrics = await startMetricsServer('127.0.0.1:0', { runId: 'buckets', shard: 'all' });
  try {
    const outcome = await runScenario(scenario, { outDir: tmpOut('cb-observe-buckets-'), quiet: true, observer: metrics });
    // After the run's last second was told, before the endpoint closes: a final scrape.
    const text = await (await fetch(metrics.url)).text();
    const byPhase = Object.fromEntries([...text.matchAll(/^chat_bench_delivery_latency_seconds_count\{phase="(\w+)",[^}]*\} (\S+)$/gm)].map((m) => [m[1], Number(m[2])]));
    const inf = [...text.matchAll(/^chat_bench_delivery_latency_seconds_bucket\{phase="\w+",le="\+Inf",[^}]*\} (\S+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
    const total = Object.values(byPhase).reduce((a, b) => a + b, 0);
    const r = outcome.results;
    assert.equal(r.totals.lost, 0);
    assert.ok(total > 0);
    assert.equal(total, r.latency.overall.count, JSON.stringify(byPhase));
    assert.equal(total, r.totals.deliveriesTotal);
    assert.equal(inf, total);
    // Deliveries of messages scheduled during the fault are labelled fault.
    assert.ok((byPhase.fault ?? 0) > 0 && (byPhase.steady ?? 0) > 0, JSON.stringify(byPhase));
    const sum = [...text.matchAll(/^chat_bench_delivery_latency_seconds_sum\{[^}]*\} (\S+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
    assert.ok(Math.abs(sum / total - r.latency.overall.meanUs / 1e6) < 0.001, `mean ${sum / total} s vs ${r.latency.overall.meanUs} µs`);
  } finally {
    await metrics.close!();
  }
});

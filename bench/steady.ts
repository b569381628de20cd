// Baseline figure: runs a scenario (default scenarios/steady-2k.yaml) several times through the
// real CLI and prints the median of clients connected, deliveries per second, p50/p99 latency
// and integrity errors. Usage: node build/bench/steady.js [scenario] [--runs 3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const scenario = args.find((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1)) ?? 'scenarios/steady-2k.yaml';
const cli = resolve(__dirname, '../src/cli.js');

interface Row { clients: number; deliveriesPerSec: number; p50Ms: number; p99Ms: number; errors: number; exit: number | null }
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };

const rows: Row[] = [];
for (let i = 0; i < runs; i++) {
  const out = mkdtempSync(join(tmpdir(), 'cb-bench-'));
  const r = spawnSync(process.execPath, [cli, 'run', scenario, '--out', out, '--quiet', '--json-summary'], { encoding: 'utf8' });
  const dir = readdirSync(out)[0];
  const res = JSON.parse(readFileSync(join(out, dir, 'results.json'), 'utf8'));
  const publishMs = res.scenario.durationMs as number;
  const t = res.totals;
  rows.push({
    clients: res.clients.maxConnected,
    deliveriesPerSec: Math.round(t.deliveriesTotal / (publishMs / 1000)),
    p50Ms: res.latency.overall.p50Us / 1000,
    p99Ms: res.latency.overall.p99Us / 1000,
    errors: t.lost + t.duplicated + t.reordered + t.phantom,
    exit: r.status,
  });
  console.log(`run ${i + 1}/${runs}: ${JSON.stringify(rows[rows.length - 1])}`);
}
console.log(`\n${scenario} · ${runs} runs · ${cpus().length} cores (${cpus()[0]?.model ?? '?'}) · load average ${loadavg()[0].toFixed(2)}`);
console.log('| clients | deliveries/s | p50 | p99 | integrity errors |');
console.log('|---:|---:|---:|---:|---:|');
console.log(`| ${median(rows.map((r) => r.clients))} | ${median(rows.map((r) => r.deliveriesPerSec)).toLocaleString('en')} | ${median(rows.map((r) => r.p50Ms)).toFixed(1)} ms | ${median(rows.map((r) => r.p99Ms)).toFixed(1)} ms | ${Math.max(...rows.map((r) => r.errors))} |`);

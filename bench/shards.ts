// A sharded run on this machine: one reference cluster (`chat-bench broker`), N shard
// processes of one plan against it (runtime external, as an Indexed Job's pods would), then
// `chat-bench merge`; prints the merged integrity counts, p99 and the time the merge took.
//
//   node build/bench/shards.js [--shards 3] [--clients 3000] [--duration 20] [--rate 1]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ResultsV1 } from '../src/contracts/results';

const CLI = join(__dirname, '../src/cli.js');
const { values } = parseArgs({ options: {
  shards: { type: 'string', default: '3' }, clients: { type: 'string', default: '3000' },
  duration: { type: 'string', default: '20' }, rate: { type: 'string', default: '1' },
} });
const shards = Number(values.shards);
const clients = Number(values.clients);

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-shards-'));
  const broker: ChildProcess = spawn(process.execPath, [CLI, 'broker', '--nodes', '3', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let text = '';
    const urls = await new Promise<string[]>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('broker did not start')), 30_000);
      broker.stdout!.on('data', (d) => {
        text += d;
        const found = [...text.matchAll(/ws:\/\/\S+/g)].map((m) => m[0]);
        if (found.length === 3) { clearTimeout(t); resolve(found); }
      });
    });
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, [
      'name: bench-shards', `cluster: { runtime: external, urls: [${urls.join(', ')}] }`,
      `clients: { count: ${clients}, rampUp: 5s, channels: ${Math.max(1, Math.round(clients / 100))}, subscriptionsPerClient: 1, publishers: ${Math.max(1, Math.round(clients / 100))}, publishRate: ${values.rate}/s }`,
      `duration: ${values.duration}s`, 'drain: 10s', 'seed: 1', '',
    ].join('\n'));
    const startAt = String(Date.now() + 15_000);
    const out = join(dir, 'shards');
    const runs = await Promise.all(Array.from({ length: shards }, (_, i) => run(['run', file, '--shard', `${i}/${shards}`, '--start-at', startAt, '--out', out, '-q'])));
    runs.forEach((r, i) => { if (r.code !== 0) throw new Error(`shard ${i} exited ${r.code}: ${r.out.slice(-500)}`); });
    const dirs = readdirSync(out).map((d) => join(out, d));
    const t = performance.now();
    const merged = await run(['merge', ...dirs, '--out', join(dir, 'merged')]);
    const mergeMs = performance.now() - t;
    const mdir = join(dir, 'merged', readdirSync(join(dir, 'merged'))[0]);
    const r = JSON.parse(readFileSync(join(mdir, 'results.json'), 'utf8')) as ResultsV1;
    const x = r.totals;
    console.log(`${shards} shards × ${clients / shards} clients (${clients}), ${values.duration}s at ${values.rate}/s per publisher; load avg ${loadavg()[0].toFixed(1)}`);
    console.log(`merged: verdict ${r.verdict} (exit ${merged.code}) · published ${x.published} · owed ${x.expected} · delivered ${x.delivered} · lost ${x.lost} · dup ${x.duplicated} · reordered ${x.reordered} · p99 ${(r.latency.overall.p99Us / 1000).toFixed(0)} ms · max connected ${r.clients.maxConnected}`);
    console.log(`merge took ${(mergeMs / 1000).toFixed(2)} s (process start included); results in ${mdir}`);
  } finally {
    broker.kill('SIGTERM');
  }
}

main().catch((err) => { console.error(`bench/shards: ${(err as Error).message}`); process.exitCode = 1; });

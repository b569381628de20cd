// Memory per connected client: RSS growth of a load process (chat-bench's virtual clients)
// and of a broker node (reference broker) when N idle clients connect and subscribe.
//
//   node build/bench/memory.js [--runs 3] [--clients 5000] [--subs 2] [--channels 100]
//
// One broker node (direct, no proxy) in its own process; the clients in a child process run
// with --expose-gc, so its RSS is read after a full GC. The broker's RSS is read from /proc
// (it cannot be asked to collect: its figure includes some garbage). Prints each run and the
// medians, in KB per client.
//
// The load process's RSS growth is split in two. V8's young generation grows from 1 MB to its
// 32 MB cap while thousands of connections are set up and stays there, a collection leaves it
// allocated: up to 32 MB per process whatever the number of clients (5.7 KB "per client" at
// 5,000, 40 % of the raw figure). "per client" is the growth without it: what each client holds
// (its objects, its socket's native state), which is what scales with clients. Both are printed.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { DEFAULT_RECONNECT } from '../src/util/backoff';
import type { ClientPlan } from '../src/load/assignment';
import { LoadDriver } from '../src/load/driver';
import { startListeningProcess, stopProcess } from '../src/runtime/process';
import type { ClientsSpec } from '../src/contracts/scenario';
import { IntegrityLedger } from '../src/verify/ledger';
import { LatencyRecorder } from '../src/verify/latency';

interface ChildArgs { url: string; clients: number; subs: number; channels: number }
/** The child's memory, after a full GC. */
type FromChild = { t: 'memory'; rss: number; heapUsed: number; youngGeneration: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => { const s = xs.slice().sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function settledMemory(): FromChild {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  const m = process.memoryUsage();
  return { t: 'memory', rss: m.rss, heapUsed: m.heapUsed, youngGeneration: young?.physical_space_size ?? 0 };
}

// ------------------------------------------------------------------------- client process

async function runChild(a: ChildArgs): Promise<void> {
  const spec: ClientsSpec = {
    count: a.clients, rampUpMs: 0, channels: a.channels, subscriptionsPerClient: a.subs, publishers: 0, publishRate: 0,
    payloadBytes: 128, reconnect: DEFAULT_RECONNECT, heartbeat: { intervalMs: 5000, timeoutMs: 10000 },
  };
  const plans: ClientPlan[] = Array.from({ length: a.clients }, (_, i) => ({
    id: `m${i}`, node: 0, startOffsetMs: (i * 5000) / a.clients, publishChannel: null,
    channels: Array.from({ length: a.subs }, (_, j) => `mem.ch${(i + j * 7) % a.channels}`),
  }));
  await sleep(300);
  const before = settledMemory();
  const driver = new LoadDriver({ spec, plans, nodeUrls: [a.url], ledger: new IntegrityLedger(), latency: new LatencyRecorder(performance.now()), seed: 1 });
  driver.start();
  while (!driver.clients.every((c) => c.fullySubscribed)) await sleep(100);
  await sleep(1000);
  process.send!(before);
  process.send!(settledMemory());
  process.on('disconnect', () => { driver.stop(); process.exit(0); });
}

// ------------------------------------------------------------------------- parent

/** KB per client of one run; `driverKb` is the load process's growth without its young generation (see the header). */
interface Measured { driverKb: number; driverRawKb: number; youngKb: number; heapKb: number; brokerKb: number }

async function measure(url: string, brokerPid: number, a: Omit<ChildArgs, 'url'>): Promise<Measured> {
  const brokerBefore = rssOf(brokerPid);
  const child = fork(__filename, ['--child', JSON.stringify({ ...a, url })], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const seen: FromChild[] = [];
  await new Promise<void>((ok, fail) => {
    child.on('message', (m: FromChild) => { seen.push(m); if (seen.length === 2) ok(); });
    child.once('exit', (code) => fail(new Error(`client process exited (${code})`)));
  });
  const brokerAfter = rssOf(brokerPid);
  child.disconnect();
  await new Promise((r) => child.once('exit', r));
  const [before, after] = seen;
  const perClient = (bytes: number) => bytes / 1024 / a.clients;
  const young = perClient(after.youngGeneration - before.youngGeneration);
  const raw = perClient(after.rss - before.rss);
  return {
    driverKb: raw - young, driverRawKb: raw, youngKb: young,
    heapKb: perClient(after.heapUsed - before.heapUsed), brokerKb: perClient(brokerAfter - brokerBefore),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' }, runs: { type: 'string', default: '3' }, clients: { type: 'string', default: '5000' },
      subs: { type: 'string', default: '2' }, channels: { type: 'string', default: '100' },
    },
  });
  if (values.child) return runChild(JSON.parse(values.child) as ChildArgs);
  const a = { clients: Number(values.clients), subs: Number(values.subs), channels: Number(values.channels) };
  const runs = Number(values.runs);
  const measured: Measured[] = [];
  const row = (label: string, m: Measured) => `${label.padEnd(6)} ${m.driverKb.toFixed(1).padStart(10)} ${m.heapKb.toFixed(1).padStart(10)} ${m.driverRawKb.toFixed(1).padStart(10)} ${m.youngKb.toFixed(1).padStart(10)} ${m.brokerKb.toFixed(1).padStart(12)}\n`;
  process.stdout.write(`${a.clients} idle clients, ${a.subs} subscriptions each over ${a.channels} channels; growth per connected client, KB\n`);
  process.stdout.write('          load process (chat-bench clients)            broker node\n');
  process.stdout.write('run    per client  JS heap   RSS raw   young gen   RSS\n');
  for (let i = 0; i < runs; i++) {
    // A fresh broker per run: its heap does not shrink back after the previous run's clients.
    const broker = await startListeningProcess('broker', resolve(__dirname, '../reference-broker/main.js'),
      ['--id', 'node-1', '--host', '127.0.0.1', '--port', '0'], join(mkdtempSync(join(tmpdir(), 'cb-memory-')), 'broker.log'));
    try {
      await sleep(500);
      const r = await measure(`ws://127.0.0.1:${broker.port}`, broker.child.pid!, a);
      measured.push(r);
      process.stdout.write(row(String(i + 1), r));
    } finally {
      await stopProcess(broker.child);
    }
  }
  const of = (k: keyof Measured) => median(measured.map((r) => r[k]));
  process.stdout.write(row('median', { driverKb: of('driverKb'), heapKb: of('heapKb'), driverRawKb: of('driverRawKb'), youngKb: of('youngKb'), brokerKb: of('brokerKb') }));
  process.stdout.write('per client = RSS raw − young gen (V8\'s young generation: a per-process buffer of up to 32 MB, not per-client state)\n');
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

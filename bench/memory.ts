// Memory per connected client: RSS growth of a load process (chat-bench's virtual clients)
// and of a broker node (reference broker) when N idle clients connect and subscribe.
//
//   node build/bench/memory.js [--runs 3] [--clients 5000] [--subs 2] [--channels 100]
//
// One broker node (direct, no proxy) in its own process; the clients in a child process run
// with --expose-gc, so its RSS is read after a full GC. The broker's RSS is read from /proc
// (it cannot be asked to collect: its figure includes some garbage). Prints each run and the
// medians, in KB per client.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RECONNECT } from '../src/util/backoff';
import type { ClientPlan } from '../src/load/assignment';
import { LoadDriver } from '../src/load/driver';
import { startListeningProcess, stopProcess } from '../src/runtime/process';
import type { ClientsSpec } from '../src/contracts/scenario';
import { IntegrityLedger } from '../src/verify/ledger';
import { LatencyRecorder } from '../src/verify/latency';

interface ChildArgs { url: string; clients: number; subs: number; channels: number }
type FromChild = { t: 'rss'; bytes: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => { const s = xs.slice().sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function settledRss(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().rss;
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
  const before = settledRss();
  const driver = new LoadDriver({ spec, plans, nodeUrls: [a.url], ledger: new IntegrityLedger(), latency: new LatencyRecorder(performance.now()), seed: 1 });
  driver.start();
  while (!driver.clients.every((c) => c.fullySubscribed)) await sleep(100);
  await sleep(1000);
  process.send!({ t: 'rss', bytes: before } satisfies FromChild);
  process.send!({ t: 'rss', bytes: settledRss() } satisfies FromChild);
  process.on('disconnect', () => { driver.stop(); process.exit(0); });
}

// ------------------------------------------------------------------------- parent

async function measure(url: string, brokerPid: number, a: Omit<ChildArgs, 'url'>): Promise<{ driverKb: number; brokerKb: number }> {
  const brokerBefore = rssOf(brokerPid);
  const child = fork(__filename, ['--child', JSON.stringify({ ...a, url })], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const rss: number[] = [];
  await new Promise<void>((ok, fail) => {
    child.on('message', (m: FromChild) => { rss.push(m.bytes); if (rss.length === 2) ok(); });
    child.once('exit', (code) => fail(new Error(`client process exited (${code})`)));
  });
  const brokerAfter = rssOf(brokerPid);
  child.disconnect();
  await new Promise((r) => child.once('exit', r));
  return { driverKb: (rss[1] - rss[0]) / 1024 / a.clients, brokerKb: (brokerAfter - brokerBefore) / 1024 / a.clients };
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
  const drivers: number[] = [];
  const brokers: number[] = [];
  process.stdout.write(`${a.clients} idle clients, ${a.subs} subscriptions each over ${a.channels} channels; RSS growth per connected client\n`);
  process.stdout.write('run   load process KB/client   broker node KB/client\n');
  for (let i = 0; i < runs; i++) {
    // A fresh broker per run: its heap does not shrink back after the previous run's clients.
    const broker = await startListeningProcess('broker', resolve(__dirname, '../reference-broker/main.js'),
      ['--id', 'node-1', '--host', '127.0.0.1', '--port', '0'], join(mkdtempSync(join(tmpdir(), 'cb-memory-')), 'broker.log'));
    try {
      await sleep(500);
      const r = await measure(`ws://127.0.0.1:${broker.port}`, broker.child.pid!, a);
      drivers.push(r.driverKb);
      brokers.push(r.brokerKb);
      process.stdout.write(`${String(i + 1).padStart(3)}   ${r.driverKb.toFixed(1).padStart(22)}   ${r.brokerKb.toFixed(1).padStart(21)}\n`);
    } finally {
      await stopProcess(broker.child);
    }
  }
  process.stdout.write(`median ${median(drivers).toFixed(1).padStart(21)}   ${median(brokers).toFixed(1).padStart(21)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

// Cost of chat-bench's verification on the receiving side: the same fan-out load is received
// (a) by bare `ws` clients that only count frames and (b) by chat-bench's virtual clients
// (parse, integrity ledger with the payload seal check, latency histogram, heartbeats, resume
// bookkeeping). Reports CPU µs (user + system) of the receiving process per delivered
// message, and the ratio b/a.
//
//   node build/bench/overhead.js [--runs 5] [--clients 1000] [--channels 50] [--rate 20] [--seconds 5] [--payload 128]
//                                [--together] [--cpu-prof DIR]
//
// One broker node (reference broker, direct, no proxy) in its own process; publishers in this
// process (not measured; their payloads sealed like chat-bench's own); the receivers in child
// processes. By default (a) and (b) run one after the other, alternating which goes first, so
// each pair runs under similar machine conditions; --together runs them side by side in the
// same window (on a machine shared with other work, the fairer pairing). Prints each pair, the
// load average and the medians, and the medians split into user and system time (the receiving
// process's own code vs the kernel's reads). --cpu-prof DIR writes a V8 CPU profile of each receiver's
// measured window into DIR.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { DEFAULT_RECONNECT } from '../src/util/backoff';
import { LoadDriver } from '../src/load/driver';
import type { ClientPlan } from '../src/load/assignment';
import { startListeningProcess, stopProcess } from '../src/runtime/process';
import type { ClientsSpec } from '../src/contracts/scenario';
import { IntegrityLedger } from '../src/verify/ledger';
import { fillerFor, sealedPadding } from '../src/protocol/envelope';
import { LatencyRecorder } from '../src/verify/latency';

type Mode = 'bare' | 'verify';
interface ChildArgs { mode: Mode; url: string; clients: number; channels: number; publishers: string[]; payload: number; profileDir?: string }
type ToChild = { t: 'measure' } | { t: 'report' };
type FromChild = { t: 'ready' } | { t: 'report'; userUs: number; systemUs: number; frames: number; wallMs: number };

const channelName = (k: number) => `ovh.ch${k}`;
const median = (xs: number[]) => { const s = xs.slice().sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------- receiving child

function runChild(a: ChildArgs): void {
  let frames = () => 0;
  let connected = () => 0;
  if (a.mode === 'bare') {
    let count = 0;
    let open = 0;
    // A connect that fails (a busy machine: handshake timeouts) is retried, or the run would wait forever.
    const connect = (i: number): void => {
      const ws = new WebSocket(a.url, { perMessageDeflate: false });
      let opened = false;
      ws.on('open', () => { opened = true; open++; ws.send(JSON.stringify({ t: 'sub', ch: channelName(i % a.channels) })); });
      ws.on('message', () => { count++; });
      ws.on('error', () => {});
      ws.on('close', () => { if (opened) open--; setTimeout(() => connect(i), 200); });
    };
    for (let i = 0; i < a.clients; i++) connect(i);
    frames = () => count;
    connected = () => open;
  } else {
    const spec: ClientsSpec = {
      count: a.clients, rampUpMs: 0, channels: a.channels, subscriptionsPerClient: 1, publishers: 0, publishRate: 0,
      payloadBytes: a.payload, reconnect: DEFAULT_RECONNECT, heartbeat: { intervalMs: 5000, timeoutMs: 10000 },
    };
    const plans: ClientPlan[] = Array.from({ length: a.clients }, (_, i) => ({
      id: `s${i}`, node: 0, channels: [channelName(i % a.channels)], publishChannel: null, startOffsetMs: 0,
    }));
    const latency = new LatencyRecorder(performance.now());
    const driver = new LoadDriver({ spec, plans, nodeUrls: [a.url], ledger: new IntegrityLedger({ publishers: a.publishers, filler: fillerFor(a.payload) }), latency, seed: 1 });
    driver.start();
    frames = () => driver.stats.deliveries;
    connected = () => driver.stats.connected;
  }
  let base = { cpu: process.cpuUsage(), frames: 0, wall: 0 };
  const waitReady = setInterval(() => {
    if (connected() < a.clients) return;
    clearInterval(waitReady);
    process.send!({ t: 'ready' } satisfies FromChild);
  }, 50);
  const profiler = a.profileDir ? new WindowProfiler(a.profileDir, a.mode) : null;
  process.on('message', (m: ToChild) => {
    if (m.t === 'measure') {
      profiler?.start();
      base = { cpu: process.cpuUsage(), frames: frames(), wall: performance.now() };
    } else {
      const cpu = process.cpuUsage(base.cpu);
      const report = { t: 'report', userUs: cpu.user, systemUs: cpu.system, frames: frames() - base.frames, wallMs: performance.now() - base.wall } satisfies FromChild;
      // The profile is written after the numbers are taken, so writing it costs them nothing.
      void (profiler?.stop() ?? Promise.resolve()).then(() => process.send!(report));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

/** --cpu-prof: a V8 CPU profile of the measured window only (not the connects or the warm-up). */
class WindowProfiler {
  private readonly session = new Session();
  constructor(private readonly dir: string, private readonly mode: Mode) { this.session.connect(); }
  private post(method: string): Promise<unknown> {
    return new Promise((ok, fail) => this.session.post(method, (err, res) => (err ? fail(err) : ok(res))));
  }
  start(): void { void this.post('Profiler.enable').then(() => this.post('Profiler.start')); }
  async stop(): Promise<void> {
    const { profile } = (await this.post('Profiler.stop')) as { profile: unknown };
    writeFileSync(join(this.dir, `${this.mode}-${process.pid}.cpuprofile`), JSON.stringify(profile));
  }
}

// ------------------------------------------------------------------------- publishers (parent)

class Publishers {
  private sockets: WebSocket[] = [];
  private timer: NodeJS.Timeout | null = null;
  private seq: number[] = [];
  sent = 0;

  constructor(private readonly url: string, private readonly channels: number, private readonly rate: number, private readonly payload: number) {}

  async start(): Promise<void> {
    this.sockets = await Promise.all(Array.from({ length: this.channels }, () => new Promise<WebSocket>((ok, fail) => {
      const ws = new WebSocket(this.url, { perMessageDeflate: false });
      ws.once('open', () => ok(ws));
      ws.once('error', fail);
    })));
    this.seq = this.sockets.map(() => 0);
    const filler = fillerFor(this.payload);
    const intervalMs = 1000 / this.rate;
    const t0 = performance.now();
    // Open loop: message n of every publisher is due at t0 + n·interval (phases spread).
    this.timer = setInterval(() => {
      const now = performance.now();
      this.sockets.forEach((ws, k) => {
        const phase = (k / this.sockets.length) * intervalMs;
        while (t0 + phase + this.seq[k] * intervalMs <= now) {
          const n = ++this.seq[k];
          const ts = Math.round((performance.timeOrigin + t0 + phase + (n - 1) * intervalMs) * 1000);
          const p = `p${k}`;
          const x = sealedPadding(p, n, ts, filler); // sealed as chat-bench's own publishers do: the receivers check it
          ws.send(JSON.stringify({ t: 'pub', ch: channelName(k), id: `${p}:${channelName(k)}:${n}`, d: { p, n, ts, x } }));
          this.sent++;
        }
      });
    }, 5);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const ws of this.sockets) ws.terminate();
  }
}

// ------------------------------------------------------------------------- parent

function once<T extends FromChild['t']>(child: ChildProcess, t: T): Promise<Extract<FromChild, { t: T }>> {
  return new Promise((ok, fail) => {
    const onMsg = (m: FromChild) => { if (m.t === t) { child.off('message', onMsg); ok(m as Extract<FromChild, { t: T }>); } };
    child.on('message', onMsg);
    child.once('exit', (code) => fail(new Error(`receiver exited (${code})`)));
  });
}

const READY_TIMEOUT_MS = 180_000;

/** CPU µs per message (user + system, and the two apart) and the rate received. */
type Measured = { usPerMsg: number; userUs: number; systemUs: number; msgsPerSec: number };

/** Measures receivers of the given modes over the same window (one mode: alone; several: side by side). */
async function measure(modes: Mode[], a: Omit<ChildArgs, 'mode'>, seconds: number): Promise<Map<Mode, Measured>> {
  const children = modes.map((mode) => ({ mode, child: fork(__filename, ['--child', JSON.stringify({ ...a, mode })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] }) }));
  try {
    let stalled: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(children.map(({ child }) => once(child, 'ready'))),
      new Promise((_, fail) => { stalled = setTimeout(() => fail(new Error(`receivers not all connected after ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS); }),
    ]).finally(() => clearTimeout(stalled));
    await sleep(1500); // warm-up: JIT, first GCs
    for (const { child } of children) child.send({ t: 'measure' } satisfies ToChild);
    await sleep(seconds * 1000);
    const reports = children.map(({ child }) => once(child, 'report'));
    for (const { child } of children) child.send({ t: 'report' } satisfies ToChild);
    const out = new Map<Mode, Measured>();
    for (const [i, r] of (await Promise.all(reports)).entries()) {
      out.set(children[i].mode, { usPerMsg: (r.userUs + r.systemUs) / r.frames, userUs: r.userUs / r.frames, systemUs: r.systemUs / r.frames, msgsPerSec: (r.frames * 1000) / r.wallMs });
    }
    return out;
  } finally {
    await Promise.all(children.map(({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      return exited;
    }));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' }, runs: { type: 'string', default: '5' }, clients: { type: 'string', default: '1000' },
      channels: { type: 'string', default: '50' }, rate: { type: 'string', default: '20' }, seconds: { type: 'string', default: '5' },
      payload: { type: 'string', default: '128' }, 'cpu-prof': { type: 'string' }, together: { type: 'boolean', default: false },
    },
  });
  if (values.child) return runChild(JSON.parse(values.child) as ChildArgs);
  const runs = Number(values.runs);
  const clients = Number(values.clients);
  const channels = Number(values.channels);
  const rate = Number(values.rate);
  const payload = Number(values.payload);
  const seconds = Number(values.seconds);

  const logDir = mkdtempSync(join(tmpdir(), 'cb-overhead-'));
  const broker = await startListeningProcess('broker', resolve(__dirname, '../reference-broker/main.js'),
    ['--id', 'node-1', '--host', '127.0.0.1', '--port', '0'], join(logDir, 'broker.log'));
  const url = `ws://127.0.0.1:${broker.port}`;
  const pubs = new Publishers(url, channels, rate, payload);
  try {
    await pubs.start();
    const profileDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
    const common = { url, clients, channels, publishers: Array.from({ length: channels }, (_, k) => `p${k}`), payload, ...(profileDir ? { profileDir } : {}) };
    const offered = rate * clients; // every receiver gets its channel's rate
    process.stdout.write(`fan-out: ${channels} publishers × ${rate}/s, ${clients} receivers (${clients / channels} per channel) = ${offered} deliveries/s offered, ${payload} B payload, ${seconds} s windows` +
      `${values.together ? ', bare and chat-bench receivers side by side in each window' : ''}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    process.stdout.write('run   bare µs/msg   chat-bench µs/msg   ratio   bare msg/s   chat-bench msg/s\n');
    const bare: Measured[] = [];
    const full: Measured[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so a drift in machine load does not favour one side.
      const [first, second]: Mode[] = i % 2 === 0 ? ['bare', 'verify'] : ['verify', 'bare'];
      const results = values.together
        ? await measure([first, second], common, seconds)
        : new Map([...await measure([first], common, seconds), ...await measure([second], common, seconds)]);
      const b = results.get('bare')!;
      const v = results.get('verify')!;
      bare.push(b);
      full.push(v);
      ratios.push(v.usPerMsg / b.usPerMsg);
      process.stdout.write(`${String(i + 1).padStart(3)}   ${b.usPerMsg.toFixed(2).padStart(11)}   ${v.usPerMsg.toFixed(2).padStart(17)}   ${(v.usPerMsg / b.usPerMsg).toFixed(2).padStart(5)}   ${Math.round(b.msgsPerSec).toString().padStart(10)}   ${Math.round(v.msgsPerSec).toString().padStart(16)}\n`);
    }
    process.stdout.write(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    const of = (xs: Measured[], k: keyof Measured) => median(xs.map((m) => m[k])).toFixed(2);
    process.stdout.write(`median ${of(bare, 'usPerMsg').padStart(10)}   ${of(full, 'usPerMsg').padStart(17)}   ${median(ratios).toFixed(2).padStart(5)}   (target ratio <= 1.2)\n`);
    // Where the difference lies: this process's own code (user) or the kernel's reads (system).
    process.stdout.write(`median user + system µs/msg: bare ${of(bare, 'userUs')} + ${of(bare, 'systemUs')}, chat-bench ${of(full, 'userUs')} + ${of(full, 'systemUs')}\n`);
  } finally {
    pubs.stop();
    await stopProcess(broker.child);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

// The most clients this machine sustains: steps up the client count (2k → 50k) on a local
// cluster (fault proxy included, no faults) and stops at the first step that fails. A step
// passes when every client connected, the run has zero integrity errors (lost, duplicated,
// reordered, phantom, protocol errors) and the delivery p99 over the SUSTAINED window (from
// rampUp + 5 s to the end of publishing; the connection ramp is excluded) is < 100 ms —
// median over --runs runs, and every run intact.
//
//   node build/bench/clients-ceiling.js [--runs 3] [--steps 2000,5000,10000,15000,20000,30000,40000,50000]
//                                      [--sustain 30] [--per-channel 100] [--rate 0.5] [--workers N] [--cpu-prof DIR]
//
// Load per client is constant: each channel has --per-channel subscribers and one publisher
// at --rate msg/s, so deliveries/s = clients × rate. Load processes (workers) and nodes are
// chosen as `chat-bench run` would: enough for the open-files limit (see docs/scale.md);
// --workers N forces the number of load processes. `load avg` is the 1-minute load average at
// the end of the step (the highest over its runs): the machine may be shared. Under each step,
// the CPU each kind of process used over the sustained window (% of one core, from /proc; the
// machine has availableParallelism() × 100 %) names what saturates first; --cpu-prof DIR also
// writes a V8 CPU profile of that window for every process (DIR/<role>-<pid>.cpuprofile). The
// same line gives the machine's idle share and the share the hypervisor stole for other guests
// (/proc/stat): on a shared VM a step can fail with its own processes well below 200 %.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkFdBudget } from '../src/capacity';
import { defaultWorkers, engineFactory } from '../src/load/workers';
import { fdLimit } from '../src/util/fd-limits';
import { connectionsPerProxy } from '../src/runtime/fd-budget';
import type { ResultsV1 } from '../src/contracts/results';
import { runScenario } from '../src/run';
import { parseScenario } from '../src/scenario/parse';
import { LatencyRecorder, summarize } from '../src/verify/latency';
import { cpuByRole, machineShare, sampleMachine, sampleProcessTree, type MachineCpu, type ProcessCpu } from './support/process-cpu';
import { PROFILE_DIR_ENV, profileOnSignal } from '../src/util/profile-on-signal';

const TARGET_P99_US = 100_000;
const median = (xs: number[]) => { const s = xs.slice().sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };

interface StepRun { p99Us: number; integrityErrors: number; connected: number; deliveriesPerSec: number; workers: number; nodes: number; load1: number; cpu: ReturnType<typeof cpuByRole>; machine: ReturnType<typeof machineShare> | null }

/** p99 of the deliveries received in seconds [fromS, toS) of the run (exact: the per-second histograms summed). */
function windowP99(results: ResultsV1, fromS: number, toS: number): number {
  const seconds = Object.entries(results.histograms)
    .filter(([name]) => name.startsWith('second:') && Number(name.slice(7)) >= fromS && Number(name.slice(7)) < toS)
    .map(([, b64]) => ({ overall: b64 }));
  const h = LatencyRecorder.merge(seconds).overall;
  return h.totalCount ? summarize(h).p99Us : Infinity;
}

/** --cpu-prof: every process of the run starts (first call) or writes (second) its CPU profile. */
function toggleProfiles(tree: ProcessCpu[]): void {
  if (!process.env[PROFILE_DIR_ENV]) return;
  for (const p of tree) if (p.role !== 'gone' && !p.role.startsWith('reaper')) process.kill(p.pid, 'SIGUSR2');
}

async function runStep(clients: number, o: { sustainS: number; perChannel: number; rate: number; workers?: number }): Promise<StepRun> {
  const limit = fdLimit();
  const nodes = Math.max(3, Number.isFinite(limit) ? Math.ceil(clients / connectionsPerProxy(limit)) : 3);
  const workers = o.workers ?? defaultWorkers(clients, availableParallelism(), limit);
  checkFdBudget({ clients, workers, nodes, runtime: 'local' });
  const channels = Math.max(1, Math.round(clients / o.perChannel));
  const rampS = Math.max(10, Math.ceil(clients / 700));
  const durationS = rampS + o.sustainS;
  const scenario = parseScenario({
    name: `ceiling-${clients}`,
    cluster: { runtime: 'local', nodes, durable: true },
    clients: {
      count: clients, rampUp: `${rampS}s`, channels, subscriptionsPerClient: 1, publishers: channels, publishRate: `${o.rate}/s`,
      payloadBytes: 128, reconnect: { initial: '200ms', max: '5s', multiplier: 2, jitter: 'full' },
      heartbeat: { interval: '10s', timeout: '20s' },
    },
    duration: `${durationS}s`,
    drain: '10s',
    thresholds: { loss: '== 0', duplicates: '== 0', reorders: '== 0', phantoms: '== 0' },
    seed: 5,
  }, 'clients-ceiling');
  // CPU per process over the sustained window: sampled as the run's seconds pass
  type Sample = { at: number; cpu: ProcessCpu[]; machine: MachineCpu };
  let windowStart: Sample | null = null;
  let windowEnd: Sample | null = null;
  const observer = {
    second: ({ sample }: { sample: { t: number } }) => {
      if (sample.t === rampS + 5) { windowStart = { at: performance.now(), cpu: sampleProcessTree(), machine: sampleMachine() }; toggleProfiles(windowStart.cpu); }
      if (sample.t === durationS - 1) { windowEnd = { at: performance.now(), cpu: sampleProcessTree(), machine: sampleMachine() }; toggleProfiles(windowEnd.cpu); }
    },
  };
  const { results } = await runScenario(scenario, { outDir: mkdtempSync(join(tmpdir(), 'cb-ceiling-')), quiet: true, engine: engineFactory(workers), observer });
  const from = windowStart as Sample | null;
  const to = windowEnd as Sample | null;
  const t = results.totals;
  const sustained = results.series.filter((s) => s.t >= rampS + 5 && s.t < durationS);
  return {
    p99Us: windowP99(results, rampS + 5, durationS),
    integrityErrors: t.lost + t.duplicated + t.reordered + t.phantom + t.protocolErrors + t.serialConflicts,
    connected: results.clients.maxConnected,
    deliveriesPerSec: sustained.length ? sustained.reduce((a, s) => a + s.deliveries, 0) / sustained.length : 0,
    workers, nodes, load1: loadavg()[0],
    cpu: from && to ? cpuByRole(from.cpu, to.cpu, to.at - from.at) : [],
    machine: from && to ? machineShare(from.machine, to.machine, to.at - from.at, availableParallelism()) : null,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' }, steps: { type: 'string', default: '2000,5000,10000,15000,20000,30000,40000,50000' },
      sustain: { type: 'string', default: '30' }, 'per-channel': { type: 'string', default: '100' }, rate: { type: 'string', default: '0.5' },
      workers: { type: 'string' }, 'cpu-prof': { type: 'string' },
    },
  });
  if (values['cpu-prof']) {
    mkdirSync(values['cpu-prof'], { recursive: true });
    process.env[PROFILE_DIR_ENV] = resolve(values['cpu-prof']); // children inherit it
    profileOnSignal('driver');
  }
  const runs = Number(values.runs);
  const steps = values.steps!.split(',').map(Number);
  const o = { sustainS: Number(values.sustain), perChannel: Number(values['per-channel']), rate: Number(values.rate), workers: values.workers ? Number(values.workers) : undefined };
  process.stdout.write(`${availableParallelism()} cores, open-files limit ${fdLimit()}, load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
  process.stdout.write(`load per client: 1 subscription, ${o.rate} msg/s per channel of ${o.perChannel} subscribers; ${runs} run(s) per step; p99 over the sustained window\n`);
  process.stdout.write('clients  workers  nodes  deliveries/s  p99 sustained (runs)          integrity errors  connected  load avg  verdict\n');
  let ceiling = 0;
  for (const clients of steps) {
    const done: StepRun[] = [];
    for (let i = 0; i < runs; i++) done.push(await runStep(clients, o));
    const p99 = median(done.map((r) => r.p99Us));
    const errors = done.reduce((a, r) => a + r.integrityErrors, 0);
    const allConnected = done.every((r) => r.connected === clients);
    const pass = p99 < TARGET_P99_US && errors === 0 && allConnected;
    const ms = (us: number) => (Number.isFinite(us) ? `${(us / 1000).toFixed(1)}` : 'n/a');
    process.stdout.write(`${String(clients).padStart(7)}  ${String(done[0].workers).padStart(7)}  ${String(done[0].nodes).padStart(5)}  ${Math.round(median(done.map((r) => r.deliveriesPerSec))).toString().padStart(12)}  `
      + `${`${ms(p99)} ms (${done.map((r) => ms(r.p99Us)).join(', ')})`.padEnd(28)}  ${String(errors).padStart(16)}  ${String(Math.min(...done.map((r) => r.connected))).padStart(9)}  ${Math.max(...done.map((r) => r.load1)).toFixed(1).padStart(8)}  ${pass ? 'pass' : 'FAIL'}\n`);
    for (const r of done) {
      const total = r.cpu.reduce((a, c) => a + c.percentOfCore, 0);
      process.stdout.write(`         CPU, sustained window (% of one core): ${r.cpu.map((c) => `${c.role}${c.processes > 1 ? ` ×${c.processes}` : ''} ${c.percentOfCore.toFixed(0)}`).join(', ')}; total ${total.toFixed(0)} of ${availableParallelism() * 100}`
        + `${r.machine ? `; machine idle ${r.machine.idlePercent.toFixed(0)} %, stolen by the host ${r.machine.stealPercent.toFixed(0)} %` : ''}\n`);
    }
    if (!pass) break;
    ceiling = clients;
  }
  process.stdout.write(`ceiling: ${ceiling ? `${ceiling} clients` : 'below the first step'} (p99 < 100 ms sustained, zero integrity errors); load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

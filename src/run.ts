// One run, start to finish: start the cluster and its fault proxy, drive the clients through
// the fault timeline, stop publishing on time, drain, account for every message, judge the
// thresholds, write the reports — and stop everything that was started, whatever happens.
import { join } from 'node:path';
import { FaultTimeline } from './chaos/timeline';
import { judgeRecovery, secondFigures, type FaultWindow as RecoveryFault } from './chaos/recovery';
import { EXIT, UserError } from './util/errors';
import { planClients } from './load/assignment';
import { InProcessEngine, type EngineSetup, type LoadEngine } from './load/engine';
import { createProgress } from './report/progress';
import type { ResultsV1, SecondSample } from './contracts/results';
import { runtimeFor } from './runtime';
import { adapterConfigOf } from './adapters/config';
import { checkAuthEnvironment } from './adapters/credentials';
import type { Cluster, StartCluster } from './runtime/cluster';
import type { Scenario } from './contracts/scenario';
import { account } from './verify/accounting';
import { buildResults } from './verdict';
import { ensureOutputDir } from './util/output-dir';
import type { LedgerSnapshot } from './verify/snapshot';
import type { FaultWindow } from './verify/accounting';
import { FaultEdgeTracker, livePhaseAt, type LiveSecond, type RunObserver } from './observe/observer';
import { shardSlice, sharedRunTag } from './shard/slice';
import type { ShardSpec } from './shard/spec';

export interface RunOptions {
  outDir?: string;             // default: reports
  runId?: string;
  quiet?: boolean;
  /** where progress and log lines go (default stderr) */
  write?: (s: string) => void;
  tty?: boolean;
  signal?: AbortSignal;        // abort = Ctrl-C: stop everything, exit 130
  startCluster?: StartCluster; // override the scenario's runtime (tests, --runtime)
  quietMs?: number;            // drain ends early after this long without deliveries (default 1000)
  /** where clients run (default: this process); call `onFailure` when the engine breaks mid-run (the run stops, exit 3) */
  engine?: (setup: EngineSetup, onFailure: (err: UserError) => void) => LoadEngine;
  /** this process drives one slice of the plan; only shard 0 applies the faults */
  shard?: ShardSpec;
  /** the run's time zero (epoch ms): shards agree on it; default now */
  startAtMs?: number;
  /** told every second, at fault starts/ends (the --events file, the --metrics endpoint) */
  observer?: RunObserver;
}

export interface RunOutcome {
  results: ResultsV1;
  runDir: string;
  exitCode: number;
  /** what `chat-bench merge` needs from a shard */
  ledger: LedgerSnapshot[];
  faultWindows: FaultWindow[];
  /** the coordinator's fault periods and end of publishing, for the merged recovery judgement */
  recoveryFaults: RecoveryFault[];
  publishEndMs: number;
  startAtMs: number;
  runEndMs: number;
  runTag: string;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  if (signal?.aborted) return resolve();
  const onAbort = () => { clearTimeout(t); resolve(); };
  const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
  signal?.addEventListener('abort', onAbort, { once: true });
});

export function makeRunId(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
  return `${stamp}-${slug}-${Math.random().toString(36).slice(2, 6)}`;
}

export async function runScenario(scenario: Scenario, opts: RunOptions = {}): Promise<RunOutcome> {
  // Credentials read from the environment: refused before anything starts (exit 2).
  checkAuthEnvironment(scenario.cluster.auth);
  const runId = opts.runId ?? makeRunId(scenario.name);
  const runDir = join(opts.outDir ?? 'reports', runId);
  ensureOutputDir(runDir, 'run folder');
  const write = opts.write ?? ((s: string) => process.stderr.write(s));
  const log = (line: string) => { if (!opts.quiet) write(`${line}\n`); };
  const startedAt = new Date();
  const signal = opts.signal;
  const interrupted = () => signal?.aborted === true;

  if (scenario.cluster.tls?.insecure) {
    write('chat-bench: warning: TLS certificates are NOT verified (cluster.tls.insecure / --insecure): anyone in the path could impersonate the target\n');
  }
  const startCluster = opts.startCluster ?? runtimeFor(scenario.cluster.runtime);
  log(`chat-bench: starting ${scenario.cluster.runtime} cluster (${scenario.cluster.nodes} nodes) for "${scenario.name}" → ${runDir}`);
  let cluster: Cluster | null = null;
  let timeline: FaultTimeline | null = null;
  let engine: LoadEngine | null = null;
  const progress = createProgress({ tty: opts.tty ?? false, quiet: opts.quiet ?? false, write });
  try {
    cluster = await startCluster(scenario.cluster, { runDir, log, signal, expectedClients: scenario.clients.count });
    if (interrupted()) throw new UserError('interrupted', EXIT.interrupted);

    // Channel names: a fresh cluster gets the same names for the same seed (so the same channel
    // homes, a reproducible run); an external system keeps old data, so each run gets new names.
    // Shards share one tag, derived from their common start.
    const runTag = opts.shard && opts.startAtMs !== undefined ? sharedRunTag(opts.startAtMs)
      : scenario.cluster.runtime === 'external' ? runId.slice(-4) : `s${scenario.seed}`;
    const plans = planClients(scenario.clients, cluster.nodes.length, scenario.seed, `cb${runTag}`);
    const setup = {
      spec: scenario.clients, plans: opts.shard ? shardSlice(plans, opts.shard) : plans,
      nodeUrls: cluster.nodes.map((n) => n.clientUrl), seed: scenario.seed,
      publishers: plans.filter((p) => p.publishChannel).map((p) => p.id),
      adapter: adapterConfigOf(scenario.cluster, cluster.nodes),
      // publishing ends on the run clock, not when this process gets round to it: the same
      // plan schedules the same messages in one process or split over shards
      publishForMs: scenario.durationMs,
    };
    // A broken engine (a worker process died) ends the waits at once: the run fails with its error.
    let engineFailure: UserError | null = null;
    const engineBroke = new AbortController();
    const waitSignal = signal ? AbortSignal.any([signal, engineBroke.signal]) : engineBroke.signal;
    const checkEngine = () => { if (engineFailure) throw engineFailure; };
    const onEngineFailure = (err: UserError) => { engineFailure ??= err; engineBroke.abort(); };
    engine = opts.engine ? opts.engine(setup, onEngineFailure) : new InProcessEngine(setup, onEngineFailure);
    // Other shards follow the same schedule for their phases but leave the faults to shard 0.
    const coordinator = !opts.shard || opts.shard.index === 0;
    timeline = new FaultTimeline(scenario.faults, cluster, scenario.recoveryMs, (l) => log(`  ${l}`), { dryRun: !coordinator });

    // --- drive -----------------------------------------------------------------------------
    // Time zero on this process's clock: the common start when given (waited for), else now.
    const t0 = opts.startAtMs !== undefined ? opts.startAtMs - performance.timeOrigin : performance.now();
    if (t0 > performance.now()) {
      log(`  waiting for the common start ${new Date(opts.startAtMs!).toISOString()}`);
      await sleep(t0 - performance.now(), signal);
      if (interrupted()) throw new UserError('interrupted', EXIT.interrupted);
    } else if (opts.startAtMs !== undefined && performance.now() - t0 > 1000) {
      // a late shard still runs its slice, but its clients ramp late and publish less
      write(`chat-bench: warning: ready ${Math.round(performance.now() - t0)} ms after the common start (hint: give a later --start-at)\n`);
    }
    let publishEndMs = scenario.durationMs;
    const runStartUs = opts.startAtMs !== undefined ? opts.startAtMs * 1000 : Math.round((performance.timeOrigin + t0) * 1000);
    const series: SecondSample[] = [];
    const sampler = new SecondSampler(engine, series, t0);
    timeline.start(t0);
    await engine.start(t0);
    const faultEdges = new FaultEdgeTracker();
    const live = (sample: SecondSample): LiveSecond => ({
      sample, totals: engine!.stats(), activeFaults: timeline!.activeFaults(), phase: timeline!.phase, p99LastSecUs: engine!.lastSecondP99(),
      latencyBuckets: engine!.latencyBuckets(),
      // a scheduled second takes the phase in force at its middle (as far as known live)
      phaseOfSecond: (t) => livePhaseAt(timeline!.events, t * 1000 + 500, timeline!.phase),
    });
    const secondTick = setInterval(() => {
      const s = sampler.sample();
      if (opts.observer) {
        for (const edge of faultEdges.poll(timeline!.events)) opts.observer.fault?.(edge);
        opts.observer.second?.(live(s));
      }
      progress.update({
        elapsedMs: performance.now() - t0,
        totalMs: scenario.durationMs + scenario.drainMs,
        connected: s.connected,
        targetClients: scenario.clients.count,
        msgsPerSec: s.deliveries,
        p99LastSecUs: engine!.lastSecondP99(),
        activeFaults: timeline!.activeFaults(),
        lostSoFar: sampler.lastHoles,
        phase: timeline!.updatePhase(),
      });
    }, 1000);
    try {
      await sleep(t0 + scenario.durationMs - performance.now(), waitSignal);
      checkEngine();
      publishEndMs = interrupted() ? performance.now() - t0 : scenario.durationMs;
      engine.stopPublishing(publishEndMs);
      log(interrupted() ? '' : `  publishing stopped at ${Math.round(performance.now() - t0)} ms; draining (up to ${scenario.drainMs} ms)`);
      const drainEnd = performance.now() + scenario.drainMs;
      // Quiet clients are not enough: a mirror whose link is still reconnecting holds messages
      // that would arrive, so the drain also waits for the cluster to have healed.
      const done = async () => (await engine!.isQuiet(opts.quietMs ?? 1000)) && (cluster!.settled?.() ?? true);
      while (!interrupted() && performance.now() < drainEnd && !(await done())) await sleep(100, waitSignal);
      checkEngine();
    } finally {
      clearInterval(secondTick);
      progress.stop();
    }
    const last = sampler.sample();
    opts.observer?.second?.(live(last));
    const runEndMs = performance.now() - t0;
    const finished = await engine.finish();
    await timeline.stop();
    if (opts.observer) for (const edge of faultEdges.poll(timeline.events)) opts.observer.fault?.(edge);
    // Interrupted after the clients ran: still account for what happened and write it down
    // (exit 130), as a partial record is worth more than none.

    // --- account -----------------------------------------------------------------------------
    // Phases are judged now that every second is known: a delivery belongs to the phase its
    // message was scheduled in, and recovery lasts until the seconds are back within the baseline.
    const recovery = judgeRecovery({
      faults: timeline.faultWindows(), seconds: secondFigures(finished.latency.perScheduledSecond(), series),
      rampUpMs: scenario.clients.rampUpMs, publishEndMs, runEndMs, maxMs: scenario.recoveryMs, clients: scenario.clients.count,
    });
    finished.latency.assignPhases((t) => recovery.phaseOfSecond(t));
    const events = [...timeline.events.filter((e) => e.kind !== 'phase'), ...recovery.phaseEvents()].sort((a, b) => a.atMs - b.atMs);
    const faultWindows = timeline.windows(runEndMs);
    const integrity = account(finished.snapshots, {
      faultWindows, runStartUs, interrupted: interrupted(), endUs: runStartUs + runEndMs * 1000,
      endAllowanceUs: finished.latency.summary(finished.latency.overall).p999Us,
    });
    const results = buildResults({
      scenario, runId, startedAt, durationMs: Math.round(runEndMs), cluster, integrity, latency: finished.latency, series,
      timeline: events, recovery: { baseline: recovery.baseline, maxMs: scenario.recoveryMs, windows: recovery.windows }, stats: finished.stats, faultFailures: timeline.failed, workers: engine.workers,
      interrupted: interrupted(),
    });
    return {
      results, runDir, exitCode: results.exitCode, ledger: finished.snapshots,
      faultWindows: coordinator ? faultWindows : [], recoveryFaults: coordinator ? timeline.faultWindows() : [], publishEndMs, startAtMs: Math.round(performance.timeOrigin + t0), runEndMs, runTag,
    };
  } finally {
    await engine?.stop();
    await timeline?.stop();
    await cluster?.stop();
  }
}

/** Turns the driver's running counters into one sample per second. */
class SecondSampler {
  private last = { deliveries: 0, scheduled: 0, published: 0, acked: 0, reconnects: 0, disconnects: 0 };
  private t = -1;
  lastHoles = 0;

  constructor(private readonly engine: LoadEngine, private readonly series: SecondSample[], private readonly t0: number) {}

  /** Called about once a second; the sample is labelled with the second that just ended (same
   * seconds as the latency recorder's), even when the timer fires late. */
  sample(): SecondSample {
    const s = this.engine.stats();
    this.lastHoles = s.holes;
    this.t = Math.max(this.t + 1, Math.round((performance.now() - this.t0) / 1000) - 1);
    const sample: SecondSample = {
      t: this.t,
      latency: { count: 0, minUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0, meanUs: 0 },
      deliveries: s.deliveries - this.last.deliveries,
      scheduled: s.scheduled - this.last.scheduled,
      published: s.published - this.last.published,
      acked: s.acked - this.last.acked,
      connected: s.connected,
      reconnects: s.reconnects - this.last.reconnects,
      disconnects: s.disconnects - this.last.disconnects,
    };
    this.last = { deliveries: s.deliveries, scheduled: s.scheduled, published: s.published, acked: s.acked, reconnects: s.reconnects, disconnects: s.disconnects };
    this.series.push(sample);
    return sample;
  }
}

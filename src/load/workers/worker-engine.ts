// Clients split over N worker processes (child_process.fork, IPC). Each worker runs a disjoint
// subset of the clients with its own ledger and latency recorder; the parent relays the run's
// events, sums the live counters the workers push, and at the end merges every worker's ledger
// snapshot (account() unions them) and encoded histograms (LatencyRecorder.merge) exactly.
// A worker that dies fails the run at once with an infrastructure error, never a hang.
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { infraError, type UserError } from '../../util/errors';
import { LatencyRecorder } from '../../verify/latency';
import type { LedgerSnapshot } from '../../verify/snapshot';
import { sumBucketSeconds, type BucketSeconds } from '../../verify/latency-buckets';
import { copyStats, type EngineResult, type EngineSetup, type LiveStats, type LoadEngine } from '../engine';
import { DriverStats } from '../stats';
import type { FromWorker, ToWorker, WorkerSetup } from './messages';
import { localAddressesFor, splitPlans } from './plan';

const WORKER_MAIN = resolve(__dirname, 'worker-main.js');
const READY_TIMEOUT_MS = 30_000;
const QUIET_TIMEOUT_MS = 10_000;
const RESULT_TIMEOUT_MS = 120_000;
const EXIT_GRACE_MS = 3000;

/**
 * The parent's node flags that workers inherit: a short allow-list. Never the parent's whole
 * execArgv: under `node -e CODE` it holds the code itself, and every worker would run it again.
 */
const INHERITED_FLAGS = /^--(cpu-prof|heap-prof|enable-source-maps)$|^--(max-old-space-size|max-semi-space-size|stack-size|cpu-prof-dir|cpu-prof-interval|heap-prof-dir)=/;

export function workerExecArgv(parentArgv: readonly string[]): string[] {
  return parentArgv.filter((a) => INHERITED_FLAGS.test(a));
}

export interface WorkerEngineOptions {
  workers: number;
  /** Called once, when a worker dies or fails before the run is over (the run loop aborts). */
  onFailure?: (err: UserError) => void;
  /** Source addresses for the clients' sockets; default: localAddressesFor(nodeUrls, clients). */
  localAddresses?: string[];
}

type Result = Extract<FromWorker, { t: 'result' }>;

/** What one worker handed over at finish(), before merging. */
export interface WorkerPart {
  snapshot: LedgerSnapshot;
  histograms: Record<string, string>;
  stats: LiveStats;
}

/** One worker process and what it last told us. */
class WorkerProcess {
  readonly child: ChildProcess;
  stats: LiveStats = copyStats(new DriverStats());
  lastSecondP99: number | null = null;
  readonly buckets: BucketSeconds = new Map();
  result: Result | null = null;
  exited = false;
  private readyWaiters: Array<() => void> = [];
  private isReady = false;
  private resultWaiters: Array<(r: Result) => void> = [];
  private readonly quietWaiters = new Map<number, (quiet: boolean) => void>();

  constructor(readonly index: number, setup: WorkerSetup, private readonly onTrouble: (w: WorkerProcess, why: string) => void,
    private readonly onRefused: (err: UserError) => void) {
    this.child = fork(WORKER_MAIN, [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced', // structured clone: big ledger snapshots cross faster than as JSON text
      execArgv: workerExecArgv(process.execArgv),
    });
    this.child.on('message', (m: FromWorker) => this.onMessage(m));
    this.child.once('error', (err) => this.onTrouble(this, err.message));
    this.child.once('exit', (code, signal) => {
      this.exited = true;
      this.onTrouble(this, `exited unexpectedly (${signal ?? `code ${code}`})`);
    });
    this.send({ t: 'init', setup });
  }

  get label(): string { return `load worker ${this.index + 1} (pid ${this.child.pid})`; }

  send(m: ToWorker): void {
    if (this.exited || !this.child.connected) return;
    try {
      this.child.send(m);
    } catch { /* the exit handler reports it */ }
  }

  ready(): Promise<void> {
    return this.isReady ? Promise.resolve() : new Promise((r) => this.readyWaiters.push(r));
  }

  isQuiet(id: number, quietMs: number): Promise<boolean> {
    return new Promise((r) => {
      this.quietWaiters.set(id, r);
      this.send({ t: 'isQuiet', id, quietMs });
    });
  }

  finish(): Promise<Result> {
    if (this.result) return Promise.resolve(this.result);
    return new Promise((r) => {
      this.resultWaiters.push(r);
      this.send({ t: 'finish' });
    });
  }

  private onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'ready':
        this.isReady = true;
        for (const w of this.readyWaiters.splice(0)) w();
        return;
      case 'stats':
        this.stats = m.stats;
        this.lastSecondP99 = m.lastSecondP99;
        for (const [t, row] of m.buckets) this.buckets.set(t, row);
        return;
      case 'quiet': {
        const w = this.quietWaiters.get(m.id);
        this.quietWaiters.delete(m.id);
        w?.(m.quiet);
        return;
      }
      case 'result':
        this.result = m;
        this.stats = m.stats;
        for (const w of this.resultWaiters.splice(0)) w(m);
        return;
      case 'error':
        this.onTrouble(this, `failed: ${m.message}`);
        return;
      case 'fatal':
        this.onRefused(infraError(m.reason, m.hint));
        return;
    }
  }

  /** Asks it to stop, then kills it if it does not go. Resolves when it is gone. */
  stop(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((done) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_GRACE_MS);
      this.child.once('exit', () => { clearTimeout(timer); done(); });
      this.send({ t: 'stop' });
      if (this.child.connected) this.child.disconnect(); // the worker exits when its channel closes
    });
  }
}

export class WorkerEngine implements LoadEngine {
  readonly workers: number;
  private readonly procs: WorkerProcess[];
  private failure: UserError | null = null;
  private readonly failureWaiters: Array<(err: UserError) => void> = [];
  private stopping = false;
  private finished = false;
  private quietSeq = 0;
  private runStartMs = 0;
  private finalStats: LiveStats | null = null;
  private handedOver: WorkerPart[] = [];

  constructor(setup: EngineSetup, private readonly opts: WorkerEngineOptions) {
    if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new Error(`WorkerEngine: workers must be >= 1, got ${opts.workers}`);
    this.workers = opts.workers;
    const localAddresses = opts.localAddresses ?? localAddressesFor(setup.nodeUrls, setup.plans.length);
    const parts = splitPlans(setup.plans, this.workers);
    // Spawned now (before the run clock starts) so that start() only waits for the last of them.
    this.procs = parts.map((plans, index) => new WorkerProcess(index, {
      index, spec: setup.spec, plans, nodeUrls: setup.nodeUrls, seed: setup.seed, publishers: setup.publishers, localAddresses,
      ...(setup.adapter ? { adapter: setup.adapter } : {}),
      ...(setup.publishForMs !== undefined ? { publishForMs: setup.publishForMs } : {}),
    }, (w, why) => this.onTrouble(w, why), (err) => this.fail(err)));
  }

  /** Process ids of the workers (tests, diagnostics). */
  pids(): number[] {
    return this.procs.map((p) => p.child.pid ?? -1);
  }

  async start(t0: number): Promise<void> {
    this.runStartMs = t0;
    await this.fromAll((p) => p.ready(), READY_TIMEOUT_MS, 'did not start');
    const runStartEpochMs = performance.timeOrigin + t0;
    for (const p of this.procs) p.send({ t: 'start', runStartEpochMs });
  }

  stopPublishing(atRunMs: number): void {
    for (const p of this.procs) p.send({ t: 'stopPublishing', atRunMs });
  }

  stats(): LiveStats {
    return this.finalStats ?? sumStats(this.procs.map((p) => p.stats));
  }

  lastSecondP99(): number | null {
    let max: number | null = null;
    for (const p of this.procs) if (p.lastSecondP99 !== null && (max === null || p.lastSecondP99 > max)) max = p.lastSecondP99;
    return max;
  }

  latencyBuckets(): BucketSeconds {
    return sumBucketSeconds(this.procs.map((p) => p.buckets));
  }

  async isQuiet(quietMs: number): Promise<boolean> {
    const id = ++this.quietSeq;
    const answers = await this.fromAll((p) => p.isQuiet(id, quietMs), QUIET_TIMEOUT_MS, 'did not answer');
    return answers.every(Boolean);
  }

  async finish(): Promise<EngineResult> {
    const results = await this.fromAll((p) => p.finish(), RESULT_TIMEOUT_MS, 'did not hand over its results');
    this.finished = true;
    this.handedOver = results.map((r) => ({ snapshot: r.snapshot, histograms: r.histograms, stats: r.stats }));
    const snapshots: LedgerSnapshot[] = results.map((r) => r.snapshot);
    const latency = LatencyRecorder.merge(results.map((r) => r.histograms), this.runStartMs);
    this.finalStats = sumStats(results.map((r) => r.stats));
    return { snapshots, latency, stats: this.finalStats };
  }

  /** Each worker's own results, in worker order (after finish(); tests and diagnostics). */
  parts(): WorkerPart[] {
    return this.handedOver.slice();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.procs.map((p) => p.stop()));
  }

  // ------------------------------------------------------------------- failures

  private onTrouble(w: WorkerProcess, why: string): void {
    if (this.stopping || this.failure || (this.finished && why.startsWith('exited'))) return;
    if (w.result && why.startsWith('exited')) return; // it already handed over everything
    this.fail(infraError(`${w.label} ${why}`,
      'the machine may be out of memory or file descriptors; see docs/scale.md, or run with fewer clients or more --workers'));
  }

  /** The run cannot go on (a worker broke, or a client was refused for good): once. */
  private fail(err: UserError): void {
    if (this.stopping || this.failure) return;
    this.failure = err;
    for (const f of this.failureWaiters.splice(0)) f(err);
    this.opts.onFailure?.(err);
  }

  /** Every worker's answer, unless a worker fails first or one takes longer than `timeoutMs`. */
  private fromAll<T>(ask: (p: WorkerProcess) => Promise<T>, timeoutMs: number, what: string): Promise<T[]> {
    if (this.failure) return Promise.reject(this.failure);
    const answered = this.procs.map(() => false);
    const work = Promise.all(this.procs.map((p, i) => ask(p).then((v) => { answered[i] = true; return v; })));
    return new Promise<T[]>((resolveAll, reject) => {
      const timer = setTimeout(() => {
        const slow = this.procs.find((_, i) => !answered[i]);
        reject(infraError(`${slow?.label ?? 'a load worker'} ${what} within ${Math.round(timeoutMs / 1000)} s`,
          'the machine may be overloaded; run with fewer clients or more --workers'));
      }, timeoutMs);
      const onFail = (err: UserError) => { clearTimeout(timer); reject(err); };
      this.failureWaiters.push(onFail);
      void work.then((v) => {
        clearTimeout(timer);
        const i = this.failureWaiters.indexOf(onFail);
        if (i >= 0) this.failureWaiters.splice(i, 1);
        resolveAll(v);
      });
    });
  }
}

export function sumStats(all: LiveStats[]): LiveStats {
  const sum = copyStats(new DriverStats());
  for (const s of all) for (const k of Object.keys(sum) as Array<keyof LiveStats>) sum[k] += s[k];
  return sum;
}

// Worker process entry (forked by WorkerEngine): runs one subset of the virtual clients with
// its own ledger and latency recorder, pushes its counters to the parent, and hands over its
// ledger snapshot and encoded histograms at the end. It lives only as long as the parent: when
// the IPC channel closes (parent exited, crashed or was killed) the worker exits too.
import { fillerFor } from '../../protocol/envelope';
import { IntegrityLedger } from '../../verify/ledger';
import { LatencyRecorder } from '../../verify/latency';
import { LoadDriver } from '../driver';
import { copyStats } from '../engine';
import { DriverStats } from '../stats';
import { STATS_PUSH_MS, type FromWorker, type ToWorker, type WorkerSetup } from './messages';
import { profileOnSignal } from '../../util/profile-on-signal';

let setup: WorkerSetup | null = null;
let ledger: IntegrityLedger | null = null;
let latency: LatencyRecorder | null = null;
let driver: LoadDriver | null = null;
let statsTimer: NodeJS.Timeout | null = null;

function send(msg: FromWorker, then?: () => void): void {
  if (!process.connected) return;
  process.send!(msg, undefined, undefined, () => then?.());
}

// lastSecondP99() decodes a histogram (~ms) and holesSoFar() walks every stream: once per
// second of the run, not on every push.
let slowSecond = -1;
let p99: number | null = null;
let holes = 0;

function pushStats(): void {
  if (!driver || !latency) return;
  const second = Math.floor((performance.now() - latency.runStartMs) / 1000);
  if (second !== slowSecond) {
    slowSecond = second;
    p99 = latency.lastSecondP99();
    holes = ledger!.holesSoFar();
  }
  send({ t: 'stats', stats: { ...copyStats(driver.stats), holes }, lastSecondP99: p99, buckets: latency.buckets.takeChanged() });
}

function stopClients(): void {
  if (statsTimer) clearInterval(statsTimer);
  statsTimer = null;
  driver?.stop();
}

/** Distinct, reproducible jitter per worker (worker 0 draws like a single-process run). */
const workerSeed = (seed: number, index: number): number => (seed + Math.imul(index, 0x9e3779b9)) >>> 0;

function handle(m: ToWorker): void {
  switch (m.t) {
    case 'init':
      setup = m.setup;
      ledger = new IntegrityLedger({ publishers: setup.publishers, filler: fillerFor(setup.spec.payloadBytes) });
      send({ t: 'ready' });
      return;
    case 'start': {
      const s = setup!;
      // The parent's run start on THIS process's performance.now() clock.
      const t0 = m.runStartEpochMs - performance.timeOrigin;
      latency = new LatencyRecorder(t0);
      driver = new LoadDriver({
        spec: s.spec, plans: s.plans, nodeUrls: s.nodeUrls, ledger: ledger!, latency,
        seed: workerSeed(s.seed, s.index), localAddresses: s.localAddresses, adapter: s.adapter, publishForMs: s.publishForMs,
        onFatal: (reason, hint) => send({ t: 'fatal', reason, hint }),
      });
      driver.start(t0);
      statsTimer = setInterval(pushStats, STATS_PUSH_MS);
      return;
    }
    case 'stopPublishing':
      driver?.stopPublishing(m.atRunMs);
      return;
    case 'isQuiet':
      send({ t: 'quiet', id: m.id, quiet: driver ? driver.isQuiet(m.quietMs) : true });
      return;
    case 'finish': {
      stopClients();
      const stats = { ...copyStats(driver ? driver.stats : new DriverStats()), holes: ledger!.holesSoFar() };
      const histograms = (latency ?? new LatencyRecorder(0)).encode();
      send({ t: 'result', snapshot: ledger!.snapshot(), histograms, stats });
      return;
    }
    case 'stop':
      stopClients();
      process.disconnect();
      return;
  }
}

function fail(err: unknown): void {
  stopClients();
  const e = err as Error;
  const message = `${e?.message ?? String(err)}${process.env.CHAT_BENCH_DEBUG ? `\n${e?.stack ?? ''}` : ''}`;
  if (process.connected) send({ t: 'error', message }, () => process.exit(1));
  else process.exit(1);
}

if (require.main === module) {
  if (!process.send) {
    process.stderr.write('chat-bench load worker: start me with child_process.fork (I need an IPC channel)\n');
    process.exit(2);
  }
  // Ctrl-C reaches the whole process group: the parent decides how the run ends, not us.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  profileOnSignal('worker'); // benchmarks only (CHAT_BENCH_PROFILE_DIR)
  process.on('disconnect', () => { stopClients(); process.exit(0); });
  process.on('uncaughtException', fail);
  process.on('message', (m: ToWorker) => {
    try { handle(m); } catch (err) { fail(err); }
  });
}

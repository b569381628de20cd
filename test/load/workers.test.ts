// The worker engine against a real local cluster: clients split over worker processes give
// results that are exactly the sum of what each worker recorded, faults stay lossless, and a
// worker that dies fails the run at once with an infrastructure error (exit 3).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXIT, UserError } from '../../src/util/errors';
import type { WorkerEngine, WorkerPart } from '../../src/load/workers';
import type { ResultsV1 } from '../../src/contracts/results';
import { account } from '../../src/verify/accounting';
import { IntervalSet } from '../../src/verify/intervals';
import { LatencyRecorder } from '../../src/verify/latency';
import type { LedgerSnapshot } from '../../src/verify/snapshot';
import { runWithWorkers } from './support';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function assertIntact(r: ResultsV1): void {
  const t = r.totals;
  assert.ok(t.delivered > 0, 'nothing delivered');
  assert.deepEqual({ lost: t.lost, duplicated: t.duplicated, reordered: t.reordered, phantom: t.phantom, protocolErrors: t.protocolErrors },
    { lost: 0, duplicated: 0, reordered: 0, phantom: 0, protocolErrors: 0 }, JSON.stringify(r.examples.slice(0, 3)));
  assert.equal(t.delivered, t.expected);
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const sentCount = (s: LedgerSnapshot): number => sum(s.publishers.map((p) => IntervalSet.fromJSON(p.sent).count));
const receivedCount = (s: LedgerSnapshot): number => sum(s.streams.map((st) => IntervalSet.fromJSON(st.received).count));

describe('WorkerEngine on a real local cluster', () => {
  test('3 workers × 100 clients: merged results are exactly the sum of the workers’ parts', async () => {
    let engine: WorkerEngine | null = null;
    const { results, exitCode } = await runWithWorkers(3, {}, (e) => { engine = e; });
    assertIntact(results);
    assert.equal(exitCode, 0);
    assert.equal(results.environment.workers, 3);
    const parts: WorkerPart[] = engine!.parts();
    assert.equal(parts.length, 3);

    // Each client lives in exactly one worker; every worker ran clients and publishers.
    const clientsOf = parts.map((p) => new Set(p.snapshot.streams.map((s) => s.client)));
    assert.deepEqual(clientsOf.map((c) => c.size), [100, 100, 100]);
    assert.equal(new Set(clientsOf.flatMap((c) => [...c])).size, 300);
    for (const p of parts) assert.ok(p.snapshot.publishers.length > 0 && p.stats.deliveries > 0, 'an idle worker');

    // Totals = sum of the parts.
    const t = results.totals;
    assert.equal(t.published, sum(parts.map((p) => sentCount(p.snapshot))));
    // every owed delivery is a received one; a received one may also be one that was not owed
    const received = sum(parts.map((p) => receivedCount(p.snapshot)));
    assert.ok(t.delivered > 0 && t.delivered <= received, `delivered ${t.delivered}, received ${received}`);
    assert.equal(t.deliveriesTotal, sum(parts.map((p) => sum(p.snapshot.streams.map((s) => s.deliveriesTotal)))));
    assert.equal(t.deliveriesTotal, sum(parts.map((p) => p.stats.deliveries)));
    assert.equal(t.acked, sum(parts.map((p) => p.stats.acked)));
    assert.equal(t.published, sum(parts.map((p) => p.stats.published)));
    // `expected` adds up per worker's streams (each judged against every worker's publishers).
    const allPublishers = parts.flatMap((p) => p.snapshot.publishers);
    const expectedPerWorker = parts.map((p) => account([{ ...p.snapshot, publishers: allPublishers }],
      { faultWindows: [], runStartUs: 0 }).totals.expected);
    assert.equal(t.expected, sum(expectedPerWorker));

    // Client counters = sum of the parts.
    for (const k of ['connects', 'reconnects', 'disconnects', 'connectFailures', 'heartbeatTimeouts'] as const) {
      assert.equal(results.clients[k], sum(parts.map((p) => p.stats[k])), k);
    }
    assert.equal(results.clients.connects, 300);

    // Histograms: merged count = sum of the workers' counts = first deliveries received; seconds add up too.
    const perWorker = parts.map((p) => LatencyRecorder.merge([p.histograms]));
    assert.equal(results.latency.overall.count, sum(perWorker.map((l) => l.overall.totalCount)));
    assert.equal(results.latency.overall.count, received);
    const seconds = LatencyRecorder.merge([results.histograms]).perSecond();
    assert.equal(sum(seconds.map((x) => x.latency.count)), received);
    assert.equal(results.latency.connect.count, 300);
    assert.ok(results.latency.phases.steady && results.latency.phases.steady.count > 0, 'phases judged from the workers’ scheduled seconds');
  });

  test('a node killed and restarted mid-run: intact with 2 workers, reconnects > 0', async () => {
    const { results, exitCode } = await runWithWorkers(2, {
      duration: '7s', drain: '10s',
      faults: [{ at: '2500ms', target: 'node:node-2', action: 'kill', restartAfter: '1s' }],
    });
    assertIntact(results);
    assert.ok(results.clients.reconnects >= 50, `reconnects ${results.clients.reconnects}`);
    assert.equal(exitCode, 0);
  });

  test('a broker that drops fan-out is caught through workers: lost > 0, exit 1, live holes reported', async () => {
    let engine: WorkerEngine | null = null;
    const { results, exitCode } = await runWithWorkers(2, {
      cluster: { runtime: 'local', nodes: 3, durable: true, misbehaviour: { mode: 'drop', rate: 0.05 } },
      duration: '4s', drain: '5s',
    }, (e) => { engine = e; });
    assert.equal(exitCode, 1);
    assert.ok(results.totals.lost > 0, JSON.stringify(results.totals));
    const holes = engine!.stats().holes;
    // the live estimate counts serial holes; the verdict counts what was owed (close, not equal)
    assert.ok(holes > 0, `holes ${holes}, lost ${results.totals.lost}`);
    assert.equal(holes, sum(engine!.parts().map((p) => p.stats.holes)));
  });

  test('a worker killed mid-run fails the run at once: exit 3, one line naming the worker, nothing left running', async () => {
    let engine: WorkerEngine | null = null;
    const started = performance.now();
    let victim = -1;
    const run = runWithWorkers(2, { duration: '30s', drain: '5s' }, (e) => {
      engine = e;
      setTimeout(() => { victim = e.pids()[1]; process.kill(victim, 'SIGKILL'); }, 2000);
    });
    await assert.rejects(run, (err: unknown) => {
      assert.ok(err instanceof UserError, String(err));
      assert.equal(err.exitCode, EXIT.infrastructure);
      assert.match(err.oneLine(), new RegExp(`^chat-bench: load worker 2 \\(pid ${victim}\\) exited unexpectedly \\(SIGKILL\\) \\(hint: .+\\)$`));
      assert.ok(!err.oneLine().includes('\n'));
      return true;
    });
    const tookMs = performance.now() - started;
    assert.ok(tookMs < 15_000, `the run went on for ${Math.round(tookMs)} ms after the worker died`);
    for (const pid of engine!.pids()) assert.equal(alive(pid), false, `worker ${pid} still running`);
  });
});

// churn on the real reference cluster: subscribe-only clients leave and fresh ones join at the
// configured rate (± 10 %), the connected count holds, and nothing is lost. With churn.session
// (the open model) the same; with resume: true leavers come back and what was published while
// they were away is owed: replayed by a healthy broker, lost (exit 1) on one that ignores `from`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InProcessEngine, type EngineSetup, type LoadEngine } from '../../src/load/engine';
import type { ResultsV1 } from '../../src/contracts/results';
import type { UserError } from '../../src/util/errors';
import { runScenario, type RunOutcome } from '../../src/run';
import { parseScenario } from '../../src/scenario/parse';
import { IntervalSet } from '../../src/verify/intervals';
import { deltaDecode, type LedgerSnapshot } from '../../src/verify/snapshot';
import { runSmall, small, tmpOut } from './support';

test('churn 10/s for 5 s: 50 leave and 50 fresh clients join (± 10 %), connected holds at 60, nothing lost', { timeout: 180_000 }, async () => {
  const { results, exitCode } = await runSmall({
    clients: {
      count: 60, rampUp: '1s', channels: 6, subscriptionsPerClient: 2, publishers: 6, publishRate: '5/s', payloadBytes: 64,
      reconnect: { initial: '50ms', max: '1s' }, heartbeat: { interval: '1s', timeout: '5s' },
    },
    churn: { rate: '10/s' },
    duration: '6s', drain: '6s', thresholds: {},
  });
  const t = results.totals;
  assert.deepEqual({ lost: t.lost, duplicated: t.duplicated, reordered: t.reordered, phantom: t.phantom },
    { lost: 0, duplicated: 0, reordered: 0, phantom: 0 }, JSON.stringify(results.examples.slice(0, 3)));
  const joins = results.clients.connects - results.clients.reconnects - 60;
  assert.ok(Math.abs(joins - 50) <= 5, `joins ${joins} (connects ${results.clients.connects}, reconnects ${results.clients.reconnects})`);
  const connected = results.series.map((s) => s.connected);
  assert.ok(Math.max(...connected) <= 61, `connected never above the count (one joiner may overlap its leaver): ${connected.join(' ')}`);
  assert.equal(exitCode, 0, JSON.stringify(results.thresholds.filter((x) => !x.pass)));
});

// --- churn.session: the open model, and clients that come back and resume -------------------

/** 60 clients (54 subscribe-only), 10 joins/s from 1 s to 6 s; 54 = 10/s × 5.4 s (Little's law). */
const sessionScenario = (churn: Record<string, unknown>, cluster: Record<string, unknown> = {}) => small({
  cluster: { runtime: 'local', nodes: 3, durable: true, ...cluster },
  clients: {
    count: 60, rampUp: '1s', channels: 6, subscriptionsPerClient: 2, publishers: 6, publishRate: '5/s', payloadBytes: 64,
    reconnect: { initial: '50ms', max: '1s' }, heartbeat: { interval: '1s', timeout: '5s' },
  },
  churn: { rate: '10/s', ...churn },
  duration: '6s', drain: '6s', thresholds: {}, seed: 3,
});

/** Runs in process and keeps the ledger's snapshot (the facts the checker judged). */
async function runKeepingLedger(raw: Record<string, unknown>): Promise<RunOutcome & { ledger: LedgerSnapshot }> {
  let ledger: LedgerSnapshot | null = null;
  const outcome = await runScenario(parseScenario(raw, 'inline'), {
    outDir: tmpOut(), quiet: true,
    engine: (setup: EngineSetup, onFailure: (err: UserError) => void): LoadEngine => {
      const engine = new InProcessEngine(setup, onFailure);
      const finish = engine.finish.bind(engine);
      engine.finish = async () => {
        const r = await finish();
        ledger = r.snapshots[0];
        return r;
      };
      return engine;
    },
  });
  assert.ok(ledger, 'the engine finished');
  return { ...outcome, ledger };
}

/**
 * Messages received by a client that came back, which were sent AND acked while it was away
 * (between the end of one of its confirmed sessions and the start of the next): only a resume
 * (the replay from the position it saw last) can have brought them.
 */
function deliveredWhileAway(ledger: LedgerSnapshot): number {
  const logs = ledger.publishers.map((p) => ({ channel: p.channel, publisher: p.publisher, sent: deltaDecode(p.firstSendUs), acked: deltaDecode(p.ackUs) }));
  let count = 0;
  for (const st of ledger.streams) {
    for (let i = 2; i + 1 < st.sessions.length; i += 2) {
      const goneUs = st.sessions[i - 1];
      const backUs = st.sessions[i];
      for (const { p, n } of st.publishers) {
        const log = logs.find((l) => l.channel === st.channel && l.publisher === p)!;
        IntervalSet.fromJSON(n).forEachRange((lo, hi) => {
          for (let k = lo; k <= hi; k++) if (log.sent[k - 1] > goneUs && log.acked[k - 1] > 0 && log.acked[k - 1] < backUs) count++;
        });
      }
    }
  }
  return count;
}

const integrity = (r: ResultsV1) => ({ lost: r.totals.lost, duplicated: r.totals.duplicated, reordered: r.totals.reordered, phantom: r.totals.phantom, unconfirmed: r.totals.unconfirmedStreams });

test('session fixed 5.4s at 10/s for 5 s: 50 fresh joins and 50 ± 5 leaves (± 10 %), nothing lost, exit 0', { timeout: 180_000 }, async () => {
  const { results, exitCode } = await runSmall(sessionScenario({ session: { distribution: 'fixed', mean: '5400ms' } }));
  assert.deepEqual(integrity(results), { lost: 0, duplicated: 0, reordered: 0, phantom: 0, unconfirmed: 0 }, JSON.stringify(results.examples.slice(0, 3)));
  const joins = results.clients.connects - results.clients.reconnects - 60;
  assert.ok(Math.abs(joins - 50) <= 5, `joins ${joins} (connects ${results.clients.connects}, reconnects ${results.clients.reconnects})`);
  const leaves = results.clients.leaves ?? 0;
  assert.ok(Math.abs(leaves - 50) <= 5, `leaves ${leaves}`);
  assert.equal(results.clients.returns, 0, 'without resume nobody comes back');
  assert.equal(exitCode, 0, JSON.stringify(results.thresholds.filter((x) => !x.pass)));
});

const resumeChurn = { session: { distribution: 'exponential', mean: '5400ms' }, resume: true, away: '1s' };

test('resume: true on the healthy cluster: leavers come back as themselves, what was published while away is replayed, 0 lost, exit 0', { timeout: 180_000 }, async () => {
  const { results, exitCode, ledger } = await runKeepingLedger(sessionScenario(resumeChurn));
  assert.deepEqual(integrity(results), { lost: 0, duplicated: 0, reordered: 0, phantom: 0, unconfirmed: 0 }, JSON.stringify(results.examples.slice(0, 3)));
  const returns = results.clients.returns ?? 0;
  assert.ok(returns >= 10, `returns ${returns}`);
  const away = deliveredWhileAway(ledger);
  assert.ok(away > 0, 'messages sent and acked while a client was away reached it after it came back');
  // joins = fresh clients (first connects) + returns, 10/s over 5 s
  const joins = results.clients.connects - results.clients.reconnects - 60;
  assert.ok(Math.abs(joins - 50) <= 5, `joins ${joins} (returns ${returns})`);
  assert.equal(exitCode, 0, JSON.stringify(results.thresholds.filter((x) => !x.pass)));
});

test('resume: true on a broker that ignores `from` (no-resume): what was published while away is lost, exit 1', { timeout: 180_000 }, async () => {
  const { results, exitCode, ledger } = await runKeepingLedger(sessionScenario(resumeChurn, { misbehaviour: { mode: 'no-resume' } }));
  assert.ok(results.totals.lost > 0, `lost ${results.totals.lost}`);
  assert.equal(results.totals.lostInSession, 0, 'the loss lies in the away time, not in a live session');
  assert.equal(deliveredWhileAway(ledger), 0, 'nothing sent while away came back');
  assert.equal(exitCode, 1);
});

test('the same broker under at-most-once: loss while away (outside a live session) is allowed, exit 0', { timeout: 180_000 }, async () => {
  const { results, exitCode } = await runSmall({ ...sessionScenario(resumeChurn, { misbehaviour: { mode: 'no-resume' } }), guarantee: 'at-most-once' });
  assert.ok(results.totals.lost > 0, `lost ${results.totals.lost}`);
  assert.equal(results.totals.lostInSession, 0);
  assert.equal(exitCode, 0, JSON.stringify(results.thresholds.filter((x) => !x.pass)));
});

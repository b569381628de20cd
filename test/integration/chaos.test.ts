// Faults on the timeline against the reference cluster, small and quick: whatever the network
// or the processes do, a correct broker loses, duplicates and reorders nothing — and a broker
// that ignores `from` is caught. (The full scenario files run in scenarios-long.test.ts.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResultsV1 } from '../../src/contracts/results';
import { runSmall } from './support';

const clients = (patch: Record<string, unknown>) => ({
  count: 120, rampUp: '1s', channels: 8, subscriptionsPerClient: 2, publishers: 16, publishRate: '4/s', payloadBytes: 128,
  reconnect: { initial: '50ms', max: '800ms', multiplier: 2, jitter: 'full' },
  heartbeat: { interval: '500ms', timeout: '1500ms' },
  ...patch,
});

function assertIntact(results: ResultsV1): void {
  const t = results.totals;
  assert.ok(t.delivered > 0, 'nothing delivered');
  assert.deepEqual({ lost: t.lost, duplicated: t.duplicated, reordered: t.reordered, phantom: t.phantom },
    { lost: 0, duplicated: 0, reordered: 0, phantom: 0 }, JSON.stringify(results.examples.slice(0, 3)));
  assert.equal(t.delivered, t.expected);
}

describe('fault timeline against the reference cluster', () => {
  test('partition-heal: node-3 cut from clients and peers, then healed: intact, reconnects > 0', async () => {
    const { results, exitCode } = await runSmall({
      clients: clients({}), duration: '9s', drain: '10s',
      faults: [
        { at: '2500ms', for: '3s', target: 'clients:node-3', action: 'down' },
        { at: '2500ms', for: '3s', action: 'partition', nodes: ['node-3'] },
      ],
    });
    assertIntact(results);
    assert.ok(results.clients.reconnects >= 30, `reconnects ${results.clients.reconnects}`);
    assert.equal(exitCode, 0);
    const faults = results.timeline.filter((e) => e.kind === 'fault');
    assert.equal(faults.length, 2);
    for (const f of faults) {
      assert.ok(Math.abs(f.atMs - 2500) <= 50, `fault started at ${f.atMs} ms`);
      assert.ok(f.endMs !== undefined && Math.abs(f.endMs - 5500) <= 50, `fault ended at ${f.endMs} ms`);
      assert.equal(f.error, undefined);
    }
    assert.ok(results.latency.phases.fault && results.latency.phases.recovery, 'fault and recovery phases recorded');
  });

  test('partition-heal with broker fault no-resume: lost > 0, exit 1', async () => {
    const { results, exitCode } = await runSmall({
      cluster: { runtime: 'local', nodes: 3, durable: true, misbehaviour: { mode: 'no-resume' } },
      clients: clients({}), duration: '8s', drain: '8s',
      faults: [
        { at: '2500ms', for: '2500ms', target: 'clients:node-3', action: 'down' },
        { at: '2500ms', for: '2500ms', action: 'partition', nodes: ['node-3'] },
      ],
    });
    assert.equal(exitCode, 1);
    assert.ok(results.totals.lost > 0, JSON.stringify(results.totals));
    assert.ok(results.examples.some((e) => e.kind === 'lost' && e.fault), 'a loss is attributed to a fault window');
  });

  test('flaky network (reset_peer, slicer, timeout): many reconnects, intact', async () => {
    const { results } = await runSmall({
      clients: clients({}), duration: '9s', drain: '10s',
      faults: [
        { at: '2s', for: '4s', target: 'clients:node-1', toxic: 'reset_peer', attributes: { timeout: 300 }, toxicity: 0.5 },
        { at: '2s', for: '4s', target: 'clients:node-2', toxic: 'slicer', attributes: { average_size: 32, size_variation: 16, delay: 100 }, stream: 'both' },
        { at: '3s', for: '2s', target: 'clients:node-3', toxic: 'timeout', attributes: { timeout: 800 } },
      ],
    });
    assertIntact(results);
    assert.ok(results.clients.reconnects >= 40, `reconnects ${results.clients.reconnects}`);
  });

  test('node crash: SIGKILL node-2 and restart it from its durable log: intact, reconnects > 0', async () => {
    const { results } = await runSmall({
      clients: clients({}), duration: '9s', drain: '10s',
      faults: [{ at: '3s', target: 'node:node-2', action: 'kill', restartAfter: '1s' }],
    });
    assertIntact(results);
    assert.ok(results.clients.reconnects >= 30, `reconnects ${results.clients.reconnects}`);
  });

  test('reconnect storm: every client proxy down at once, backoff spreads the return, intact', async () => {
    const { results } = await runSmall({
      clients: clients({ count: 400, rampUp: '1500ms', reconnect: { initial: '100ms', max: '1500ms', multiplier: 2, jitter: 'full' } }),
      duration: '8s', drain: '10s',
      faults: [{ at: '3s', for: '2s', target: 'clients:*', action: 'down' }],
    });
    assertIntact(results);
    assert.ok(results.clients.reconnects >= 400, `reconnects ${results.clients.reconnects}`);
    // Jitter spreads the reconnects over more than one second after the proxies come back.
    const back = results.series.filter((s) => s.t >= 5 && s.reconnects > 0);
    assert.ok(back.length >= 2, JSON.stringify(results.series.map((s) => s.reconnects)));
    assert.ok(Math.max(...back.map((s) => s.reconnects)) < 400, 'not all in one second');
  });

  test('latency spike: the injected latency shows in the fault phase only', async () => {
    const { results } = await runSmall({
      clients: clients({ count: 90 }), duration: '9s', drain: '5s', recovery: '1s',
      faults: [{ at: '3s', for: '3s', target: 'clients:*', toxic: 'latency', attributes: { latency: 300, jitter: 50 } }],
      thresholds: { 'latency.p50{phase:fault}': '>= 250ms', loss: '== 0', duplicates: '== 0', reorders: '== 0' },
    });
    assertIntact(results);
    const fault = results.latency.phases.fault;
    assert.ok(fault.p50Us >= 250_000, `fault p50 ${fault.p50Us} µs`);
    assert.ok(results.latency.phases.steady.p50Us < 100_000, `steady p50 ${results.latency.phases.steady.p50Us} µs`);
    assert.ok(results.thresholds.every((t) => t.pass), JSON.stringify(results.thresholds));
  });
});

// stages on the real reference cluster: clients ramp up, hold, and ramp down to 0 connected
// (visible in the per-second connected series); leavers end their streams cleanly, so the
// checker owes them nothing after they left and the run passes the default guarantee.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSmall } from './support';

test('stages: ramp to 60, hold, ramp down to 0: 0 connected at the end, nothing lost, unsent or in doubt', { timeout: 180_000 }, async () => {
  const { results, exitCode } = await runSmall({
    clients: {
      count: 60, channels: 6, subscriptionsPerClient: 2, publishers: 12, publishRate: '5/s', payloadBytes: 64,
      reconnect: { initial: '50ms', max: '1s' }, heartbeat: { interval: '1s', timeout: '5s' },
    },
    stages: [{ duration: '2s', clients: 60 }, { duration: '3s', clients: 60 }, { duration: '2s', clients: 0 }],
    duration: '9s', drain: '6s', thresholds: {},
  });
  const t = results.totals;
  assert.deepEqual({ lost: t.lost, duplicated: t.duplicated, reordered: t.reordered, phantom: t.phantom, inDoubt: t.inDoubt, unsent: t.unsent },
    { lost: 0, duplicated: 0, reordered: 0, phantom: 0, inDoubt: 0, unsent: 0 }, JSON.stringify(results.examples.slice(0, 3)));
  assert.ok(t.delivered > 0);
  const connected = results.series.map((s) => s.connected);
  assert.ok(Math.max(...connected) === 60, `peak ${connected.join(' ')}`);
  assert.equal(connected[connected.length - 1], 0, `connected per second: ${connected.join(' ')}`);
  assert.ok(connected.indexOf(60) < connected.lastIndexOf(0), 'the ramp-down comes after the peak');
  assert.equal(results.clients.maxConnected, 60);
  assert.equal(exitCode, 0, JSON.stringify(results.thresholds.filter((x) => !x.pass)));
});

// churn on the real reference cluster: subscribe-only clients leave and fresh ones join at the
// configured rate (± 10 %), the connected count holds, and nothing is lost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSmall } from './support';

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

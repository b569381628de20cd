// Workload shapes on the real reference cluster: a subscribe-only crowd and publish-heavy bots
// in one run, a big room beside zipf-popular small channels; every stream intact, and the bots
// publish at their own rate (not the clients-level one).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSmall } from './support';

test('groups + rooms + zipf: bots publish at their rate, the room reaches its subscribers, nothing lost', { timeout: 180_000 }, async () => {
  const { results } = await runSmall({
    clients: {
      rampUp: '1s', channels: 6, subscriptionsPerClient: 1, publishRate: '1/s', payloadBytes: 64, channelDistribution: 'zipf(1.1)',
      reconnect: { initial: '50ms', max: '1s' }, heartbeat: { interval: '1s', timeout: '5s' },
      groups: [{ name: 'crowd', count: 80, subscriptionsPerClient: 2 }, { name: 'bots', count: 3, publishers: 3, publishRate: '20/s' }],
      rooms: [{ channels: 1, subscribers: 60 }],
    },
    duration: '4s', drain: '8s', thresholds: {},
  });
  const t = results.totals;
  assert.deepEqual({ lost: t.lost, duplicated: t.duplicated, reordered: t.reordered, phantom: t.phantom },
    { lost: 0, duplicated: 0, reordered: 0, phantom: 0 }, JSON.stringify(results.examples.slice(0, 3)));
  assert.equal(results.clients.target, 83);
  // 3 bots × 20/s × at most 4 s = 240 (less: they connect last in the ramp), plus the room publisher
  // at 1/s (≤ 4); at the clients-level 1/s the bots would make at most 12.
  assert.ok(t.scheduled >= 100 && t.scheduled <= 300, `scheduled ${t.scheduled}`);
  const room = results.channels.find((c) => c.channel.endsWith('.room0'));
  assert.ok(room, 'the room channel is checked');
  assert.equal(room.streams, 60, 'one stream per room subscriber');
  assert.ok(room.delivered > 0 && room.delivered === room.expected, `room delivered ${room.delivered} of ${room.expected}`);
});

// A client finds a delivery's stream by a scan of its channels up to 4 subscriptions and by a
// Map above (src/load/client.ts): both in one run. A lookup that picked the wrong stream would
// show as phantoms (the key names the channel), one that found none as protocol errors.
test('clients with 2 and with 7 subscriptions: every stream gets exactly what was published to its channel', { timeout: 180_000 }, async () => {
  const { results } = await runSmall({
    clients: {
      rampUp: '1s', channels: 8, subscriptionsPerClient: 2, publishRate: '4/s', payloadBytes: 64,
      reconnect: { initial: '50ms', max: '1s' }, heartbeat: { interval: '1s', timeout: '5s' },
      groups: [{ name: 'few', count: 30, subscriptionsPerClient: 2 }, { name: 'many', count: 20, subscriptionsPerClient: 7, publishers: 8 }],
    },
    duration: '4s', drain: '8s', thresholds: {},
  });
  const t = results.totals;
  assert.deepEqual({ lost: t.lost, duplicated: t.duplicated, reordered: t.reordered, phantom: t.phantom, protocolErrors: t.protocolErrors },
    { lost: 0, duplicated: 0, reordered: 0, phantom: 0, protocolErrors: 0 }, JSON.stringify(results.examples.slice(0, 3)));
  assert.equal(results.clients.target, 50);
  const streams = results.channels.reduce((a, c) => a + c.streams, 0);
  assert.equal(streams, 30 * 2 + 20 * 7, 'one stream per subscription');
  assert.ok(t.delivered > 0 && t.delivered === t.expected, `delivered ${t.delivered} of ${t.expected}`);
  assert.equal(results.verdict, 'pass');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planClients } from '../../src/load/assignment';
import type { ClientsSpec } from '../../src/contracts/scenario';

const spec: ClientsSpec = {
  count: 300, rampUpMs: 3000, channels: 20, subscriptionsPerClient: 3, publishers: 40, publishRate: 2, payloadBytes: 100,
  reconnect: { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 'full' }, heartbeat: { intervalMs: 1000, timeoutMs: 3000 },
};

test('plan: same seed same plan, other seed other plan', () => {
  assert.deepEqual(planClients(spec, 3, 7, 't'), planClients(spec, 3, 7, 't'));
  assert.notDeepEqual(planClients(spec, 3, 7, 't'), planClients(spec, 3, 8, 't'));
});

test('plan: distinct subscriptions, publishers read their own channel, every channel published, ramp spread', () => {
  const plans = planClients(spec, 3, 1, 'run');
  assert.equal(plans.length, 300);
  for (const p of plans) {
    assert.equal(new Set(p.channels).size, 3);
    if (p.publishChannel) assert.ok(p.channels.includes(p.publishChannel));
  }
  const publishers = plans.filter((p) => p.publishChannel);
  assert.equal(publishers.length, 40);
  assert.equal(new Set(publishers.map((p) => p.publishChannel)).size, 20);
  assert.deepEqual([0, 1, 2].map((n) => plans.filter((p) => p.node === n).length), [100, 100, 100]);
  assert.equal(plans[0].startOffsetMs, 0);
  assert.ok(plans[299].startOffsetMs < 3000 && plans[299].startOffsetMs > 2900);
});

// cluster.system / adapter / resume / urls: every refusal is one line naming the field (exit 2);
// a missing server binary names its Debian package (exit 3); the default guarantee is the adapter's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/scenario/parse';
import { findBinary } from '../../src/runtime/systems/binary';
import { UserError } from '../../src/util/errors';

const scenario = (cluster: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ name: 'adapters', duration: '1s', clients: { count: 4 }, cluster, ...extra });

function refusal(cluster: Record<string, unknown>): UserError {
  try {
    parseScenario(scenario(cluster), 'inline');
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    return e;
  }
  assert.fail(`accepted ${JSON.stringify(cluster)}`);
}

test('an unknown adapter names cluster.adapter and lists the adapters', () => {
  const e = refusal({ adapter: 'kafka' });
  assert.equal(e.exitCode, 2);
  assert.match(e.oneLine(), /cluster\.adapter: "kafka" is not an adapter.*v1, nats/);
  assert.doesNotMatch(e.oneLine(), /\n/);
});

test('resuming by serial on core NATS is a capability it lacks: cluster.resume, exit 2', () => {
  const e = refusal({ system: 'nats', resume: 'serial' });
  assert.equal(e.exitCode, 2);
  assert.match(e.oneLine(), /cluster\.resume: adapter nats cannot resume by serial \(it resumes: none\)/);
});

test('a URL whose scheme is not the adapter\'s names cluster.urls[i]', () => {
  const e = refusal({ runtime: 'external', adapter: 'nats', urls: ['ws://127.0.0.1:4222'] });
  assert.equal(e.exitCode, 2);
  assert.match(e.oneLine(), /cluster\.urls\[0\]: "ws:\/\/127\.0\.0\.1:4222" is not a nats:\/\/ URL \(adapter nats\)/);
  const v1 = refusal({ runtime: 'external', urls: ['nats://127.0.0.1:4222'] });
  assert.match(v1.oneLine(), /cluster\.urls\[0\]: .* is not a ws:\/\/ or wss:\/\/ URL \(hint/);
});

test('an adapter that does not speak the system names cluster.adapter', () => {
  const e = refusal({ system: 'redis', adapter: 'nats' });
  assert.match(e.oneLine(), /cluster\.adapter: nats speaks to nats, not to system redis.*redis-pubsub/);
});

test('the default guarantee comes from the adapter; a written one wins', () => {
  assert.equal(parseScenario(scenario({ system: 'nats' }), 'inline').guarantee, 'at-most-once');
  assert.equal(parseScenario(scenario({ system: 'redis' }), 'inline').guarantee, 'at-most-once');
  assert.equal(parseScenario(scenario({}), 'inline').guarantee, 'exactly-once-ordered');
  assert.equal(parseScenario(scenario({ system: 'nats' }, { guarantee: 'exactly-once-ordered' }), 'inline').guarantee, 'exactly-once-ordered');
  const nats = parseScenario(scenario({ system: 'nats' }), 'inline').cluster;
  assert.deepEqual([nats.system, nats.adapter, nats.nodes], ['nats', 'nats', 1]);
  const external = parseScenario(scenario({ runtime: 'external', adapter: 'redis-pubsub', urls: ['redis://127.0.0.1:6379'] }), 'inline').cluster;
  assert.equal(external.adapter, 'redis-pubsub');
});

test('a missing server binary names the Debian package to install (exit 3)', () => {
  try {
    findBinary('chat-bench-no-such-server', 'no-such-package');
    assert.fail('found a binary that does not exist');
  } catch (e) {
    assert.ok(e instanceof UserError);
    assert.equal(e.exitCode, 3);
    assert.match(e.oneLine(), /chat-bench-no-such-server is not installed.*apt-get install -y no-such-package/);
  }
});

test('cluster.options: mqtt QoS 0 or a clean session default to at-most-once; other adapters take none', () => {
  const qos0 = parseScenario(scenario({ system: 'mosquitto', options: { qos: 0 } }), 'inline');
  assert.deepEqual([qos0.cluster.adapter, qos0.cluster.adapterOptions, qos0.guarantee], ['mqtt', { qos: 0 }, 'at-most-once']);
  assert.equal(parseScenario(scenario({ system: 'mosquitto' }), 'inline').guarantee, 'at-least-once');
  assert.match(refusal({ system: 'mosquitto', options: { qos: 3 } }).oneLine(), /cluster\.options\.qos/);
  assert.match(refusal({ system: 'nats', options: { qos: 1 } }).oneLine(), /cluster\.options: adapter nats takes no options/);
});

test('jetstream: a non-nats URL names cluster.urls[i]; resuming by serial is a capability it lacks (exit 2)', () => {
  const url = refusal({ runtime: 'external', adapter: 'jetstream', urls: ['nats://127.0.0.1:4222', 'redis://127.0.0.1:6379'] });
  assert.equal(url.exitCode, 2);
  assert.match(url.oneLine(), /cluster\.urls\[1\]: "redis:\/\/127\.0\.0\.1:6379" is not a nats:\/\/ URL \(adapter jetstream\)/);
  const resume = refusal({ system: 'nats', adapter: 'jetstream', resume: 'serial' });
  assert.equal(resume.exitCode, 2);
  assert.match(resume.oneLine(), /cluster\.resume: adapter jetstream cannot resume by serial \(it resumes: session\)/);
  const ok = parseScenario(scenario({ system: 'nats', adapter: 'jetstream', nodes: 3 }), 'inline');
  assert.deepEqual([ok.cluster.adapter, ok.cluster.nodes, ok.guarantee], ['jetstream', 3, 'at-least-once']);
});

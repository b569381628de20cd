import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/scenario/parse';
import { minimal, refuses, scenarioWith } from './support';

const parse = (raw: unknown) => parseScenario(raw, 't.yaml');

describe('scenario defaults', () => {
  test('a minimal scenario gets every default', () => {
    const s = parse(minimal());
    assert.deepEqual(s, {
      name: 't',
      cluster: { runtime: 'local', nodes: 3, durable: true, history: 10_000, historySeconds: 3600, urls: [] },
      clients: {
        count: 10, rampUpMs: 0, channels: 10, subscriptionsPerClient: 1, publishers: 10, publishRate: 1, payloadBytes: 128,
        reconnect: { initialMs: 100, maxMs: 5000, multiplier: 2, jitter: 'full' },
        heartbeat: { intervalMs: 5000, timeoutMs: 10_000 },
      },
      durationMs: 60_000, drainMs: 10_000, recoveryMs: 30_000, faults: [], thresholds: [], guarantee: 'exactly-once-ordered', seed: 1,
    });
  });

  test('publishers defaults to min(count, channels)', () => {
    assert.equal(parse(scenarioWith({ clients: { count: 3 } })).clients.publishers, 3);
    assert.equal(parse(scenarioWith({ clients: { count: 500, channels: 40 } })).clients.publishers, 40);
  });

  test('partial nested objects keep the other defaults', () => {
    const s = parse(scenarioWith({ clients: { reconnect: { max: '1s' }, heartbeat: { timeout: '3s' } }, cluster: { durable: false } }));
    assert.deepEqual(s.clients.reconnect, { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 'full' });
    assert.deepEqual(s.clients.heartbeat, { intervalMs: 5000, timeoutMs: 3000 });
    assert.equal(s.cluster.durable, false);
    assert.equal(s.cluster.nodes, 3);
  });

  test('every field as written is carried over', () => {
    const s = parse({
      name: 'full', description: 'all fields', duration: '2m', drain: '15s', recovery: '1.5s', seed: 42,
      cluster: { runtime: 'docker', nodes: 5, durable: false, history: 500, historyAge: '10m', misbehaviour: { mode: 'dup' }, nodeImage: 'n:1', toxiproxyImage: 't:2' },
      clients: {
        count: 2000, rampUp: '10s', channels: 50, subscriptionsPerClient: 2, publishers: 200, publishRate: '300/m', payloadBytes: 256,
        reconnect: { initial: '50ms', max: '2s', multiplier: 1.5, jitter: 'equal' }, heartbeat: { interval: '1s', timeout: '2s' },
      },
    });
    assert.equal(s.description, 'all fields');
    assert.deepEqual([s.durationMs, s.drainMs, s.recoveryMs, s.seed], [120_000, 15_000, 1500, 42]);
    assert.deepEqual(s.cluster, { runtime: 'docker', nodes: 5, durable: false, history: 500, historySeconds: 600, urls: [], misbehaviour: { mode: 'dup', rate: 0.05 }, nodeImage: 'n:1', toxiproxyImage: 't:2' });
    assert.deepEqual(s.clients, {
      count: 2000, rampUpMs: 10_000, channels: 50, subscriptionsPerClient: 2, publishers: 200, publishRate: 5, payloadBytes: 256,
      reconnect: { initialMs: 50, maxMs: 2000, multiplier: 1.5, jitter: 'equal' }, heartbeat: { intervalMs: 1000, timeoutMs: 2000 },
    });
  });

  test('external runtime takes its node count from urls', () => {
    const s = parse(scenarioWith({ cluster: { runtime: 'external', urls: ['ws://a:1', 'wss://b:2/ws'] } }));
    assert.equal(s.cluster.nodes, 2);
    assert.deepEqual(s.cluster.urls, ['ws://a:1', 'wss://b:2/ws']);
  });

  test('broker misbehaviour rate accepts a fraction or a percentage', () => {
    assert.equal(parse(scenarioWith({ cluster: { misbehaviour: { mode: 'drop', rate: 0.2 } } })).cluster.misbehaviour?.rate, 0.2);
    assert.equal(parse(scenarioWith({ cluster: { misbehaviour: { mode: 'drop', rate: '1%' } } })).cluster.misbehaviour?.rate, 0.01);
  });

  test('empty values (key with nothing after it) take the default', () => {
    assert.equal(parse(scenarioWith({ drain: null })).drainMs, 10_000);
  });
});

describe('scenario errors name their field', () => {
  test('top level', () => {
    refuses(null, '(top level): is empty', /scenarios\//);
    refuses(['a'], '(top level): ["a"] is not a mapping');
    refuses({ duration: '1s', clients: { count: 1 } }, 'name: is required');
    refuses(scenarioWith({ name: 5 }), 'name: 5 is not a text');
    refuses(scenarioWith({ name: 'a\nb' }), 'name: must be one line');
    refuses({ name: 't', clients: { count: 1 } }, 'duration: is required', /duration: 60s/);
    refuses(scenarioWith({ duration: 60 }), 'duration: 60 has no unit', 'write "60s" or "60ms"');
    refuses(scenarioWith({ duration: '0s' }), 'duration: "0s" is not a positive duration');
    refuses(scenarioWith({ drain: '-1s' }), 'drain: "-1s" is not a duration');
    refuses(scenarioWith({ recovery: 5 }), 'recovery: 5 has no unit');
    refuses(scenarioWith({ seed: 1.5 }), 'seed: 1.5 is not a whole number');
    refuses(scenarioWith({ seed: -1 }), 'seed: -1 is not between 0 and 4294967295');
    refuses(scenarioWith({ sed: 1 }), 'sed: unknown field', 'did you mean "seed"?');
    refuses(scenarioWith({ rampUp: '1s' }), 'rampUp: unknown field', 'rampUp belongs under clients:');
    refuses(scenarioWith({ whatever: 1 }), 'whatever: unknown field', /^known fields: name, description, cluster/);
    refuses(scenarioWith({ description: ['x'] }), 'description: ["x"] is not a text');
  });

  test('cluster', () => {
    refuses(scenarioWith({ cluster: 'local' }), 'cluster: "local" is not a mapping');
    refuses(scenarioWith({ cluster: { runtime: 'k8s' } }), 'cluster.runtime: "k8s" is not one of local, docker, external');
    refuses(scenarioWith({ cluster: { runtime: 'lokal' } }), 'cluster.runtime: "lokal" is not one of local, docker, external', 'did you mean "local"?');
    refuses(scenarioWith({ cluster: { nodes: 0 } }), 'cluster.nodes: 0 is not between 1 and 16');
    refuses(scenarioWith({ cluster: { nodes: 17 } }), 'cluster.nodes: 17 is not between 1 and 16');
    refuses(scenarioWith({ cluster: { nodes: '3' } }), 'cluster.nodes: "3" is not a whole number');
    refuses(scenarioWith({ cluster: { durable: 'yes' } }), 'cluster.durable: "yes" is not true or false');
    refuses(scenarioWith({ cluster: { history: 0 } }), 'cluster.history: 0 is less than 1');
    refuses(scenarioWith({ cluster: { historyAge: 3600 } }), 'cluster.historyAge: 3600 has no unit');
    refuses(scenarioWith({ cluster: { historyAge: '500ms' } }), 'cluster.historyAge: 500ms is less than 1s');
    refuses(scenarioWith({ cluster: { historySeconds: 60 } }), 'cluster.historySeconds: unknown field', 'write "historyAge: 1h"');
    refuses(scenarioWith({ cluster: { urls: ['ws://a:1'] } }), 'cluster.urls: is only used with runtime external (runtime is local)');
    refuses(scenarioWith({ cluster: { runtime: 'external' } }), 'cluster.urls: is required', /ws:\/\//);
    refuses(scenarioWith({ cluster: { runtime: 'external', urls: [] } }), 'cluster.urls: is empty');
    refuses(scenarioWith({ cluster: { runtime: 'external', urls: 'ws://a:1' } }), 'cluster.urls: "ws://a:1" is not a list');
    refuses(scenarioWith({ cluster: { runtime: 'external', urls: ['ws://a:1', 'http://b:2'] } }), 'cluster.urls[1]: "http://b:2" is not a ws:// or wss:// URL');
    refuses(scenarioWith({ cluster: { runtime: 'external', nodes: 3, urls: ['ws://a:1'] } }), 'cluster.nodes: is 3 but 1 urls are given');
    refuses(scenarioWith({ cluster: { runtime: 'external', urls: ['ws://a:1'], misbehaviour: { mode: 'drop' } } }), 'cluster.misbehaviour: is a mode of the reference broker, not possible on runtime external');
    refuses(scenarioWith({ cluster: { misbehaviour: { rate: 0.1 } } }), 'cluster.misbehaviour.mode: is required', /drop, dup, reorder/);
    refuses(scenarioWith({ cluster: { misbehaviour: { mode: 'lose' } } }), 'cluster.misbehaviour.mode: "lose" is not one of drop, dup, reorder, no-resume, no-dedupe, amnesia, split-serials, black-hole, corrupt, replay-before-subd');
    refuses(scenarioWith({ cluster: { misbehaviour: { mode: 'drop', rate: 1.5 } } }), 'cluster.misbehaviour.rate: 1.5 is not a fraction between 0 and 1', 'write it like 0.05 or "5%"');
    refuses(scenarioWith({ cluster: { misbehaviour: { mode: 'drop', often: 1 } } }), 'cluster.misbehaviour.often: unknown field', 'known fields: mode, rate');
    refuses(scenarioWith({ cluster: { nodeImage: '' } }), 'cluster.nodeImage: "" is not a text');
  });

  test('clients', () => {
    refuses({ name: 't', duration: '1s' }, 'clients: is required');
    refuses(scenarioWith({ clients: { count: undefined } }), 'clients.count: is required', /count: 100/);
    refuses(scenarioWith({ clients: { count: 0 } }), 'clients.count: 0 is less than 1');
    refuses(scenarioWith({ clients: { count: 2.5 } }), 'clients.count: 2.5 is not a whole number');
    refuses(scenarioWith({ clients: { rampUp: 10 } }), 'clients.rampUp: 10 has no unit', 'write "10s" or "10ms"');
    refuses(scenarioWith({ clients: { rampUp: '2m' } }), 'clients.rampUp: 2m is longer than the run (duration 1m)');
    refuses(scenarioWith({ clients: { channels: 0 } }), 'clients.channels: 0 is not between 1 and 1000000');
    refuses(scenarioWith({ clients: { channels: 4, subscriptionsPerClient: 5 } }), 'clients.subscriptionsPerClient: 5 is not between 1 and 4', /channels: 4/);
    refuses(scenarioWith({ clients: { subscriptionsPerClient: 0 } }), 'clients.subscriptionsPerClient: 0 is not between 1 and 10');
    refuses(scenarioWith({ clients: { publishers: 11 } }), 'clients.publishers: 11 is not between 0 and 10', /10 clients/);
    refuses(scenarioWith({ clients: { publishRate: '-5/s' } }), 'clients.publishRate: "-5/s" is not a rate', 'write it like "5/s"');
    refuses(scenarioWith({ clients: { publishRate: '0/s' } }), 'clients.publishRate: "0/s" publishes nothing', /publishers: 0/);
    refuses(scenarioWith({ clients: { publishRate: 5 } }), 'clients.publishRate: 5 has no time unit', 'write "5/s"');
    refuses(scenarioWith({ clients: { payloadBytes: 60_001 } }), 'clients.payloadBytes: 60001 is not between 0 and 60000');
    refuses(scenarioWith({ clients: { payloadBytes: -1 } }), 'clients.payloadBytes: -1 is not between 0 and 60000');
    refuses(scenarioWith({ clients: { publishrate: '1/s' } }), 'clients.publishrate: unknown field', 'did you mean "publishRate"?');
    refuses(scenarioWith({ clients: { reconnect: 'fast' } }), 'clients.reconnect: "fast" is not a mapping');
    refuses(scenarioWith({ clients: { reconnect: { initial: 100 } } }), 'clients.reconnect.initial: 100 has no unit', 'write "100s" or "100ms"');
    refuses(scenarioWith({ clients: { reconnect: { initial: '0ms' } } }), 'clients.reconnect.initial: "0ms" is not a positive duration');
    refuses(scenarioWith({ clients: { reconnect: { initial: '10s' } } }), 'clients.reconnect.initial: max 5s is less than initial 10s');
    refuses(scenarioWith({ clients: { reconnect: { initial: '1s', max: '500ms' } } }), 'clients.reconnect.max: max 500ms is less than initial 1s');
    refuses(scenarioWith({ clients: { reconnect: { multiplier: 0.5 } } }), 'clients.reconnect.multiplier: 0.5 is less than 1');
    refuses(scenarioWith({ clients: { reconnect: { jitter: 'half' } } }), 'clients.reconnect.jitter: "half" is not one of full, equal, none');
    refuses(scenarioWith({ clients: { reconnect: { maximum: '1s' } } }), 'clients.reconnect.maximum: unknown field', 'known fields: initial, max, multiplier, jitter');
    refuses(scenarioWith({ clients: { heartbeat: { interval: '0s' } } }), 'clients.heartbeat.interval: "0s" is not a positive duration');
    refuses(scenarioWith({ clients: { heartbeat: { timeout: '0s' } } }), 'clients.heartbeat.timeout: "0s" is not a positive duration');
    refuses(scenarioWith({ clients: { heartbeat: { timeout: 10 } } }), 'clients.heartbeat.timeout: 10 has no unit');
  });
});

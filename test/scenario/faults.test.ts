import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/scenario/parse';
import { formatTarget, parseTarget } from '../../src/scenario/targets';
import { refuses, scenarioWith } from './support';

const faultsOf = (faults: unknown[], cluster: Record<string, unknown> = {}) =>
  parseScenario(scenarioWith({ faults, cluster }), 't.yaml').faults;
const refusesFault = (fault: unknown, message: string, hint?: string | RegExp, cluster: Record<string, unknown> = {}) =>
  refuses(scenarioWith({ faults: [fault], cluster }), `faults[0]${message}`, hint);
const external = { runtime: 'external', urls: ['ws://a:1', 'ws://b:2'] };

describe('faults', () => {
  test('DESIGN.md example faults, with defaults filled', () => {
    assert.deepEqual(faultsOf([
      { at: '20s', for: '10s', target: 'clients:node-2', toxic: 'latency', attributes: { latency: 300, jitter: 100 } },
      { at: '35s', for: '5s', target: 'link:node-1>node-3', action: 'down' },
      { at: '45s', target: 'node-2', action: 'kill', restartAfter: '3s' },
    ]), [
      { atMs: 20_000, forMs: 10_000, target: { kind: 'clients', node: 'node-2' }, toxic: 'latency', attributes: { latency: 300, jitter: 100 }, stream: 'downstream', toxicity: 1 },
      { atMs: 35_000, forMs: 5000, action: 'down', target: { kind: 'link', from: 'node-1', to: 'node-3' } },
      { atMs: 45_000, action: 'kill', target: { kind: 'node', node: 'node-2' }, restartAfterMs: 3000 },
    ]);
  });

  test('every toxic with its attributes, stream and toxicity', () => {
    const toxics: Array<[string, Record<string, number>]> = [
      ['latency', { latency: 1, jitter: 0 }], ['bandwidth', { rate: 0 }], ['slow_close', { delay: 10 }], ['timeout', { timeout: 0 }],
      ['reset_peer', { timeout: 5 }], ['slicer', { average_size: 10, size_variation: 10, delay: 5 }], ['limit_data', { bytes: 1000 }],
    ];
    const faults = faultsOf(toxics.map(([toxic, attributes]) => ({ at: '1s', target: 'links:*', toxic, attributes, stream: 'both', toxicity: 0.5 })));
    faults.forEach((f, i) => {
      assert.equal(f.toxic, toxics[i][0]);
      assert.deepEqual(f.attributes, toxics[i][1]);
      assert.equal(f.stream, 'both');
      assert.equal(f.toxicity, 0.5);
      assert.deepEqual(f.target, { kind: 'link', from: '*', to: '*' });
    });
    assert.deepEqual(faultsOf([{ at: '1s', target: 'clients:*', toxic: 'latency' }])[0].attributes, {});
    assert.equal(faultsOf([{ at: '1s', target: 'clients:*', toxic: 'latency', toxicity: '25%' }])[0].toxicity, 0.25);
  });

  test('every action', () => {
    assert.deepEqual(faultsOf([
      { at: '1s', target: 'clients:node-1', action: 'down' },
      { at: '2s', for: '3s', action: 'partition', nodes: ['node-3'] },
      { at: '3s', target: 'node:node-1', action: 'pause', restartAfter: '2s' },
      { at: '4s', target: 'node:node-2', action: 'kill', restartAfter: '2s' }, // overlapping process faults are refused (limits.test.ts)
      { at: '9s', target: 'node:node-2', action: 'restart' },
    ]), [
      { atMs: 1000, action: 'down', target: { kind: 'clients', node: 'node-1' } },
      { atMs: 2000, forMs: 3000, action: 'partition', nodes: ['node-3'] },
      { atMs: 3000, action: 'pause', target: { kind: 'node', node: 'node-1' }, restartAfterMs: 2000 },
      { atMs: 4000, action: 'kill', target: { kind: 'node', node: 'node-2' }, restartAfterMs: 2000 },
      { atMs: 9000, action: 'restart', target: { kind: 'node', node: 'node-2' } },
    ]);
  });

  test('external runtime allows client-proxy faults only', () => {
    assert.equal(faultsOf([{ at: '1s', target: 'clients:node-2', toxic: 'latency', attributes: { latency: 5 } }], external).length, 1);
    assert.equal(faultsOf([{ at: '1s', target: 'clients:*', action: 'down' }], external).length, 1);
    refusesFault({ at: '1s', target: 'node:node-1', action: 'kill' }, '.action: kill is not possible on runtime external', /processes/, external);
    refusesFault({ at: '1s', target: 'node:node-1', action: 'pause' }, '.action: pause is not possible on runtime external', undefined, external);
    refusesFault({ at: '1s', target: 'node:node-1', action: 'restart' }, '.action: restart is not possible on runtime external', undefined, external);
    refusesFault({ at: '1s', action: 'partition', nodes: ['node-1'] }, '.action: partition is not possible on runtime external', undefined, external);
    refusesFault({ at: '1s', target: 'link:node-1>node-2', action: 'down' }, '.target: links between nodes cannot be proxied on runtime external', undefined, external);
    refusesFault({ at: '1s', target: 'links:*', toxic: 'latency' }, '.target: links between nodes cannot be proxied on runtime external', undefined, external);
  });

  test('timing errors name at, for and restartAfter', () => {
    refusesFault({ target: 'clients:*', toxic: 'latency' }, '.at: is required', /at: 20s/);
    refusesFault({ at: 20, target: 'clients:*', toxic: 'latency' }, '.at: 20 has no unit', 'write "20s" or "20ms"');
    refusesFault({ at: '60s', target: 'clients:*', toxic: 'latency' }, '.at: 1m is not before the end of the run (duration 1m)');
    refusesFault({ at: '50s', for: '20s', target: 'clients:*', toxic: 'latency' }, '.for: at 50s + for 20s ends after the run (duration 1m)');
    refusesFault({ at: '5s', for: '0s', target: 'clients:*', toxic: 'latency' }, '.for: "0s" is not a positive duration');
    refusesFault({ at: '50s', target: 'node-1', action: 'kill', restartAfter: '11s' }, '.restartAfter: at 50s + restartAfter 11s ends after the run (duration 1m)');
  });

  test('a fault needs exactly one of toxic and action', () => {
    refusesFault({ at: '1s', target: 'clients:*' }, ': needs a toxic or an action', /toxic: latency\|bandwidth/);
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'latency', action: 'down' }, '.action: a fault has a toxic or an action, not both');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'jitter' }, '.toxic: "jitter" is not one of latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'latncy' }, '.toxic: "latncy" is not one of latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data', 'did you mean "latency"?');
    refusesFault({ at: '1s', target: 'node-1', action: 'crash' }, '.action: "crash" is not one of down, partition, kill, pause, restart');
    refusesFault({ at: '1s', target: 'clients:*', type: 'latency' }, '.type: unknown field', /toxic: <type>/);
    refusesFault('latency', ': "latency" is not a mapping');
    refuses(scenarioWith({ faults: { at: '1s' } }), 'faults: {"at":"1s"} is not a list');
  });

  test('toxic errors: target kind, attributes, stream, toxicity, action-only fields', () => {
    refusesFault({ at: '1s', toxic: 'latency' }, '.target: is required');
    refusesFault({ at: '1s', target: 'node:node-1', toxic: 'latency' }, '.target: toxics act on connections, not on a node process', /clients:NODE/);
    refusesFault({ at: '1s', target: 'node-1', toxic: 'latency' }, '.target: toxics act on connections, not on a node process');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'latency', attributes: { latency: '300ms' } }, '.attributes.latency: "300ms" is not a whole number >= 0', 'toxic attributes are Toxiproxy integers in ms: write latency: 300');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'latency', attributes: { latency: -1 } }, '.attributes.latency: -1 is not a whole number >= 0', 'write a whole number >= 0 (ms)');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'latency', attributes: { latency: 1.5 } }, '.attributes.latency: 1.5 is not a whole number >= 0');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'latency', attributes: { rate: 5 } }, '.attributes.rate: "rate" is not an attribute of the latency toxic', 'latency takes latency (ms), jitter (ms)');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'slicer', attributes: { average_size: 5, delay: 1, bytes: 2 } }, '.attributes.bytes: "bytes" is not an attribute of the slicer toxic', 'slicer takes average_size (bytes), size_variation (bytes), delay (µs)');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'bandwidth', attributes: 100 }, '.attributes: 100 is not a mapping', 'write it like { rate: 100 }');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'slicer' }, '.attributes: a slicer needs average_size >= 1');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'slicer', attributes: { average_size: 5, size_variation: 6 } }, '.attributes.size_variation: 6 is more than average_size 5');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'latency', stream: 'up' }, '.stream: "up" is not one of upstream, downstream, both');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'latency', toxicity: 2 }, '.toxicity: 2 is not a fraction between 0 and 1');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'latency', nodes: ['node-1'] }, '.nodes: is not used with a toxic');
    refusesFault({ at: '1s', target: 'clients:*', toxic: 'latency', restartAfter: '1s' }, '.restartAfter: is not used with a toxic');
  });

  test('action errors: targets, nodes and fields that belong elsewhere', () => {
    refusesFault({ at: '1s', target: 'node:node-1', action: 'down' }, '.target: action down disables a proxy, not a node');
    refusesFault({ at: '1s', action: 'down' }, '.target: is required');
    refusesFault({ at: '1s', target: 'clients:node-1', action: 'kill' }, '.target: action kill needs a node', 'write "target: node:node-2"');
    refusesFault({ at: '1s', target: 'link:node-1>node-2', action: 'pause' }, '.target: action pause needs a node');
    refusesFault({ at: '1s', target: 'clients:*', action: 'restart' }, '.target: action restart needs a node');
    refusesFault({ at: '1s', action: 'kill' }, '.target: is required');
    refusesFault({ at: '1s', for: '2s', target: 'node-1', action: 'kill' }, '.for: is not used with action kill', 'use "restartAfter" to bring the node back');
    refusesFault({ at: '1s', target: 'node-1', action: 'restart', restartAfter: '1s' }, '.restartAfter: is only used with kill and pause');
    refusesFault({ at: '1s', target: 'clients:*', action: 'down', restartAfter: '1s' }, '.restartAfter: is only used with kill and pause', 'use "for" to bring the proxy back');
    refusesFault({ at: '1s', target: 'clients:*', action: 'down', attributes: { latency: 1 } }, '.attributes: is only used with a toxic');
    refusesFault({ at: '1s', target: 'clients:*', action: 'down', stream: 'both' }, '.stream: is only used with a toxic');
    refusesFault({ at: '1s', target: 'clients:*', action: 'down', toxicity: 1 }, '.toxicity: is only used with a toxic');
    refusesFault({ at: '1s', target: 'node-1', action: 'kill', nodes: ['node-1'] }, '.nodes: is only used with action partition');
    refusesFault({ at: '1s', action: 'partition' }, '.nodes: is required', /nodes: \[node-2\]/);
    refusesFault({ at: '1s', action: 'partition', nodes: [] }, '.nodes: is empty');
    refusesFault({ at: '1s', action: 'partition', nodes: ['node-4'] }, '.nodes[0]: there is no node "node-4"', 'nodes are node-1, node-2, node-3');
    refusesFault({ at: '1s', action: 'partition', nodes: ['node-1', 'node-1'] }, '.nodes[1]: "node-1" is listed twice');
    refusesFault({ at: '1s', action: 'partition', nodes: ['node-1', 'node-2', 'node-3'] }, '.nodes: cuts off every node: nothing is left on the other side');
    refusesFault({ at: '1s', action: 'partition', target: 'node-1', nodes: ['node-1'] }, '.target: a partition is given by "nodes", not a target');
  });

  test('node ids in targets must exist', () => {
    refusesFault({ at: '1s', target: 'clients:node-4', toxic: 'latency' }, '.target: "clients:node-4": there is no node "node-4"', 'nodes are node-1, node-2, node-3');
    refusesFault({ at: '1s', target: 'link:node-1>node-9', action: 'down' }, '.target: "link:node-1>node-9": there is no node "node-9"');
    refusesFault({ at: '1s', target: 'node:node-0', action: 'kill' }, '.target: "node:node-0": there is no node "node-0"');
    refusesFault({ at: '1s', target: 'node:*', action: 'kill' }, '.target: "node:*": there is no node "*"', 'a process fault needs one node');
    refusesFault({ at: '1s', target: 'node-5', action: 'kill' }, '.target: "node-5" is not a target', /clients:NODE.*nodes are node-1, node-2, node-3/);
    refusesFault({ at: '1s', target: 'link:node-1', action: 'down' }, '.target: "link:node-1" is not a link', /link:node-1>node-3/);
    refusesFault({ at: '1s', target: 'link:node-2>node-2', action: 'down' }, '.target: "link:node-2>node-2" links a node to itself');
    refusesFault({ at: '1s', target: 'links:node-1', action: 'down' }, '.target: "links:node-1" is not a target', /links:\*/);
    refusesFault({ at: '1s', target: 'proxy:node-1', action: 'down' }, '.target: "proxy:node-1" is not a target');
    refusesFault({ at: '1s', target: 5, action: 'down' }, '.target: 5 is not a target');
  });
});

describe('targets', () => {
  const nodes = ['node-1', 'node-2', 'node-3'];
  test('every written form parses and formats back canonically', () => {
    const cases: Array<[string, string]> = [
      ['clients:node-2', 'clients:node-2'], ['clients:*', 'clients:*'], ['link:node-1>node-3', 'link:node-1>node-3'],
      ['link:node-1>*', 'link:node-1>*'], ['link:*>node-2', 'link:*>node-2'], ['link:*>*', 'links:*'], ['links:*', 'links:*'],
      ['node:node-2', 'node:node-2'], ['node-2', 'node:node-2'],
    ];
    for (const [text, canonical] of cases) assert.equal(formatTarget(parseTarget(text, nodes)), canonical, text);
  });
});

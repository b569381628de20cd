// Issue 11, items 7-9 and 11: bounded scenario input (file size, shape, counts, texts), every
// parse failure a one-line usage error naming the file, capacity checked at validation, and
// contradictory faults refused naming both.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UserError } from '../../src/util/errors';
import { loadScenarioFile, parseScenarioText } from '../../src/scenario/load';
import { LIMITS } from '../../src/scenario/limits';
import { parseScenario } from '../../src/scenario/parse';
import { tmpOut } from '../integration/support';
import { refuses, scenarioWith } from './support';

/** The one-line refusal (exit 2) of `fn`. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected UserError, got ${(e as Error)?.stack ?? String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.ok(!e.oneLine().includes('\n'), 'one line');
    return e.oneLine();
  }
  assert.fail('not refused');
}

const BASE = 'name: t\nduration: 60s\nclients: { count: 10 }\n';
const fileWith = (name: string, text: string | Buffer): string => {
  const path = join(tmpOut(), name);
  writeFileSync(path, text);
  return path;
};
const fault = (f: Record<string, unknown>) => ({ at: '20s', for: '10s', ...f });

describe('scenario size bounds', () => {
  test('a file over 1 MiB is refused by its size, before it is parsed', () => {
    const path = fileWith('big.yaml', BASE + `description: "${'x'.repeat(LIMITS.fileBytes)}"\n`);
    assert.match(refusal(() => loadScenarioFile(path)), /big\.yaml: is \d+ bytes, more than the 1048576 bytes \(1 MiB\)/);
  });

  test('a stream with no size (/dev/zero) is read only up to the bound', () => {
    assert.match(refusal(() => loadScenarioFile('/dev/zero')), /\/dev\/zero: is longer, more than the 1048576 bytes/);
  });

  test('more than 1000 faults: refused naming faults, before any fault is read', () => {
    const faults = Array.from({ length: LIMITS.faults + 1 }, (_, i) => ({ at: `${i}ms`, target: 'node-2', action: 'restart' }));
    const line = refusal(() => parseScenarioText(JSON.stringify(scenarioWith({ duration: '1h', faults })), 'f.json', 'json'));
    assert.match(line, /scenario f\.json: faults: has 1001 items, more than 1000/);
  });

  test('texts, names, nesting, counts and values beyond their bounds name the field', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ description: 'x'.repeat(LIMITS.textChars + 1) }, /description: is 4097 characters long, more than 4096/],
      [{ name: 'n'.repeat(LIMITS.nameChars + 1) }, /name: is 201 characters long, more than 200/],
      [{ clients: { count: 10, channels: LIMITS.channels + 1 } }, /clients\.channels: 1000001 is not between 1 and 1000000/],
      [{ clients: { count: 10, channels: 5000, subscriptionsPerClient: 1001 } }, /clients\.subscriptionsPerClient: 1001 is not between 1 and 1000/],
      [{ clients: { count: 10, publishRate: '20000/s' } }, /clients\.publishRate: "20000\/s" is more than 10000\/s per publisher/],
      [{ duration: '200h' }, /duration: "200h" is longer than 168h/],
      [{ faults: [fault({ target: 'clients:node-1', toxic: 'latency', attributes: { latency: 2 ** 31 } })] }, /faults\[0\]\.attributes\.latency: 2147483648 is more than 2147483647/],
      [{ clients: { count: 10, heartbeat: { interval: [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]] } } }, /nests deeper than 16 levels/],
    ];
    for (const [patch, message] of cases) {
      assert.match(refusal(() => parseScenarioText(JSON.stringify(scenarioWith(patch)), 's.json', 'json')), message);
    }
    const thresholds = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`latency.p${i + 1}`.replace(/p101$/, "max"), ["< 1s", "< 2s"]]));
    assert.match(refusal(() => parseScenario(scenarioWith({ thresholds }), 't.yaml')), /thresholds: has more than 200 conditions/);
  });
});

describe('parse failures are usage errors naming the file (exit 2)', () => {
  test('a YAML alias bomb', () => {
    let text = `${BASE}a0: &a0 [x, x, x, x, x, x, x, x, x]\n`;
    for (let i = 1; i < 10; i++) text += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
    const line = refusal(() => loadScenarioFile(fileWith('bomb.yaml', text)));
    assert.match(line, /^chat-bench: scenario \S+bomb\.yaml: YAML aliases expand too much .*\(hint: a scenario may expand at most 1000 aliases/);
  });

  test('YAML and JSON nested far too deep', () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    assert.match(refusal(() => parseScenarioText(`${BASE}description: ${deep}\n`, 'deep.yaml', 'yaml')), /scenario deep\.yaml: nests deeper than 16 levels/);
    assert.match(refusal(() => parseScenarioText(`{"name":"t","x":${deep}}`, 'deep.json', 'json')), /scenario deep\.json: x(\[0\])+: nests deeper than 16 levels/);
  });
});

describe('capacity is checked at validation', () => {
  test('clients.count beyond what the open-files limit holds: the field, the largest count, no hint beyond 16 nodes', () => {
    const raw = JSON.stringify(scenarioWith({ clients: { count: 10_000_000 } }));
    const line = refusal(() => parseScenarioText(raw, 'c.json', 'json', undefined, 20_000));
    assert.match(line, /scenario c\.json: clients\.count: 10000000 is more than this machine can hold with 3 nodes: at most 28284 \(open-files limit 20000\)/);
    assert.match(line, /write count: 28284 or less \(150848 with cluster\.nodes: 16\)/);
    for (const m of line.matchAll(/cluster\.nodes: (\d+)/g)) assert.ok(Number(m[1]) <= 16, line);
    // 40,000 clients fit with more nodes: the hint names the smallest node count that holds them
    const more = refusal(() => parseScenarioText(JSON.stringify(scenarioWith({ clients: { count: 40_000 } })), 'c.json', 'json', undefined, 20_000));
    assert.match(more, /or cluster\.nodes: 5 or more/);
    parseScenarioText(JSON.stringify(scenarioWith({ clients: { count: 28_284 } })), 'c.json', 'json', undefined, 20_000);
    parseScenarioText(JSON.stringify(scenarioWith({ cluster: { runtime: 'docker' }, clients: { count: 10_000_000 } })), 'c.json', 'json', undefined, 20_000);
  });
});

describe('overlapping faults', () => {
  const nodeFault = (at: string, action: string, more: Record<string, unknown> = {}) => ({ at, target: 'node:node-2', action, ...more });

  test('two latency toxics on one proxy and direction at overlapping times: refused naming both', () => {
    refuses(scenarioWith({ faults: [
      fault({ target: 'clients:node-2', toxic: 'latency', attributes: { latency: 300 } }),
      fault({ at: '25s', target: 'clients:*', toxic: 'latency', stream: 'both', attributes: { latency: 100 } }),
    ] }), 'faults[1]: overlaps faults[0]: both add a latency toxic (downstream) to clients:node-2 between 25s and 30s',
    /Toxiproxy would stack them/);
    refuses(scenarioWith({ faults: [
      fault({ target: 'link:node-1>*', toxic: 'bandwidth', stream: 'upstream', attributes: { rate: 1 } }),
      fault({ for: undefined, target: 'links:*', toxic: 'bandwidth', stream: 'both', attributes: { rate: 2 } }),
    ] }), 'faults[1]: overlaps faults[0]: both add a bandwidth toxic (upstream) to link:node-1>node-2 between 20s and 30s');
  });

  test('process faults on one node at overlapping times: refused naming both', () => {
    refuses(scenarioWith({ faults: [nodeFault('20s', 'pause', { restartAfter: '5s' }), nodeFault('22s', 'kill', { restartAfter: '3s' })] }),
      'faults[1]: overlaps faults[0]: pause and kill both act on the node-2 process between 22s and 25s', /one process fault per node at a time/);
    refuses(scenarioWith({ faults: [nodeFault('20s', 'kill'), nodeFault('40s', 'restart')] }),
      'faults[1]: overlaps faults[0]: kill and restart both act on the node-2 process at 40s');
  });

  test('what overlaps freely: downs and partitions (ref-counted), different toxics, different nodes, back to back', () => {
    const ok = (faults: unknown[]) => parseScenario(scenarioWith({ faults }), 't.yaml');
    ok([fault({ target: 'clients:node-2', action: 'down' }), fault({ at: '25s', target: 'clients:*', action: 'down' })]);
    ok([fault({ action: 'partition', nodes: ['node-1'] }), fault({ at: '25s', action: 'partition', nodes: ['node-2'] }),
      fault({ at: '22s', target: 'link:node-1>node-2', action: 'down' })]);
    ok([fault({ target: 'clients:node-2', toxic: 'latency' }), fault({ target: 'clients:node-2', toxic: 'bandwidth' }),
      fault({ target: 'clients:node-2', toxic: 'latency', stream: 'upstream' }), fault({ target: 'clients:node-3', toxic: 'latency' }),
      fault({ at: '30s', target: 'clients:node-2', toxic: 'latency' })]);
    ok([nodeFault('20s', 'pause', { restartAfter: '5s' }), nodeFault('26s', 'kill', { restartAfter: '1s' }), { at: '20s', target: 'node-3', action: 'kill' }]);
  });
});

// Reading scenario files from disk: YAML and JSON, syntax errors with line:column, field
// errors with their line, a missing file, and every bundled scenario in scenarios/.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../../src/util/errors';
import { isScenarioFile, listScenarios, summarise } from '../../src/scenario/list';
import { loadScenarioFile } from '../../src/scenario/load';
import { parse as parseYaml } from 'yaml';

const dir = mkdtempSync(join(tmpdir(), 'chat-bench-scenario-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function refuses(path: string, message: string, hint?: RegExp): void {
  assert.throws(() => loadScenarioFile(path), (e: unknown) => {
    assert.ok(e instanceof UserError, `expected UserError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, message);
    if (hint) assert.match(e.hint ?? '', hint);
    assert.ok(!e.oneLine().includes('\n'), 'one line');
    return true;
  });
}

const DESIGN_EXAMPLE = `name: partition-heal
cluster: { runtime: local, nodes: 3, durable: true, history: 10000 }
clients:
  count: 2000            # virtual clients (each one WebSocket)
  rampUp: 10s
  channels: 50
  subscriptionsPerClient: 2
  publishers: 200        # clients that also publish
  publishRate: 5/s       # per publisher, open-loop
  payloadBytes: 256
  reconnect: { initial: 100ms, max: 5s, multiplier: 2, jitter: full }
  heartbeat: { interval: 5s, timeout: 10s }
duration: 60s
drain: 15s
faults:
  - { at: 20s, for: 10s, target: clients:node-2, toxic: latency, attributes: { latency: 300, jitter: 100 } }
  - { at: 35s, for: 5s, target: link:node-1>node-3, action: down }
  - { at: 45s, target: node-2, action: kill, restartAfter: 3s }
thresholds:
  latency.p99{phase:steady}: "< 100ms"
  loss: "== 0"
  duplicates: "== 0"
  reorders: "== 0"
seed: 42                 # same seed, same client/channel/fault assignment
`;

describe('loadScenarioFile', () => {
  test("DESIGN.md's example loads as YAML and as JSON to the same scenario", () => {
    const fromYaml = loadScenarioFile(file('design.yaml', DESIGN_EXAMPLE));
    assert.equal(fromYaml.name, 'partition-heal');
    assert.equal(fromYaml.clients.publishRate, 5);
    assert.equal(fromYaml.faults.length, 3);
    assert.equal(fromYaml.thresholds.length, 4);
    assert.equal(fromYaml.seed, 42);
    assert.equal(fromYaml.sourcePath, join(dir, 'design.yaml'));
    const asJson = JSON.stringify(parseYaml(DESIGN_EXAMPLE), null, 2);
    const fromJson = loadScenarioFile(file('design.json', asJson));
    assert.deepEqual({ ...fromJson, sourcePath: undefined }, { ...fromYaml, sourcePath: undefined });
  });

  test('.yml is YAML too', () => {
    assert.equal(loadScenarioFile(file('short.yml', 'name: s\nduration: 5s\nclients: { count: 1 }\n')).name, 's');
  });

  test('a missing file is a usage error naming the path', () => {
    const path = join(dir, 'nope.yaml');
    refuses(path, `scenario ${path}: no such file`, /chat-bench list/);
    refuses(dir, `scenario ${dir}: is a folder, not a file`);
  });

  test('YAML syntax errors are one line with line:column', () => {
    const path = file('broken.yaml', 'name: x\nclients:\n  count: [1\n');
    assert.throws(() => loadScenarioFile(path), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.exitCode, 2);
      assert.match(e.message, new RegExp(`^scenario ${path}:\\d+:\\d+: YAML syntax error: \\S`));
      assert.ok(!e.oneLine().includes('\n'));
      return true;
    });
    refuses(file('dup-keys.yaml', 'name: x\nname: y\n'), `scenario ${join(dir, 'dup-keys.yaml')}:2:1: YAML syntax error: Map keys must be unique`);
  });

  test('JSON syntax errors are one line with line:column', () => {
    const path = file('broken.json', '{\n  "name": "x",\n}\n');
    assert.throws(() => loadScenarioFile(path), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, new RegExp(`^scenario ${path}:3:1: JSON syntax error: \\S`));
      assert.ok(!e.oneLine().includes('\n'));
      return true;
    });
  });

  test('field errors carry the line of the field', () => {
    const text = DESIGN_EXAMPLE.replace('publishRate: 5/s', 'publishRate: -5/s');
    const path = file('smoke.yaml', text);
    refuses(path, `scenario ${path}:9: clients.publishRate: "-5/s" is not a rate`, /write it like "5\/s"/);
    const typo = file('typo.yaml', DESIGN_EXAMPLE.replace('  rampUp: 10s', '  rampup: 10s'));
    refuses(typo, `scenario ${typo}:5: clients.rampup: unknown field`, /did you mean "rampUp"\?/);
    const attr = file('attr.yaml', DESIGN_EXAMPLE.replace('latency: 300,', 'latency: 300ms,'));
    refuses(attr, `scenario ${attr}:16: faults[0].attributes.latency: "300ms" is not a whole number >= 0`);
    const missing = file('missing.yaml', 'name: x\nduration: 5s\nclients:\n  rampUp: 1s\n');
    refuses(missing, `scenario ${missing}:4: clients.count: is required`);
    const threshold = file('thr.yaml', `${DESIGN_EXAMPLE}\n`.replace('loss: "== 0"', 'loss: "== 0ms"'));
    refuses(threshold, `scenario ${threshold}:21: thresholds.loss: "== 0ms": counts take no unit`);
  });

  test('an empty file is refused', () => {
    const path = file('empty.yaml', '# nothing yet\n');
    refuses(path, `scenario ${path}: (top level): is empty`);
  });
});

describe('bundled scenarios', () => {
  const folder = resolve(__dirname, '../../../scenarios');
  let names: string[] = [];
  try {
    names = readdirSync(folder).filter(isScenarioFile).sort();
  } catch {
    // no scenarios/ folder yet: nothing to check
  }

  test('every file in scenarios/ loads, with a header comment and at least one threshold', () => {
    for (const name of names) {
      const path = join(folder, name);
      const s = loadScenarioFile(path);
      assert.ok(s.name, `${name}: name`);
      assert.ok(s.thresholds.length > 0, `${name}: a bundled scenario must gate on something`);
    }
  });

  test('chat-bench list shows each one with its summary', () => {
    const listed = names.length ? listScenarios(folder) : [];
    assert.deepEqual(listed.map((l) => l.file), names);
    for (const l of listed) assert.ok(l.summary && l.summary !== '(no description)' && !l.summary.includes('\n'), `${l.file}: summary`);
  });
});

describe('listScenarios', () => {
  test('header comment, else description, else name', () => {
    const sub = join(dir, 'list');
    mkdirSync(sub);
    writeFileSync(join(sub, 'b.yaml'), '# Bee: proves things\n# more text\nname: b\n');
    writeFileSync(join(sub, 'a.json'), '{"name": "a", "description": "Ay scenario"}');
    writeFileSync(join(sub, 'c.yml'), 'name: cee\n');
    writeFileSync(join(sub, 'notes.txt'), 'ignored');
    assert.deepEqual(listScenarios(sub).map((l) => [l.file, l.summary]), [
      ['a.json', 'Ay scenario'], ['b.yaml', 'Bee: proves things'], ['c.yml', 'cee'],
    ]);
    assert.equal(summarise('not: [valid'), '(no description)');
    assert.throws(() => listScenarios(join(dir, 'absent')), (e: unknown) => e instanceof UserError && e.exitCode === 2);
  });
});

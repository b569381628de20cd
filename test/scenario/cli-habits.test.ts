// The CLI habits of issue 14 at the unit level: --set, ${ENV} interpolation, k6 threshold
// spellings, bundled scenario names, NO_COLOR, and every scenario error reported at once.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UserError, UserErrors } from '../../src/util/errors';
import { colorWanted } from '../../src/util/color';
import { applySets, parseSet } from '../../src/scenario/set-values';
import { interpolateEnv } from '../../src/scenario/interpolate';
import { fromK6 } from '../../src/scenario/k6-thresholds';
import { bundledScenarioDir, resolveScenarioArg } from '../../src/scenario/bundled';
import { loadScenarioFile } from '../../src/scenario/load';
import { parseScenario } from '../../src/scenario/parse';
import { minimal, scenarioWith } from './support';

const refusal = (fn: () => unknown): UserError => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected UserError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    return e;
  }
  assert.fail('expected a refusal');
};

describe('--set', () => {
  test('values are YAML scalars at dotted paths, later ones win, missing mappings are made', () => {
    const raw = minimal();
    raw.faults = [{ at: '1s', action: 'down', target: 'clients:node-1', for: '2s' }];
    applySets(raw, ['clients.count=5000', 'clients.publishRate=3/s', 'cluster.durable=false', 'faults.0.for=4s', 'name=x', 'name=y',
      'clients.reconnect.max=2s'].map(parseSet));
    assert.equal(raw.clients.count, 5000);
    assert.equal(raw.clients.publishRate, '3/s');
    assert.deepEqual(raw.cluster, { durable: false });
    assert.equal(raw.faults[0].for, '4s');
    assert.equal(raw.name, 'y');
    assert.deepEqual(raw.clients.reconnect, { max: '2s' });
    assert.equal(parseScenario(raw, 't').clients.count, 5000);
  });

  test('a key with dots is written in brackets; [0] indexes a list', () => {
    assert.deepEqual(parseSet('thresholds[latency.p99]=< 2s').path, ['thresholds', 'latency.p99']);
    assert.deepEqual(parseSet('thresholds["loss.rate"]=< 1%').path, ['thresholds', 'loss.rate']);
    assert.deepEqual(parseSet('faults[0].at=1s').path, ['faults', 0, 'at']);
    const raw = scenarioWith({ thresholds: { 'latency.p99': '< 100ms' } });
    applySets(raw, [parseSet('thresholds[latency.p99]=< 2s')]);
    assert.deepEqual(parseScenario(raw, 't').thresholds, [{ expression: 'latency.p99', condition: '< 2s' }]);
  });

  test('malformed --set values are refused naming the --set', () => {
    assert.match(refusal(() => parseSet('clients.count')).message, /^--set "clients.count": is not field=value$/);
    assert.match(refusal(() => parseSet('clients..count=1')).message, /is not a field path/);
    assert.match(refusal(() => parseSet('__proto__.x=1')).message, /is not a field path/);
    assert.match(refusal(() => parseSet('0.x=1')).message, /is not a field path/);
    assert.match(refusal(() => parseSet('clients={count: 3}')).message, /is a mapping, not a single value/);
    assert.match(refusal(() => applySets(minimal(), [parseSet('name.first=a')])).message, /name is a single value, not a mapping/);
    assert.match(refusal(() => applySets(minimal(), [parseSet('faults.0.at=1s')])).message, /faults has no list to index/);
    assert.match(refusal(() => applySets({ ...minimal(), faults: [] }, [parseSet('faults.at=1s')])).message, /faults is a list/);
  });

  test('a --set value is validated like the file', () => {
    const raw = minimal();
    applySets(raw, [parseSet('clients.count=lots')]);
    assert.match(refusal(() => parseScenario(raw, 't')).message, /clients\.count: "lots" is not a whole number/);
  });
});

describe('${ENV} interpolation', () => {
  const env = { N: '250', EMPTY: '' };
  test('set, default, set-but-empty, escaped, comments untouched', () => {
    assert.equal(interpolateEnv('count: ${N}\nx: ${MISSING:-7}\ny: "${EMPTY:-d}"\nz: "${EMPTY}"\nw: $${N}\n# ${NOPE}', 'f', env),
      'count: 250\nx: 7\ny: "d"\nz: ""\nw: ${N}\n# ${NOPE}');
  });
  test('an unset variable without default: file, line and name, exit 2', () => {
    const e = refusal(() => interpolateEnv('name: a\nclients: { count: ${CB_UNSET_COUNT} }', 'my.yaml', env));
    assert.equal(e.message, 'scenario my.yaml:2: environment variable CB_UNSET_COUNT is not set');
    assert.match(e.hint ?? '', /export CB_UNSET_COUNT=/);
    assert.match(refusal(() => interpolateEnv('a: ${1X}', 'f', env)).message, /\$\{1X\} is not a variable reference/);
  });
  test('loadScenarioFile interpolates from the environment (flow mappings too)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-env-'));
    const file = join(dir, 's.yaml');
    writeFileSync(file, 'name: ${CB_TEST_NAME:-envy}\nduration: ${CB_TEST_DURATION}\nclients: { count: ${CB_TEST_COUNT:-12} }\n');
    process.env.CB_TEST_DURATION = '30s';
    try {
      const s = loadScenarioFile(file);
      assert.deepEqual([s.name, s.durationMs, s.clients.count], ['envy', 30_000, 12]);
    } finally {
      delete process.env.CB_TEST_DURATION;
    }
    assert.match(refusal(() => loadScenarioFile(file)).message, /s\.yaml:2: environment variable CB_TEST_DURATION is not set$/);
  });
});

describe('k6 threshold spellings', () => {
  test('aggregation in the condition or in the key; unitless latency is ms', () => {
    assert.deepEqual(fromK6('latency', 'p(95)<500'), { expression: 'latency.p95', condition: '< 500ms' });
    assert.deepEqual(fromK6('latency{phase:steady}', 'p(99.9) <= 2s'), { expression: 'latency.p99.9{phase:steady}', condition: '<= 2s' });
    assert.deepEqual(fromK6('connect', 'avg<200'), { expression: 'connect.mean', condition: '< 200ms' });
    assert.deepEqual(fromK6('latency', 'med<50'), { expression: 'latency.p50', condition: '< 50ms' });
    assert.deepEqual(fromK6('latency.p(95)', '<500'), { expression: 'latency.p95', condition: '< 500ms' });
    assert.deepEqual(fromK6('loss', 'count==0'), { expression: 'loss', condition: '== 0' });
    assert.deepEqual(fromK6('loss', 'rate<0.01'), { expression: 'loss.rate', condition: '< 0.01' });
    assert.deepEqual(fromK6('latency.p99', '< 100ms'), { expression: 'latency.p99', condition: '< 100ms' }, 'own form untouched');
  });
  test('a scenario with k6 lists loads into the same thresholds as the native form', () => {
    const k6 = parseScenario(scenarioWith({ thresholds: { latency: ['p(95)<500', 'p(99)<1500'], loss: 'count==0' } }), 't');
    const own = parseScenario(scenarioWith({ thresholds: { 'latency.p95': '< 500ms', 'latency.p99': '< 1500ms', loss: '== 0' } }), 't');
    assert.deepEqual(k6.thresholds, own.thresholds);
  });
  test('a bad k6 condition is still refused naming the field', () => {
    assert.match(refusal(() => parseScenario(scenarioWith({ thresholds: { latency: 'p(95)<fast' } }), 't')).message, /thresholds\.latency: /);
  });
});

describe('validate reports every error', () => {
  test('one problem per section, in file order; message is the first, lines() has them all', () => {
    const raw = { name: 't', duration: 'soon', clients: { count: 0 }, cluster: { nodes: 99 }, colour: 1, seed: -1, thresholds: { 'latency.p99': '< 1', nope: '== 0' } };
    const e = refusal(() => parseScenario(raw, 't.yaml'));
    assert.ok(e instanceof UserErrors);
    assert.equal(e.message, 'scenario t.yaml: colour: unknown field');
    const lines = e.lines();
    assert.equal(lines.length, 7, lines.join('\n'));
    for (const field of ['colour', 'duration', 'cluster.nodes', 'clients.count', 'thresholds["latency.p99"]', 'thresholds.nope', 'seed']) {
      assert.ok(lines.some((l) => l.includes(`: ${field}: `)), `${field} in\n${lines.join('\n')}`);
    }
  });
  test('each fault is checked on its own', () => {
    const raw = scenarioWith({ faults: [{ at: '1s', action: 'down', target: 'clients:node-9' }, { at: '99m', action: 'down', target: 'clients:node-1' }] });
    assert.equal(refusal(() => parseScenario(raw, 't')).lines().length, 2);
  });
  test('a single problem stays a plain one-line UserError', () => {
    const e = refusal(() => parseScenario(scenarioWith({ clients: { count: 0 } }), 't'));
    assert.ok(!(e instanceof UserErrors));
    assert.deepEqual(e.lines(), [e.oneLine()]);
  });
});

describe('bundled scenarios and colour', () => {
  test('a bare name resolves into the package scenarios folder; a local file wins; unknown names are refused', () => {
    assert.equal(resolveScenarioArg('smoke'), join(bundledScenarioDir(), 'smoke.yaml'));
    assert.equal(resolveScenarioArg('smoke.yaml', bundledScenarioDir()), join(bundledScenarioDir(), 'smoke.yaml'));
    assert.equal(resolveScenarioArg('./nothing/here.yaml'), './nothing/here.yaml');
    const e = refusal(() => resolveScenarioArg('no-such-scenario'));
    assert.match(e.message, /no-such-scenario: no such file, and no bundled scenario of that name/);
    assert.match(e.hint ?? '', /chat-bench list/);
  });
  test('NO_COLOR (non-empty) turns colours off even on a terminal', () => {
    assert.equal(colorWanted({ isTTY: true }, {}), true);
    assert.equal(colorWanted({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(colorWanted({ isTTY: true }, { NO_COLOR: '' }), true);
    assert.equal(colorWanted({ isTTY: false }, {}), false);
  });
});

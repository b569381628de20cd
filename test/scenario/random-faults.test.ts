// The random nemesis: `faults: { random: { seed, every, maxFor, kinds }, list: [...] }`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '../../src/scenario/parse';
import { RANDOM_FAULT_KINDS, type FaultSpec } from '../../src/contracts/scenario';
import { refuses, scenarioWith } from './support';

const parse = (raw: unknown) => parseScenario(raw, 't.yaml');
const randomRun = (random: Record<string, unknown>, patch: Record<string, unknown> = {}) =>
  scenarioWith({ duration: '120s', clients: { rampUp: '5s' }, faults: { random }, ...patch });
const endOf = (f: FaultSpec) => f.atMs + (f.forMs ?? f.restartAfterMs ?? 0);

describe('random nemesis', () => {
  test('same seed, same timeline; another seed, another timeline', () => {
    const a = parse(randomRun({ seed: 7, every: '3s' }));
    const b = parse(randomRun({ seed: 7, every: '3s' }));
    const c = parse(randomRun({ seed: 8, every: '3s' }));
    assert.ok(a.generatedFaults!.length >= 5, `${a.generatedFaults!.length} faults`);
    assert.deepEqual(a.generatedFaults, b.generatedFaults);
    assert.deepEqual(a.faults, b.faults);
    assert.notDeepEqual(a.generatedFaults, c.generatedFaults);
    assert.equal(a.randomFaults!.seed, 7);
    assert.equal(parse(randomRun({ every: '3s' }, { seed: 7 })).randomFaults!.seed, 7, 'the scenario seed is the default');
  });

  test('the generated list, pasted under faults:, is the same timeline (a failing seed is replayed exactly)', () => {
    for (const seed of [1, 2, 3, 42, 1234]) {
      const s = parse(randomRun({ seed, every: '2s', maxFor: '4s' }));
      const pasted = parse(scenarioWith({ duration: '120s', clients: { rampUp: '5s' }, faults: JSON.parse(JSON.stringify(s.generatedFaults)) }));
      assert.deepEqual(pasted.faults, s.faults, `seed ${seed}`);
    }
  });

  test('one fault at a time, each bounded and ended, between the baseline and the calm last quarter', () => {
    const kinds = new Set<string>();
    for (let seed = 0; seed < 30; seed++) {
      const s = parse(randomRun({ seed, every: '2s', maxFor: '4s' }));
      let lastEnd = 5000 + 3000;
      for (const f of s.faults) {
        assert.ok(f.atMs >= lastEnd, `seed ${seed}: ${JSON.stringify(f)} overlaps the one before`);
        const span = f.forMs ?? f.restartAfterMs;
        assert.ok(span !== undefined && span >= 1000 && span <= 4000, `seed ${seed}: ${JSON.stringify(f)} is not bounded`);
        lastEnd = endOf(f);
        kinds.add(f.toxic ?? f.action!);
      }
      assert.ok(lastEnd <= 90_000, `seed ${seed}: a fault reaches into the calm last quarter (${lastEnd})`);
    }
    assert.deepEqual([...kinds].sort(), [...RANDOM_FAULT_KINDS].sort(), 'every kind is drawn by default');
  });

  test('kinds restrict the draw; a list adds hand-written faults', () => {
    const s = parse(randomRun({ seed: 3, kinds: ['kill', 'latency'] }));
    assert.ok(s.faults.every((f) => f.action === 'kill' || f.toxic === 'latency'));
    assert.ok(s.faults.filter((f) => f.action === 'kill').every((f) => f.restartAfterMs !== undefined), 'killed nodes come back');
    const withList = parse(scenarioWith({ duration: '120s', faults: { random: { seed: 3, kinds: ['pause'] }, list: [{ at: '100s', for: '2s', target: 'clients:node-1', action: 'down' }] } }));
    assert.equal(withList.faults.length, withList.generatedFaults!.length + 1);
    assert.equal(withList.faults[withList.faults.length - 1].atMs, 100_000);
  });

  test('refusals name the field (exit 2)', () => {
    refuses(randomRun({ kinds: ['latency', 'earthquake'] }), `faults.random.kinds[1]: "earthquake" is not one of ${RANDOM_FAULT_KINDS.join(', ')}`);
    refuses(randomRun({ kinds: ['latency', 'latency'] }), 'faults.random.kinds[1]: "latency" is listed twice');
    refuses(randomRun({ kinds: ['kill'] }, { cluster: { runtime: 'external', urls: ['ws://a:1'] } }), 'faults.random.kinds[0]: kill is not possible on runtime external');
    refuses(randomRun({ kinds: ['partition'] }, { cluster: { nodes: 1 } }), 'faults.random.kinds[0]: partition needs at least 2 nodes');
    refuses(randomRun({ every: '10ms' }), 'faults.random.every: "10ms" is less than 100ms');
    refuses(randomRun({ maxFor: '600h' }), 'faults.random.maxFor: "600h" is longer than 168h');
    refuses(randomRun({ every: 3 }), 'faults.random.every: 3 has no unit');
    refuses(scenarioWith({ faults: { random: {}, extra: 1 } }), 'faults.extra: unknown field');
    refuses(scenarioWith({ faults: { at: '1s' } }), 'faults: {"at":"1s"} is not a list');
    refuses(scenarioWith({ faults: 'chaos' }), 'faults: "chaos" is not a list');
    refuses(scenarioWith({ duration: '8s', clients: { rampUp: '5s' }, faults: { random: {} } }),
      'faults.random: generates no fault: faults are drawn between 8s (ramp-up + 3s) and 6s (the last quarter stays calm), too short for maxFor 3s');
  });

  test('list and generated faults obey the overlap rules together; the refusal names both places', () => {
    const raw = scenarioWith({
      duration: '120s', cluster: { nodes: 1 },
      faults: { random: { seed: 3, kinds: ['pause'] }, list: [{ at: '1s', target: 'node:node-1', action: 'kill', restartAfter: '100s' }] },
    });
    assert.throws(() => parse(raw), (e: Error) => e.name === 'UserError' && /^scenario t\.yaml: faults\.random\.generated\[0\]: overlaps faults\.list\[0\]: /.test(e.message));
  });

  test('chat-bench validate prints how many faults the nemesis generated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-random-'));
    try {
      const file = join(dir, 'r.json');
      writeFileSync(file, JSON.stringify(randomRun({ seed: 7, every: '3s' }, { name: 'rnd' })));
      const expected = parse(randomRun({ seed: 7, every: '3s' })).generatedFaults!.length;
      const r = spawnSync(process.execPath, [join(__dirname, '../../src/cli.js'), 'validate', file], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`\\(rnd: 10 clients, 3 nodes, ${expected} faults, random nemesis seed 7: ${expected} generated\\)`));
      writeFileSync(file, JSON.stringify(randomRun({ seed: 7, every: '3s', kinds: ['earthquake'] })));
      const bad = spawnSync(process.execPath, [join(__dirname, '../../src/cli.js'), 'validate', file], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /faults\.random\.kinds\[0\]: "earthquake" is not one of/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

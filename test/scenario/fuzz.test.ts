// Issue 11, the scenario-loader part of "Done means": a seeded stream of mutated scenario
// documents (YAML and JSON) through the real loader. Each one either loads or is refused with
// a one-line UserError, exit 2, naming the source; nothing else is ever thrown.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../src/util/errors';
import { parseScenarioText } from '../../src/scenario/load';
import { seededRandom } from '../../src/load/random';

const SCENARIOS = join(__dirname, '../../../scenarios');
const COUNT = 2000;


const YAML_BITS = ['&a ', '*a', '!!str ', '{', '}', '[', ']', ':', ', ', '- ', '#', '|', '>', "'", '"', '\n', '  ', '\t', '~', 'null', '-1', '1e400', '0x10', '9007199254740993', '<<: *a\n', '\u0000', '\uFEFF', '%YAML 1.2\n---\n'];

function mutate(text: string, rand: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const at = Math.floor(rand() * (text.length + 1));
  switch (Math.floor(rand() * 8)) {
    case 0: return text.slice(0, at) + pick(YAML_BITS) + text.slice(at);
    case 1: return text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 40));
    case 2: { const lines = text.split('\n'); const i = Math.floor(rand() * lines.length); lines.splice(i, 0, lines[i]); return lines.join('\n'); }
    case 3: return text.replace(/\d+/g, (d) => (rand() < 0.2 ? pick(['0', '-5', '99999999999', '1e9', '0.5', '"x"']) : d));
    case 4: return `${text}\nextra: ${'['.repeat(Math.floor(rand() * 200))}`;
    case 5: return text.replace(/: [^\n{[]+/, `: ${'x'.repeat(Math.floor(rand() * 10_000))}`);
    case 6: return `${text}\nz0: &z0 [q, q, q, q, q, q, q, q]\n${Array.from({ length: 6 }, (_, i) => `z${i + 1}: &z${i + 1} [${Array(8).fill(`*z${i}`).join(', ')}]`).join('\n')}\n`;
    default: return text.slice(0, at);
  }
}

test('scenario loader fuzz: every mutated document loads or is refused with one line, exit 2, naming the source', { timeout: 60_000 }, () => {
  const started = Date.now();
  const cpu = process.cpuUsage();
  const bases = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(SCENARIOS, f), 'utf8'));
  const rand = seededRandom(0xf022);
  let refused = 0;
  for (let i = 0; i < COUNT; i++) {
    let text = bases[i % bases.length];
    for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) text = mutate(text, rand);
    const json = i % 5 === 0;
    if (json) text = JSON.stringify({ name: 'j', duration: '60s', clients: { count: 10 }, extra: text.slice(0, 200) }).slice(0, Math.floor(rand() * 120) + 10);
    try {
      parseScenarioText(text, `fuzz-${i}.${json ? 'json' : 'yaml'}`, json ? 'json' : 'yaml', undefined, 20_000);
    } catch (e) {
      const where = `document ${i} (seed 0xf022): ${JSON.stringify(text.slice(0, 120))}`;
      assert.ok(e instanceof UserError, `${where} threw ${(e as Error)?.stack ?? String(e)}`);
      assert.equal(e.exitCode, 2, where);
      assert.ok(e.message.startsWith(`scenario fuzz-${i}.`), `${where}: ${e.message}`);
      assert.ok(!e.oneLine().includes('\n'), `${where}: not one line: ${e.oneLine()}`);
      refused++;
    }
  }
  assert.ok(refused > COUNT / 10, `only ${refused} refused: the mutations are too mild to test anything`);
  // CPU time, not wall time: other test runs share the machine
  const cpuMs = (process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1000;
  assert.ok(cpuMs < 20_000, `took ${cpuMs} ms of CPU`);
  process.stdout.write(`# scenario fuzz: ${COUNT} documents, ${refused} refused, ${Date.now() - started} ms\n`);
});

// The bundled scenario files, run in full as a user would run them. Long (minutes in all):
// they run in CI (.ci/run sets CHAT_BENCH_LONG=1) and locally with `npm run test:long`;
// otherwise each one is skipped visibly. Quick variants of each are in chaos.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResultsV1 } from '../../src/contracts/results';
import { cli, tmpOut } from './support';

const LONG = process.env.CHAT_BENCH_LONG === '1';
const skip = LONG ? false : 'long scenario run: set CHAT_BENCH_LONG=1 (npm run test:long; CI does)';

async function runFile(file: string, extra: string[] = []): Promise<{ code: number | null; results: ResultsV1 }> {
  const out = tmpOut();
  const r = await cli(['run', file, '--out', out, '--quiet', '--json-summary', ...extra], { timeoutMs: 300_000 });
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = readdirSync(out)[0];
  assert.ok(dir, `no run folder: ${r.stderr}`);
  return { code: r.code, results: JSON.parse(readFileSync(`${out}/${dir}/results.json`, 'utf8')) as ResultsV1 };
}

const intact = (r: ResultsV1) => {
  const t = r.totals;
  assert.deepEqual([t.lost, t.duplicated, t.reordered, t.phantom], [0, 0, 0, 0], JSON.stringify(t));
  assert.ok(t.delivered > 0);
};

describe('bundled scenarios, full length', () => {
  for (const name of ['node-crash', 'partition-heal', 'flaky-network', 'reconnect-storm']) {
    test(`${name}.yaml: lost = dup = reordered = 0, reconnects > 0, exit 0`, { skip }, async () => {
      const { code, results } = await runFile(`scenarios/${name}.yaml`);
      intact(results);
      assert.ok(results.clients.reconnects > 0);
      assert.equal(code, 0, JSON.stringify(results.thresholds.filter((t) => !t.pass)));
    });
  }

  test('latency-spike.yaml: injected latency in the fault phase, steady p99 < 100 ms', { skip }, async () => {
    const { results } = await runFile('scenarios/latency-spike.yaml');
    intact(results);
    assert.ok(results.latency.phases.fault.p99Us >= 200_000, `fault p99 ${results.latency.phases.fault.p99Us}`);
    assert.ok(results.latency.phases.steady.p99Us < 100_000, `steady p99 ${results.latency.phases.steady.p99Us}`);
  });

  test('partition-heal.yaml with --misbehave no-resume: lost > 0, exit 1', { skip }, async () => {
    const { code, results } = await runFile('scenarios/partition-heal.yaml', ['--misbehave', 'no-resume']);
    assert.equal(code, 1);
    assert.ok(results.totals.lost > 0);
  });
});

// scenarios/scale-20k.yaml run in full as a user would run it: 20,000 clients in worker
// processes, three proxy processes, node-2's clients cut off for 5 s. Long (≈ 90 s, both cores):
// runs with CHAT_BENCH_LONG=1 (npm run test:long; CI), skipped visibly otherwise.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ResultsV1 } from '../../src/contracts/results';
import { cli, tmpOut } from '../integration/support';

const skip = process.env.CHAT_BENCH_LONG === '1' ? false : 'long scenario run: set CHAT_BENCH_LONG=1 (npm run test:long; CI does)';

test('scale-20k.yaml: 20,000 clients in workers, every message accounted for, all dropped clients back', { skip }, async () => {
  const out = tmpOut();
  const r = await cli(['run', 'scenarios/scale-20k.yaml', '--out', out, '--quiet', '--json-summary'], { timeoutMs: 400_000 });
  const dir = readdirSync(out)[0];
  assert.ok(dir, `no run folder: ${r.stderr}`);
  const results = JSON.parse(readFileSync(`${out}/${dir}/results.json`, 'utf8')) as ResultsV1;
  const t = results.totals;
  assert.deepEqual([t.lost, t.duplicated, t.reordered, t.phantom, t.protocolErrors], [0, 0, 0, 0, 0], JSON.stringify(t));
  assert.equal(t.delivered, t.expected);
  assert.ok(t.delivered > 300_000, `delivered ${t.delivered}`);
  assert.ok(results.environment.workers >= 2, `workers ${results.environment.workers}`);
  assert.equal(results.clients.maxConnected, 20_000);
  assert.ok(results.clients.reconnects >= 6000, `reconnects ${results.clients.reconnects}`);
  assert.equal(r.code, 0, JSON.stringify(results.thresholds.filter((x) => !x.pass)));
});

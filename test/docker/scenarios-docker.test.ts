// The bundled scenarios, unchanged, on the Docker runtime (3 broker containers + 1 proxy
// container): same integrity verdicts as the local runtime, and nothing left behind.
// Needs a Docker engine and is long (about 2 minutes): runs with CHAT_BENCH_LONG=1 (CI).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { ResultsV1 } from '../../src/contracts/results';
import { dockerAvailable } from '../../src/runtime/docker/env';
import { cli, tmpOut } from '../integration/support';

async function skipUnlessReady(t: TestContext): Promise<boolean> {
  if (process.env.CHAT_BENCH_LONG !== '1') {
    t.skip('long Docker scenario run: set CHAT_BENCH_LONG=1 (CI does)');
    return true;
  }
  if (await dockerAvailable()) return false;
  if (process.env.CHAT_BENCH_REQUIRE_DOCKER === '1') assert.fail('no Docker engine reachable, and CHAT_BENCH_REQUIRE_DOCKER=1');
  t.skip('skipped: no Docker engine');
  return true;
}

async function runDocker(file: string): Promise<{ code: number | null; results: ResultsV1; runId: string; stderr: string }> {
  const out = tmpOut();
  const r = await cli(['run', file, '--runtime', 'docker', '--out', out, '--quiet', '--json-summary'], { timeoutMs: 300_000 });
  const runId = readdirSync(out)[0];
  assert.ok(runId, r.stderr);
  return { code: r.code, runId, stderr: r.stderr, results: JSON.parse(readFileSync(join(out, runId, 'results.json'), 'utf8')) as ResultsV1 };
}

function leftovers(runId: string): string {
  return execFileSync('docker', ['ps', '-a', '-q', '--filter', `label=chat-bench.run=${runId}`], { encoding: 'utf8' }).trim()
    + execFileSync('docker', ['network', 'ls', '-q', '--filter', `label=chat-bench.run=${runId}`], { encoding: 'utf8' }).trim();
}

function assertIntact(r: ResultsV1): void {
  const t = r.totals;
  assert.ok(t.delivered > 0);
  assert.deepEqual({ lost: t.lost, dup: t.duplicated, reordered: t.reordered, phantom: t.phantom }, { lost: 0, dup: 0, reordered: 0, phantom: 0 });
}

describe('bundled scenarios on the Docker runtime', () => {
  test('smoke.yaml: 3 node containers + 1 proxy container, intact, nothing left running', async (t) => {
    if (await skipUnlessReady(t)) return;
    const { results, runId } = await runDocker('scenarios/smoke.yaml');
    assert.equal(results.environment.runtime, 'docker');
    assert.deepEqual(results.environment.nodes, ['node-1', 'node-2', 'node-3']);
    assertIntact(results);
    assert.equal(results.clients.maxConnected, 600);
    assert.equal(leftovers(runId), '');
  });

  test('partition-heal.yaml: intact after the partition heals, reconnects > 0, nothing left', async (t) => {
    if (await skipUnlessReady(t)) return;
    const { results, runId } = await runDocker('scenarios/partition-heal.yaml');
    assertIntact(results);
    assert.ok(results.clients.reconnects > 0);
    assert.ok(results.timeline.filter((e) => e.kind === 'fault').every((e) => !e.error), JSON.stringify(results.timeline));
    assert.equal(leftovers(runId), '');
  });

  test('node-crash.yaml: docker kill + restart on the same volume keeps zero loss', async (t) => {
    if (await skipUnlessReady(t)) return;
    const { results, runId, code } = await runDocker('scenarios/node-crash.yaml');
    assertIntact(results);
    assert.ok(results.clients.reconnects > 0);
    assert.equal(code, 0, JSON.stringify(results.thresholds));
    assert.equal(leftovers(runId), '');
  });
});

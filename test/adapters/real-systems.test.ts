// Core NATS and Redis pub/sub, started for real (nats-server, redis-server behind the fault
// proxy): what chat-bench reports is what these systems document. Healthy: no loss. One
// entry point's clients cut off for 4 s: loss > 0, every lost message inside those
// subscribers' disconnect (none inside a live session): PASS at-most-once, FAIL exactly-once-ordered.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../src/run';
import { SERVERS } from '../../src/runtime/systems/servers';
import { tmpOut } from '../integration/support';
import { DOWN, installed, scenario } from './support';

const failing = (r: { thresholds: Array<{ pass: boolean; message: string }> }) => r.thresholds.filter((v) => !v.pass).map((v) => v.message).join('; ');

for (const system of ['nats', 'redis'] as const) {
  const skip = !installed(system) && !process.env.CI ? `${SERVERS[system].binary} not installed (apt-get install -y ${SERVERS[system].debianPackage})` : false;
  describe(`${system}: real server`, { skip }, () => {
    test('healthy run: no loss, PASS under its default guarantee (at-most-once)', async () => {
      const s = scenario(system);
      assert.equal(s.guarantee, 'at-most-once');
      const { results, exitCode } = await runScenario(s, { outDir: tmpOut(), quiet: true });
      const t = results.totals;
      assert.ok(t.delivered > 100, JSON.stringify(t));
      assert.equal(t.lost, 0, JSON.stringify(results.examples.slice(0, 3)));
      assert.equal(t.duplicated + t.reordered + t.phantom, 0, JSON.stringify(t));
      assert.equal(exitCode, 0, failing(results));
    });

    test('a subscriber entry point down 4 s: loss only inside the disconnect, PASS at-most-once', async () => {
      const { results, exitCode } = await runScenario(scenario(system, DOWN), { outDir: tmpOut(), quiet: true });
      const t = results.totals;
      assert.ok(t.lost > 0, `expected loss across the disconnect: ${JSON.stringify(t)}`);
      assert.equal(t.lostInSession, 0, JSON.stringify(results.examples.filter((e) => e.kind === 'lost').slice(0, 3)));
      assert.equal(exitCode, 0, failing(results));
    });

    test('the same fault FAILS under exactly-once-ordered', async () => {
      const { results, exitCode } = await runScenario(scenario(system, { ...DOWN, guarantee: 'exactly-once-ordered' }), { outDir: tmpOut(), quiet: true });
      assert.ok(results.totals.lost > 0, JSON.stringify(results.totals));
      assert.equal(exitCode, 1);
    });
  });
}

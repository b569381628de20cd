// MQTT against a real mosquitto: QoS 1 with a persistent session keeps what a subscriber
// missed while its entry point was down (0 loss; redeliveries would be counted as duplicates,
// which at-least-once accepts); QoS 0 loses under the same fault (at-least-once: FAIL).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../src/run';
import { tmpOut } from '../integration/support';
import { DOWN, installed, scenario } from './support';

const skip = !installed('mosquitto') && !process.env.CI ? 'mosquitto not installed (apt-get install -y mosquitto)' : false;
const failing = (r: { thresholds: Array<{ pass: boolean; message: string }> }) => r.thresholds.filter((v) => !v.pass).map((v) => v.message).join('; ');

describe('mqtt: real mosquitto', { skip }, () => {
  test('QoS 1, persistent session, a subscriber entry point down 4 s: 0 loss, PASS at-least-once', async () => {
    const s = scenario('mosquitto', DOWN);
    assert.equal(s.guarantee, 'at-least-once');
    const { results, exitCode } = await runScenario(s, { outDir: tmpOut(), quiet: true });
    const t = results.totals;
    assert.ok(t.delivered > 100, JSON.stringify(t));
    assert.equal(t.lost, 0, JSON.stringify(results.examples.slice(0, 3)));
    assert.equal(t.phantom + t.reorderedN, 0, JSON.stringify(t));
    assert.equal(exitCode, 0, failing(results));
  });

  test('QoS 0 under the same fault: loss; FAIL under at-least-once', async () => {
    // QoS 0 confirms nothing: "acked" = written to the publisher's socket, so a publisher cut
    // off loses what it wrote even for subscribers in a live session (MQTT's "fire and forget").
    const base = scenario('mosquitto', DOWN);
    const s = { ...base, cluster: { ...base.cluster, adapterOptions: { qos: 0 } }, guarantee: 'at-least-once' as const };
    const { results, exitCode } = await runScenario(s, { outDir: tmpOut(), quiet: true });
    assert.ok(results.totals.lost > 0, JSON.stringify(results.totals));
    assert.equal(exitCode, 1);
  });
});

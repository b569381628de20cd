// MQTT against a real mosquitto through the real fault proxy. QoS 1 with a persistent session
// keeps what a subscriber missed while its entry point was down or reset (0 loss), and a
// publish whose PUBACK the reset swallowed is sent again after the reconnect (MQTT 3.1.1
// §4.4), so subscribers get it twice: duplicates, which at-least-once accepts and
// exactly-once-ordered does not. QoS 0 loses under the same faults.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunOutcome } from '../../src/run';
import { tmpOut } from '../integration/support';
import { DOWN, installed, RESET, scenario } from './support';

const skip = !installed('mosquitto') && !process.env.CI ? 'mosquitto not installed (apt-get install -y mosquitto)' : false;
const failing = (r: RunOutcome['results']) => r.thresholds.filter((v) => !v.pass).map((v) => v.expression);
const why = (r: RunOutcome['results']) => `${JSON.stringify(r.totals)} ${JSON.stringify(r.examples.slice(0, 3))}`;

function run(patch: Record<string, unknown>, options?: Record<string, unknown>, guarantee?: 'at-least-once' | 'exactly-once-ordered'): Promise<RunOutcome> {
  const base = scenario('mosquitto', patch);
  const s = { ...base, cluster: { ...base.cluster, ...(options ? { adapterOptions: options } : {}) }, ...(guarantee ? { guarantee } : {}) };
  return runScenario(s, { outDir: tmpOut(), quiet: true });
}

describe('mqtt: real mosquitto', { skip }, () => {
  test('QoS 1, persistent session, a subscriber entry point down 4 s: 0 loss, PASS at-least-once', async () => {
    assert.equal(scenario('mosquitto', DOWN).guarantee, 'at-least-once'); // the adapter's default
    const { results, exitCode } = await run(DOWN);
    const t = results.totals;
    assert.ok(t.delivered > 100, why(results));
    assert.equal(t.lost, 0, why(results));
    assert.equal(t.phantom + t.reorderedN, 0, why(results));
    assert.equal(exitCode, 0, failing(results).join('; '));
  });

  // The node-2 publishers (c1, c3, c5, c7) each have a publish in flight when their reset
  // comes: it reached the broker, which delivered it to node-1's subscribers, and the resend
  // after the reconnect delivers it once more. So every run has duplicates, not just some.
  test('QoS 1, persistent session, reset_peer on node-2: 0 loss, redeliveries counted as duplicates, PASS at-least-once', async () => {
    const { results, exitCode } = await run(RESET);
    const t = results.totals;
    assert.ok(results.clients.reconnects > 0, why(results));
    assert.ok(t.delivered > 100, why(results));
    assert.equal(t.lost, 0, why(results));
    assert.ok(t.duplicated > 0, why(results));
    assert.equal(t.phantom + t.reorderedN, 0, why(results));
    assert.equal(exitCode, 0, failing(results).join('; '));
  });

  test('the same under exactly-once-ordered: FAIL, on the duplicates', async () => {
    const { results, exitCode } = await run(RESET, undefined, 'exactly-once-ordered');
    assert.equal(results.totals.lost, 0, why(results));
    assert.ok(results.totals.duplicated > 0, why(results));
    assert.equal(exitCode, 1);
    assert.ok(failing(results).includes('duplicates'), failing(results).join('; '));
  });

  test('QoS 0 under the same reset_peer faults: loss; FAIL under at-least-once', async () => {
    // QoS 0 is neither queued for an absent subscriber nor sent again: what the reset swallowed
    // or what was published while node-2's subscribers were away is gone.
    const { results, exitCode } = await run(RESET, { qos: 0 }, 'at-least-once');
    assert.ok(results.totals.lost > 0, why(results));
    assert.equal(exitCode, 1);
    assert.ok(failing(results).includes('loss'), failing(results).join('; '));
  });
});

// No false verdict (issue "Truth"): runs against the real reference cluster where a checker that
// trusted the target, or forgot a rule, would say the wrong thing. Each names its finding.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderJUnit } from '../../src/report/junit';
import { formatSummary } from '../../src/report/console';
import { runScenario } from '../../src/run';
import { parseScenario } from '../../src/scenario/parse';
import { runSmall, small, tmpOut } from './support';

describe('true verdicts on the reference cluster', () => {
  test('finding 11: no integrity threshold written, messages lost → exit 1, JUnit red, console names loss', async () => {
    const { results, exitCode } = await runSmall({ cluster: { runtime: 'local', nodes: 3, durable: true, misbehaviour: { mode: 'drop', rate: 0.05 } } });
    assert.ok(results.totals.lost > 0);
    assert.equal(exitCode, 1);
    assert.match(renderJUnit(results), /failures="[1-9]/);
    assert.match(formatSummary(results).split('\n').at(-1)!, /^FAIL — loss/);
  });

  test('finding 12: a run that published nothing never passes', async () => {
    const { results, exitCode } = await runSmall({
      clients: { count: 20, rampUp: '500ms', channels: 2, subscriptionsPerClient: 1, publishers: 0, publishRate: '5/s' },
      duration: '2s', drain: '1s',
    });
    assert.equal(results.totals.published, 0);
    assert.equal(exitCode, 1);
    assert.ok(results.thresholds.some((v) => v.expression === 'published' && !v.pass));
  });

  test('guarantees: duplicates fail exactly-once-ordered, pass at-least-once (same broker, same seed)', async () => {
    const dup = { cluster: { runtime: 'local', nodes: 3, durable: true, misbehaviour: { mode: 'dup', rate: 0.05 } } };
    const strict = await runSmall(dup);
    assert.ok(strict.results.totals.duplicated > 0);
    assert.equal(strict.exitCode, 1);
    const relaxed = await runSmall({ ...dup, guarantee: 'at-least-once' });
    assert.ok(relaxed.results.totals.duplicated > 0);
    assert.equal(relaxed.exitCode, 0, relaxed.results.thresholds.filter((v) => !v.pass).map((v) => v.message).join('; '));
  });

  test('guarantees: a broker dropping deliveries to connected clients cannot pass at-most-once', async () => {
    // No faults: every subscriber stays connected, so whatever `drop` loses was lost inside a
    // live, confirmed session, which at-most-once forbids (only loss across a disconnect is allowed).
    const { results, exitCode } = await runSmall({
      cluster: { runtime: 'local', nodes: 3, durable: true, misbehaviour: { mode: 'drop', rate: 0.05 } },
      guarantee: 'at-most-once',
    });
    const t = results.totals;
    assert.ok(t.lostInSession > 0, JSON.stringify(t));
    assert.equal(exitCode, 1);
    const failed = results.thresholds.filter((v) => !v.pass).map((v) => v.expression);
    assert.deepEqual(failed, ['loss.in_session'], results.thresholds.map((v) => v.message).join('; '));
  });

  test('finding 5: the drain waits for node-to-node links to heal before judging', async () => {
    // node-2's link to node-1 is cut until publishing stops: node-2's mirrors of node-1's
    // channels hold back what they owe until the link is back (reconnecting with backoff).
    const { results, exitCode } = await runSmall({ faults: [{ at: '1500ms', for: '3500ms', target: 'link:node-2>node-1', action: 'down' }] });
    assert.equal(results.totals.lost, 0, JSON.stringify(results.examples.slice(0, 3)));
    assert.equal(exitCode, 0, results.thresholds.filter((v) => !v.pass).map((v) => v.message).join('; '));
  });

  test('finding 13: a run cut short reports what is still owed as not delivered, not lost', async () => {
    // node-1's clients get their messages 3 s late, and the run is interrupted meanwhile:
    // what is still in flight towards them is owed, not lost
    const controller = new AbortController();
    const slow = { at: '1500ms', target: 'clients:node-1', toxic: 'latency', attributes: { latency: 3000 } };
    const scenario = parseScenario(small({ faults: [slow] }), 'inline');
    const { results, exitCode } = await runScenario(scenario, {
      outDir: tmpOut(), signal: controller.signal,
      write: (line) => { if (line.includes('fault begins')) setTimeout(() => controller.abort(), 1500); },
    });
    assert.equal(exitCode, 130);
    assert.equal(results.totals.lost, 0);
    assert.ok(results.totals.notDelivered > 0, JSON.stringify(results.totals));
  });
});

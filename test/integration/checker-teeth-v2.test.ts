// Teeth for the v2 checker rules (issue 10): the small run against each new broker
// misbehaviour mode must fail with the counter that mode breaks, and replay-before-subd,
// a legal order, must pass with nothing lost.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunOutcome } from '../../src/run';
import { runSmall } from './support';

const misbehaving = (mode: string, rate = 0.05) => ({ cluster: { runtime: 'local', nodes: 3, durable: true, misbehaviour: { mode, rate } } });
const failed = (o: RunOutcome) => o.results.thresholds.filter((v) => !v.pass).map((v) => v.message).join('; ');

describe('checker v2 against the new broker misbehaviour modes', () => {
  test('split-serials (two sequencers): exit 1, lost or serial conflicts', async () => {
    const outcome = await runSmall(misbehaving('split-serials'));
    const t = outcome.results.totals;
    assert.equal(outcome.exitCode, 1, `lost ${t.lost}, serialConflicts ${t.serialConflicts}`);
    assert.ok(t.lost > 0 || t.serialConflicts > 0, JSON.stringify(t));
    assert.ok(outcome.results.thresholds.some((v) => !v.pass));
  });

  test('black-hole at rate 1: exit 1, nothing acked, publishes not acked', async () => {
    const outcome = await runSmall(misbehaving('black-hole', 1));
    const t = outcome.results.totals;
    assert.equal(outcome.exitCode, 1, JSON.stringify(t));
    assert.equal(t.acked, 0);
    assert.ok(t.inDoubt > 0, `in doubt ${t.inDoubt}`);
    assert.ok(outcome.results.thresholds.some((v) => !v.pass));
  });

  test('corrupt: exit 1, phantom > 0', async () => {
    const outcome = await runSmall(misbehaving('corrupt'));
    const t = outcome.results.totals;
    assert.equal(outcome.exitCode, 1, JSON.stringify(t));
    assert.ok(t.phantom > 0, `phantom ${t.phantom}`);
  });

  test('replay-before-subd with clients resuming: exit 0, nothing lost, no protocol error (finding 7)', async () => {
    // Resumes only happen on reconnects: take node-1's client proxy down for 2 s.
    const outcome = await runSmall({
      ...misbehaving('replay-before-subd'),
      faults: [{ at: '1500ms', for: '2s', target: 'clients:node-1', action: 'down' }],
    });
    const { totals: t, clients } = outcome.results;
    assert.ok(clients.reconnects > 0, 'clients did resume');
    assert.equal(t.protocolErrors, 0);
    assert.equal(t.lost, 0, JSON.stringify(outcome.results.examples.slice(0, 3)));
    assert.equal(t.delivered, t.expected);
    assert.equal(outcome.exitCode, 0, failed(outcome));
  });
});

// The checker has teeth: the same small run against each broker fault mode must fail
// (exit 1) with the counter that fault mode breaks. A clean run must pass.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runSmall } from './support';

describe('checker against the reference broker fault modes', () => {
  test('clean run: exit 0, every expected message delivered, no integrity errors', async () => {
    const { results, exitCode } = await runSmall();
    const t = results.totals;
    assert.equal(exitCode, 0, results.thresholds.map((v) => v.message).join('; '));
    assert.ok(t.delivered > 500, `delivered ${t.delivered}`);
    assert.equal(t.delivered, t.expected);
    assert.deepEqual([t.lost, t.duplicated, t.reordered, t.phantom, t.protocolErrors], [0, 0, 0, 0, 0]);
    assert.equal(t.published, t.acked);
  });

  const modes: Array<{ mode: string; counter: 'lost' | 'duplicated' | 'reordered'; patch?: Record<string, unknown> }> = [
    { mode: 'drop', counter: 'lost' },
    { mode: 'dup', counter: 'duplicated' },
    { mode: 'reorder', counter: 'reordered' },
    // no-dedupe withholds some acks, so publishers retry under the same key and it stores them twice.
    { mode: 'no-dedupe', counter: 'duplicated' },
    // no-resume only shows when clients resume: take node-1's client proxy down for 2 s.
    { mode: 'no-resume', counter: 'lost', patch: { faults: [{ at: '1500ms', for: '2s', target: 'clients:node-1', action: 'down' }] } },
  ];
  for (const { mode, counter, patch } of modes) {
    test(`--fault ${mode}: exit 1 and ${counter} > 0`, async () => {
      const base = { cluster: { runtime: 'local', nodes: 3, durable: true, misbehaviour: { mode, rate: 0.05 } } };
      const { results, exitCode } = await runSmall({ ...base, ...patch });
      assert.equal(exitCode, 1);
      assert.ok(results.totals[counter] > 0, `${counter} = ${results.totals[counter]}`);
      assert.ok(results.thresholds.some((v) => !v.pass));
    });
  }

  test('--fault amnesia with a node restart: exit 1, the restart forgot history', async () => {
    // One node, so every channel is homed on the node that forgets (with 3 nodes, which
    // channels the killed node homes depends on the channel names).
    const { results, exitCode } = await runSmall({
      cluster: { runtime: 'local', nodes: 1, durable: true, misbehaviour: { mode: 'amnesia' } },
      faults: [{ at: '2500ms', target: 'node:node-1', action: 'kill', restartAfter: '500ms' }],
    });
    const t = results.totals;
    assert.equal(exitCode, 1);
    assert.ok(t.reordered + t.lost + t.serialConflicts > 0, JSON.stringify(t));
  });
});

// startOrStop: a cluster that fails part way through starting is stopped before the error
// goes on (nothing left running); one that starts is returned as is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startOrStop } from '../../src/runtime/cluster';

function fake(fail: boolean) {
  const calls: string[] = [];
  return {
    calls,
    async start() { calls.push('start'); if (fail) throw new Error('port taken'); },
    async stop() { calls.push('stop'); },
  };
}

test('a failed start stops what started, then rethrows the start error', async () => {
  const c = fake(true);
  await assert.rejects(startOrStop(c), /port taken/);
  assert.deepEqual(c.calls, ['start', 'stop']);
});

test('a successful start returns the cluster and stops nothing', async () => {
  const c = fake(false);
  assert.equal(await startOrStop(c), c);
  assert.deepEqual(c.calls, ['start']);
});

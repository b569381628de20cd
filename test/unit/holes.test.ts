import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntegrityLedger } from '../../src/verify/ledger';

const env = (p: string, n: number) => ({ p, n, ts: 1, x: '' });

test('holesSoFar: counts serials missing below the highest received, not announced gaps', () => {
  const ledger = new IntegrityLedger();
  for (let n = 1; n <= 10; n++) ledger.publishSent('c', 'p', n, 1, 1);
  const s = ledger.openStream('x', 'c');
  ledger.subscribed(s, 0, undefined, 1);
  for (const n of [1, 2, 3, 5, 6]) ledger.deliver(s, n, `p:c:${n}`, env('p', n), 2);
  assert.equal(ledger.holesSoFar(), 1);        // 4 is missing
  ledger.deliver(s, 4, 'p:c:4', env('p', 4), 2);
  assert.equal(ledger.holesSoFar(), 0);        // a late (reordered) 4 fills it
  ledger.dropped(s, 3);
  ledger.subscribed(s, 8, false, 4);           // continuity lost after 6 …
  ledger.deliver(s, 9, 'p:c:9', env('p', 9), 2); // … announced gap 7..8
  assert.equal(ledger.holesSoFar(), 0);
});

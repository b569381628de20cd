import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LinkHealth } from '../../src/runtime/link-health';

const up = (id: string, peer: string) => JSON.stringify({ event: 'link-up', id, peer });
const down = (id: string, peer: string) => JSON.stringify({ event: 'link-down', id, peer });

test('link health: settled only when every node runs and every reported link is up', () => {
  const h = new LinkHealth(['node-1', 'node-2']);
  assert.equal(h.settled(), false, 'nothing running yet');
  h.setRunning('node-1', true);
  h.setRunning('node-2', true);
  h.line('node-1', up('node-1', 'node-2'));
  h.line('node-2', up('node-2', 'node-1'));
  assert.equal(h.settled(), true);
  h.line('node-2', down('node-2', 'node-1'));
  assert.equal(h.settled(), false, 'a link reconnecting with backoff');
  h.line('node-2', up('node-2', 'node-1'));
  assert.equal(h.settled(), true);
  h.setRunning('node-1', false);
  assert.equal(h.settled(), false, 'a killed or paused node');
  h.setRunning('node-1', true);
  assert.equal(h.settled(), false, 'its links are not up again yet');
  h.line('node-1', up('node-1', 'node-2'));
  assert.equal(h.settled(), true);
  h.line('node-1', 'not json');
  h.line('node-1', '{"event":"recovered"}');
  assert.equal(h.settled(), true, 'other lines change nothing');
});

// Issue 11 item 5: every pub gets exactly one answer carrying its id, on a real 3-node cluster.
// A payload nested too deeply to re-encode used to reach the forwarding path, register its key
// as in flight, throw, and get `err internal` without an id; every retry of that key was then
// swallowed by the stale entry and never answered.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PAYLOAD_DEPTH } from '../../reference-broker/payload';
import { TestClient, TestCluster, channelHomedOn, sleep, until } from './helpers';

const cleanups: Array<() => unknown> = [];
async function client(url: string): Promise<TestClient> {
  const c = await TestClient.connect(url);
  cleanups.push(() => c.close());
  return c;
}
after(async () => { for (const c of cleanups.reverse()) await c(); });

/** A pub frame whose `d` is `depth` nested arrays (written by hand: JSON.stringify would overflow). */
const nestedPub = (ch: string, id: string, depth: number) =>
  `{"t":"pub","ch":${JSON.stringify(ch)},"id":${JSON.stringify(id)},"d":${'['.repeat(depth)}${']'.repeat(depth)}}`;

/** Every ack or err of this key received so far. */
const answersTo = (c: TestClient, id: string) => c.frames.filter((f) => (f.t === 'ack' || f.t === 'err') && f.id === id);

describe('publish answers', () => {
  test('a payload too deep to forward is bad_request with its id, on the home and via other nodes; retries are answered too', async () => {
    const c = await TestCluster.start(3);
    cleanups.push(() => c.close());
    const ch = channelHomedOn('node-1', c.ids, 'deep');
    const sub = await client(c.url(0));
    await sub.sub(ch);
    for (const i of [0, 1, 2]) {
      const p = await client(c.url(i));
      const key = `deep-${i}`;
      for (let attempt = 1; attempt <= 3; attempt++) {
        p.send(nestedPub(ch, key, 5000));
        await until(() => answersTo(p, key).length === attempt, `answer ${attempt} to ${key} via node-${i + 1}`);
        const answer = answersTo(p, key)[attempt - 1];
        assert.equal(answer.t, 'err');
        assert.equal(answer.t === 'err' && answer.code, 'bad_request');
        assert.match(answer.t === 'err' ? answer.msg : '', new RegExp(`deeper than ${MAX_PAYLOAD_DEPTH} levels`));
      }
      // The same key with a good payload is then stored normally.
      const ok = await p.pub(ch, key, { fine: true });
      assert.equal(ok.t, 'ack');
      await sleep(50);
      assert.equal(answersTo(p, key).length, 4, 'exactly one answer per pub');
      assert.equal(p.of('err').filter((f) => f.id === undefined).length, 0, 'no err without an id');
    }
    assert.deepEqual(sub.msgs(ch).map((m) => m.id), ['deep-0', 'deep-1', 'deep-2']);
    for (const node of c.nodes) assert.equal(node.stats().pendingPublishes, 0);
  });

  test(`payload nesting: ${MAX_PAYLOAD_DEPTH} levels are accepted, one more is refused`, async () => {
    const c = await TestCluster.start(3);
    cleanups.push(() => c.close());
    const ch = channelHomedOn('node-2', c.ids, 'depth');
    const p = await client(c.url(0));          // forwarded to node-2
    p.send(nestedPub(ch, 'at-limit', MAX_PAYLOAD_DEPTH));
    p.send(nestedPub(ch, 'over-limit', MAX_PAYLOAD_DEPTH + 1));
    await until(() => answersTo(p, 'at-limit').length === 1 && answersTo(p, 'over-limit').length === 1, 'both answered');
    assert.equal(answersTo(p, 'at-limit')[0].t, 'ack');
    const over = answersTo(p, 'over-limit')[0];
    assert.equal(over.t === 'err' && over.code, 'bad_request');
  });
});

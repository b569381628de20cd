// The misbehaviour modes added for checker v2 do what they say, over real sockets:
// split-serials (two sequencers), black-hole (publishes swallowed), corrupt (payload altered,
// id and serial kept) and replay-before-subd (a legal-looking different order).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { MsgFrame } from '../../src/protocol';
import { closedAfterAll, TestCluster, channelHomedOn, range, sleep, until } from './helpers';

const { node, client, track } = closedAfterAll();

const envelope = (n: number) => ({ p: 'pub-1', n, ts: 1_700_000_000_000_000 + n, x: 'x'.repeat(32) });

describe('misbehaviour modes for checker v2', () => {
  test('split-serials: each node numbers the channel for its own clients; subscribers see gap-free 1..N and miss the rest', async () => {
    const c = await TestCluster.start(2, { misbehaviour: { mode: 'split-serials', rate: 0.05 } });
    track(c);
    const ch = channelHomedOn('node-1', c.ids, 'split');
    const [onHome, onOther] = [await client(c.url(0)), await client(c.url(1))];
    await onHome.sub(ch);
    await onOther.sub(ch);
    const [pubHome, pubOther] = [await client(c.url(0)), await client(c.url(1))];
    for (let k = 1; k <= 5; k++) {
      assert.deepEqual(await pubHome.pub(ch, `home-${k}`), { t: 'ack', id: `home-${k}`, s: k });
      assert.deepEqual(await pubOther.pub(ch, `other-${k}`), { t: 'ack', id: `other-${k}`, s: k }, 'acks carry the local serial');
    }
    await until(() => onHome.msgs(ch).length >= 5 && onOther.msgs(ch).length >= 5, 'five deliveries each');
    await sleep(50);
    assert.deepEqual(onHome.msgs(ch).map((m) => [m.s, m.id]), range(1, 5).map((k) => [k, `home-${k}`]));
    assert.deepEqual(onOther.msgs(ch).map((m) => [m.s, m.id]), range(1, 5).map((k) => [k, `other-${k}`]));
  });

  test('black-hole at rate 1: subscriptions are confirmed, every publish vanishes (no ack, not stored)', async () => {
    const n = await node({ misbehaviour: { mode: 'black-hole', rate: 1 } });
    const sub = await client(n.url);
    assert.deepEqual(await sub.sub('bh'), { t: 'subd', ch: 'bh', at: 0 });
    const pub = await client(n.url);
    for (let k = 1; k <= 10; k++) pub.send({ t: 'pub', ch: 'bh', id: `k${k}`, d: k });
    await sleep(300);
    assert.deepEqual(pub.frames, [], 'no ack, no err');
    assert.deepEqual(sub.msgs('bh'), []);
    const late = await client(n.url);
    assert.deepEqual(await late.sub('bh', 0), { t: 'subd', ch: 'bh', at: 0, resumed: true }, 'nothing was stored');
  });

  test('black-hole at a rate below 1: the swallowed keys stay swallowed on retry; the rest is stored gap-free', async () => {
    const n = await node({ misbehaviour: { mode: 'black-hole', rate: 0.3 } });
    const pub = await client(n.url);
    const send = () => { for (let k = 1; k <= 200; k++) pub.send({ t: 'pub', ch: 'bh', id: `k${k}`, d: k }); };
    send();
    await sleep(300);
    const acked = pub.of('ack');
    assert.ok(acked.length > 100 && acked.length < 200, `${acked.length} of 200 acked`);
    assert.deepEqual(acked.map((a) => a.s).sort((a, b) => a - b), range(1, acked.length));
    send(); // every key retried: the acked ones are acked again, the swallowed ones still vanish
    await sleep(300);
    assert.equal(pub.of('ack').length, 2 * acked.length);
  });

  test('corrupt: some deliveries carry an altered payload (padding or ts, both kinds) with id and serial unchanged', async () => {
    const n = await node({ misbehaviour: { mode: 'corrupt', rate: 0.5 } });
    const sub = await client(n.url);
    await sub.sub('cx');
    const pub = await client(n.url);
    for (let k = 1; k <= 100; k++) pub.send({ t: 'pub', ch: 'cx', id: `k${k}`, d: envelope(k) });
    await until(() => sub.msgs('cx').length === 100, '100 deliveries');
    const got = sub.msgs('cx');
    assert.deepEqual(got.map((m) => [m.s, m.id]), range(1, 100).map((k) => [k, `k${k}`]), 'ids and serials untouched');
    const changed = (m: MsgFrame, field: 'x' | 'ts') => (m.d as Record<string, unknown>)[field] !== envelope(m.s)[field];
    assert.ok(got.some((m) => changed(m, 'x')), 'some padding altered');
    assert.ok(got.some((m) => changed(m, 'ts')), 'some ts altered');
    assert.ok(got.some((m) => !changed(m, 'x') && !changed(m, 'ts')), 'some deliveries intact');
  });

  test('replay-before-subd: a resume gets its replay before the subd; a live subscribe is unchanged', async () => {
    const n = await node({ misbehaviour: { mode: 'replay-before-subd', rate: 0.05 } });
    const pub = await client(n.url);
    for (let k = 1; k <= 5; k++) await pub.pub('rb', `k${k}`);
    const resumer = await client(n.url);
    await resumer.sub('rb', 2);
    assert.deepEqual(resumer.frames.map((f) => (f.t === 'msg' ? f.s : f)), [3, 4, 5, { t: 'subd', ch: 'rb', at: 5, resumed: true }]);
    const live = await client(n.url);
    assert.deepEqual(await live.sub('rb'), { t: 'subd', ch: 'rb', at: 5 });
    await pub.pub('rb', 'k6');
    await until(() => resumer.msgs('rb').length === 4 && live.msgs('rb').length === 1, 'live delivery to both');
  });

  test('replay-before-subd also holds through a mirror (a subscriber on a non-home node)', async () => {
    const c = await TestCluster.start(2, { misbehaviour: { mode: 'replay-before-subd', rate: 0.05 } });
    track(c);
    const ch = channelHomedOn('node-1', c.ids, 'rbm');
    const pub = await client(c.url(0));
    for (let k = 1; k <= 4; k++) await pub.pub(ch, `k${k}`);
    const resumer = await client(c.url(1));
    await resumer.sub(ch, 1);
    assert.deepEqual(resumer.frames.map((f) => (f.t === 'msg' ? f.s : f.t)), [2, 3, 4, 'subd']);
  });
});

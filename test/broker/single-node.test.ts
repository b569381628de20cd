// One reference-broker node over real sockets: serials, history limits, resume, idempotent
// publish, malformed and oversized frames.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { closedAfterAll, range, sleep, until } from './helpers';

const { node, client, track } = closedAfterAll();

describe('single node', () => {
  test('concurrent publishers get serials 1..n without gaps, delivered in order', async () => {
    const n = await node();
    const sub = await client(n.url);
    assert.deepEqual(await sub.sub('room'), { t: 'subd', ch: 'room', at: 0 });
    const pubs = await Promise.all([1, 2, 3].map(() => client(n.url)));
    pubs.forEach((p, i) => { for (let k = 1; k <= 100; k++) p.send({ t: 'pub', ch: 'room', id: `p${i}:${k}`, d: { k } }); });
    await until(() => sub.msgs('room').length >= 300, '300 deliveries');
    assert.deepEqual(sub.serials('room'), range(1, 300));
    await until(() => pubs.every((p) => p.of('ack').length === 100), 'every ack');
    const acked = pubs.flatMap((p) => p.of('ack').map((a) => a.s)).sort((a, b) => a - b);
    assert.deepEqual(acked, range(1, 300));
    // Serials are per channel: another channel starts at 1.
    const ack = await pubs[0].pub('other', 'x');
    assert.deepEqual(ack, { t: 'ack', id: 'x', s: 1 });
  });

  test('history is limited by count', async () => {
    const n = await node({ history: 5 });
    const c = await client(n.url);
    for (let k = 1; k <= 10; k++) await c.pub('a', `k${k}`);
    const lost = await c.sub('a', 0);
    assert.deepEqual(lost, { t: 'subd', ch: 'a', at: 10, resumed: false });
    await until(() => c.msgs('a').length >= 5, 'replay of the last 5');
    assert.deepEqual(c.serials('a'), range(6, 10));
    const c2 = await client(n.url);
    assert.deepEqual(await c2.sub('a', 5), { t: 'subd', ch: 'a', at: 10, resumed: true });
    await until(() => c2.msgs('a').length >= 5, 'replay 6..10');
    assert.deepEqual(c2.serials('a'), range(6, 10));
  });

  test('history is limited by age', async () => {
    const n = await node({ historySeconds: 0.3 });
    const c = await client(n.url);
    for (let k = 1; k <= 3; k++) await c.pub('a', `k${k}`);
    await sleep(400);
    await c.pub('a', 'k4');
    const c2 = await client(n.url);
    assert.deepEqual(await c2.sub('a', 0), { t: 'subd', ch: 'a', at: 4, resumed: false });
    const c3 = await client(n.url);
    assert.deepEqual(await c3.sub('a', 3), { t: 'subd', ch: 'a', at: 4, resumed: true });
    await until(() => c2.msgs().length >= 1 && c3.msgs().length >= 1, 'replays');
    await sleep(50);
    assert.deepEqual(c2.serials(), [4]);
    assert.deepEqual(c3.serials(), [4]);
    // Everything aged out: newest stays known, so a client that has it all still resumes.
    await sleep(400);
    const c4 = await client(n.url);
    assert.deepEqual(await c4.sub('a', 4), { t: 'subd', ch: 'a', at: 4, resumed: true });
    assert.deepEqual((await c4.sub('a', 3)).resumed, false);
  });

  test('resume from S replays exactly S+1.. and joins live with no gap or duplicate', async () => {
    const n = await node();
    const pub = await client(n.url);
    for (let k = 1; k <= 50; k++) pub.send({ t: 'pub', ch: 'r', id: `a${k}`, d: k });
    await until(() => pub.of('ack').length === 50, '50 acks');
    // Keep publishing while several subscribers resume from different points.
    for (let k = 51; k <= 400; k++) pub.send({ t: 'pub', ch: 'r', id: `a${k}`, d: k });
    const subs = await Promise.all([0, 20, 50].map(async (from) => {
      const c = await client(n.url);
      c.send({ t: 'sub', ch: 'r', from });
      return { c, from };
    }));
    await until(() => subs.every(({ c }) => c.msgs('r').some((m) => m.s === 400)), 'serial 400 everywhere');
    for (const { c, from } of subs) {
      const subd = c.of('subd')[0];
      assert.equal(subd.resumed, true);
      assert.ok(subd.at >= 50);
      assert.deepEqual(c.serials('r'), range(from + 1, 400), `resume from ${from}`);
    }
  });

  test('resume from the newest serial is resumed:true with nothing to replay; beyond it is resumed:false', async () => {
    const n = await node();
    const c = await client(n.url);
    for (let k = 1; k <= 3; k++) await c.pub('a', `k${k}`);
    assert.deepEqual(await c.sub('a', 3), { t: 'subd', ch: 'a', at: 3, resumed: true });
    const c2 = await client(n.url);
    assert.deepEqual(await c2.sub('a', 7), { t: 'subd', ch: 'a', at: 3, resumed: false });
    const c3 = await client(n.url);
    assert.deepEqual(await c3.sub('empty', 0), { t: 'subd', ch: 'empty', at: 0, resumed: true });
    await c.pub('a', 'k4');
    await until(() => c.msgs().length === 1 && c2.msgs().length === 1, 'live serial 4');
    assert.deepEqual([c.serials(), c2.serials()], [[4], [4]]);
  });

  test('a retried publish with the same key is stored once and acked with its original serial', async () => {
    const n = await node();
    const sub = await client(n.url);
    await sub.sub('a');
    const c = await client(n.url);
    assert.deepEqual(await c.pub('a', 'dup-key', { n: 1 }), { t: 'ack', id: 'dup-key', s: 1 });
    await c.pub('a', 'other');
    const c2 = await client(n.url); // the retry may come on a new connection
    assert.deepEqual(await c2.pub('a', 'dup-key', { n: 1 }), { t: 'ack', id: 'dup-key', s: 1 });
    await c.pub('a', 'third');
    await until(() => sub.msgs().length >= 3, 'three deliveries');
    await sleep(30);
    assert.deepEqual(sub.msgs().map((m) => [m.s, m.id]), [[1, 'dup-key'], [2, 'other'], [3, 'third']]);
  });

  test('unsub stops deliveries', async () => {
    const n = await node();
    const c = await client(n.url);
    await c.sub('a');
    await c.pub('a', 'one');
    c.send({ t: 'unsub', ch: 'a' });
    await c.pub('a', 'two');
    await sleep(30);
    assert.deepEqual(c.serials(), [1]);
  });

  test('malformed frames get err bad_request and the connection stays usable', async () => {
    const n = await node();
    const c = await client(n.url);
    const bad: Array<string | Buffer> = [
      'not json', '[1,2]', 'null', '{"t":"nope"}', '{"t":"sub"}', '{"t":"sub","ch":"a","from":-1}',
      '{"t":"sub","ch":"a","from":"x"}', '{"t":"pub","ch":"a","d":1}', '{"t":"pub","ch":"a","id":"k"}', '{"t":"unsub","ch":5}',
      '{"t":"pub","ch":"","id":"k","d":1}',
    ];
    for (const f of bad) c.send(f);
    c.send(Buffer.from([0xff, 0x00, 0x01]), true);
    await until(() => c.of('err').length === bad.length + 1, 'one err per bad frame');
    assert.ok(c.of('err').every((e) => e.code === 'bad_request' && e.msg.length > 0));
    assert.equal(c.of('err').find((e) => e.msg.includes('d is missing'))?.id, 'k', 'the err names the publish id when known');
    assert.deepEqual(await c.pub('a', 'after'), { t: 'ack', id: 'after', s: 1 });
    assert.equal(c.closed, false);
  });

  test('frames over --max-frame-bytes get err too_large, even far beyond it, and the connection stays usable', async () => {
    const n = await node({ maxFrameBytes: 1024 });
    const c = await client(n.url);
    assert.deepEqual(await c.pub('a', 'big', 'x'.repeat(2000)), { t: 'err', id: 'big', code: 'too_large', msg: c.of('err')[0].msg });
    c.send(JSON.stringify({ t: 'pub', ch: 'a', id: 'huge', d: 'y'.repeat(5 * 1024 * 1024) }));
    await c.waitFrame('err', (e) => e.id === 'huge' && e.code === 'too_large');
    assert.deepEqual(await c.pub('a', 'small', 'ok'), { t: 'ack', id: 'small', s: 1 });
    assert.equal(c.closed, false);
  });

  test('fan-out: one publish reaches every subscriber', async () => {
    const n = await node();
    const subs = await Promise.all(range(1, 200).map(() => client(n.url)));
    await Promise.all(subs.map((s) => s.sub('fan')));
    const p = await client(n.url);
    const started = Date.now();
    for (let k = 1; k <= 50; k++) p.send({ t: 'pub', ch: 'fan', id: `f${k}`, d: { k, x: 'z'.repeat(200) } });
    await until(() => subs.every((s) => s.msgs().length === 50), '50 × 200 deliveries', 10000);
    const ms = Date.now() - started;
    for (const s of subs) assert.deepEqual(s.serials(), range(1, 50));
    console.log(`fan-out: 10000 deliveries to 200 subscribers in ${ms} ms`);
  });
});

// Each --misbehave mode of the reference broker must produce the misbehaviour a checker is meant
// to catch; the same traffic on a correct broker shows none of it (the control case).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrokerNode } from '../../reference-broker/server';
import type { BrokerNode } from '../../reference-broker/server';
import type { BrokerNodeOptions } from '../../reference-broker/options';
import { TestClient, TestCluster, channelHomedOn, range, sleep, until } from './helpers';

const cleanups: Array<() => unknown> = [];
async function node(opts: BrokerNodeOptions = {}): Promise<BrokerNode> {
  const n = await startBrokerNode(opts);
  cleanups.push(() => n.close());
  return n;
}
async function client(url: string): Promise<TestClient> {
  const c = await TestClient.connect(url);
  cleanups.push(() => c.close());
  return c;
}
after(async () => { for (const c of cleanups.reverse()) await c(); });

const N = 200;

/** Publishes 1..N on `ch` and returns what one live subscriber received (after a settle time). */
async function traffic(n: BrokerNode, ch = 'f'): Promise<number[]> {
  const sub = await client(n.url);
  await sub.sub(ch);
  const pub = await client(n.url);
  for (let k = 1; k <= N; k++) pub.send({ t: 'pub', ch, id: `k${k}`, d: k });
  await until(() => pub.of('ack').length === N, 'all acks');
  await sleep(600); // longer than a reorder hold
  return sub.serials(ch);
}

const gaps = (serials: number[]) => range(1, N).filter((s) => !serials.includes(s)).length;
const duplicates = (serials: number[]) => serials.length - new Set(serials).size;
const reorders = (serials: number[]) => serials.filter((s, i) => i > 0 && s < serials[i - 1]).length;

describe('fault modes', () => {
  test('no fault: every serial exactly once, in order (control)', async () => {
    const got = await traffic(await node());
    assert.deepEqual(got, range(1, N));
  });

  test('drop: a subscriber misses serials', async () => {
    const got = await traffic(await node({ misbehaviour: { mode: 'drop', rate: 0.2 } }));
    assert.ok(gaps(got) > 0, 'some serial is missing');
    assert.equal(duplicates(got), 0);
    assert.equal(reorders(got), 0);
  });

  test('dup: a subscriber receives a serial twice', async () => {
    const got = await traffic(await node({ misbehaviour: { mode: 'dup', rate: 0.2 } }));
    assert.ok(duplicates(got) > 0, 'some serial twice');
    assert.equal(gaps(got), 0);
  });

  test('reorder: a serial arrives after a higher one, and nothing is lost', async () => {
    const got = await traffic(await node({ misbehaviour: { mode: 'reorder', rate: 0.2 } }));
    assert.ok(reorders(got) > 0, 'some serial lower than its predecessor');
    assert.deepEqual([...got].sort((a, b) => a - b), range(1, N));
  });

  test('faults touch client deliveries only: links between nodes stay lossless', async () => {
    const events: string[] = [];
    const c = await TestCluster.start(3, { misbehaviour: { mode: 'drop', rate: 0.3 }, log: (line) => events.push(line) });
    cleanups.push(() => c.close());
    const ch = channelHomedOn('node-1', c.ids, 'fault-link');
    const live = await client(c.url(1));
    await live.sub(ch); // creates node-2's mirror, fed over the link
    const pub = await client(c.url(0));
    for (let k = 1; k <= 100; k++) pub.send({ t: 'pub', ch, id: `k${k}`, d: k });
    await until(() => pub.of('ack').length === 100, 'acks');
    await sleep(100);
    assert.ok(gaps(live.serials(ch)) > 0 || live.serials(ch).length < 100, 'the client on node-2 does see drops');
    assert.deepEqual(events.filter((e) => e.includes('mirror-gap')), [], 'the mirror never saw a gap on its link');
    const again = await client(c.url(1));
    assert.deepEqual(await again.sub(ch, 100), { t: 'subd', ch, at: 100, resumed: true });
  });

  test('no-resume: a resume from S is answered resumed:true but replays nothing before live', async () => {
    const n = await node({ misbehaviour: { mode: 'no-resume', rate: 0.05 } });
    const c = await client(n.url);
    for (let k = 1; k <= 10; k++) await c.pub('a', `k${k}`);
    const s = await client(n.url);
    assert.deepEqual(await s.sub('a', 5), { t: 'subd', ch: 'a', at: 10, resumed: true });
    await c.pub('a', 'k11');
    await until(() => s.msgs('a').length > 0, 'live delivery');
    await sleep(30);
    assert.deepEqual(s.serials('a'), [11], '6..10 were never replayed');
  });

  test('no-dedupe: a retried key is stored again as a new serial, and some acks are withheld', async () => {
    const n = await node({ misbehaviour: { mode: 'no-dedupe', rate: 0.3 } });
    const sub = await client(n.url);
    await sub.sub('a');
    const c = await client(n.url);
    c.send({ t: 'pub', ch: 'a', id: 'same', d: 1 });
    c.send({ t: 'pub', ch: 'a', id: 'same', d: 1 });
    for (let k = 1; k <= 100; k++) c.send({ t: 'pub', ch: 'a', id: `k${k}`, d: k });
    await until(() => sub.msgs('a').length === 102, 'all stored');
    assert.deepEqual(sub.msgs('a').filter((m) => m.id === 'same').map((m) => m.s), [1, 2]);
    await sleep(50);
    const acks = c.of('ack').length;
    assert.ok(acks < 102 && acks > 0, `${acks} of 102 acks arrived`);
  });

  test('amnesia: a restart with the same --data-dir forgets everything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'broker-amnesia-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = await startBrokerNode({ dataDir: dir, misbehaviour: { mode: 'amnesia', rate: 0.05 } });
    const c = await TestClient.connect(first.url);
    for (let k = 1; k <= 5; k++) await c.pub('a', `k${k}`);
    c.close();
    const port = first.port;
    await first.close();
    const second = await node({ port, dataDir: dir, misbehaviour: { mode: 'amnesia', rate: 0.05 } });
    const c2 = await client(second.url);
    assert.deepEqual(await c2.sub('a', 5), { t: 'subd', ch: 'a', at: 0, resumed: false });
    assert.deepEqual(await c2.pub('a', 'k1'), { t: 'ack', id: 'k1', s: 1 }, 'serials restart and keys are forgotten');
    // Control: without the fault the same restart keeps everything.
    const dir2 = mkdtempSync(join(tmpdir(), 'broker-durable-'));
    cleanups.push(() => rmSync(dir2, { recursive: true, force: true }));
    const keep = await startBrokerNode({ dataDir: dir2 });
    const c3 = await TestClient.connect(keep.url);
    for (let k = 1; k <= 5; k++) await c3.pub('a', `k${k}`);
    c3.close();
    await keep.close();
    const keep2 = await node({ dataDir: dir2 });
    const c4 = await client(keep2.url);
    assert.deepEqual(await c4.sub('a', 5), { t: 'subd', ch: 'a', at: 5, resumed: true });
  });
});

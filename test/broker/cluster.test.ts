// A 3-node reference-broker cluster over real sockets: routing to the home node, mirrors on
// the other nodes, resume through a mirror, link loss and recovery.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBrokerCluster } from '../../reference-broker/cluster-launcher';
import { homeOf } from '../../reference-broker/rendezvous';
import { StallProxy, TestClient, TestCluster, channelHomedOn, range, sleep, until } from './helpers';

const cleanups: Array<() => unknown> = [];
async function client(url: string): Promise<TestClient> {
  const c = await TestClient.connect(url);
  cleanups.push(() => c.close());
  return c;
}
async function cluster(...args: Parameters<typeof TestCluster.start>): Promise<TestCluster> {
  const c = await TestCluster.start(...args);
  cleanups.push(() => c.close());
  return c;
}
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'broker-cluster-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
after(async () => { for (const c of cleanups.reverse()) await c(); });

const IDS = ['node-1', 'node-2', 'node-3'];

describe('cluster', () => {
  test('rendezvous homes are stable and spread over the nodes', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const home = homeOf(`channel-${i}`, IDS);
      counts.set(home, (counts.get(home) ?? 0) + 1);
      assert.equal(homeOf(`channel-${i}`, [...IDS].reverse()), home, 'order of ids does not matter');
    }
    for (const id of IDS) assert.ok((counts.get(id) ?? 0) > 800, `${id} homes ${counts.get(id)} of 3000`);
    // Removing a node moves only that node's channels.
    for (let i = 0; i < 300; i++) {
      const home = homeOf(`channel-${i}`, IDS);
      if (home !== 'node-3') assert.equal(homeOf(`channel-${i}`, ['node-1', 'node-2']), home);
    }
  });

  test('a publish via a non-home node is stored at the home and delivered on every node', async () => {
    const c = await cluster(3);
    const ch = channelHomedOn('node-1', c.ids);
    const subs = await Promise.all([0, 1, 2].map((i) => client(c.url(i))));
    for (const s of subs) assert.deepEqual(await s.sub(ch), { t: 'subd', ch, at: 0 });
    const viaNode2 = await client(c.url(1));
    const viaNode3 = await client(c.url(2));
    for (let k = 1; k <= 20; k++) (k % 2 ? viaNode2 : viaNode3).send({ t: 'pub', ch, id: `p:${ch}:${k}`, d: { k } });
    await until(() => viaNode2.of('ack').length + viaNode3.of('ack').length === 20, '20 acks relayed');
    const acked = [...viaNode2.of('ack'), ...viaNode3.of('ack')].map((a) => a.s).sort((a, b) => a - b);
    assert.deepEqual(acked, range(1, 20));
    await until(() => subs.every((s) => s.msgs(ch).length === 20), 'deliveries on all nodes');
    for (const s of subs) assert.deepEqual(s.serials(ch), range(1, 20));
    // A retry through yet another node is deduplicated by the home.
    const first = viaNode2.of('ack').find((a) => a.id === `p:${ch}:1`)!;
    const home = await client(c.url(0));
    assert.deepEqual(await home.pub(ch, `p:${ch}:1`), first);
    assert.deepEqual(await viaNode3.pub(ch, `p:${ch}:1`), first);
    // The home holds the history: a fresh subscriber there replays it all.
    const late = await client(c.url(0));
    assert.deepEqual(await late.sub(ch, 0), { t: 'subd', ch, at: 20, resumed: true });
  });

  test('a subscriber on a non-home node resumes from S through the mirror', async () => {
    const c = await cluster(3);
    const ch = channelHomedOn('node-2', c.ids, 'resume');
    const pub = await client(c.url(1));
    for (let k = 1; k <= 10; k++) await pub.pub(ch, `k${k}`);
    // Fresh mirror on node-1: subd only once it holds the home's history.
    const a = await client(c.url(0));
    assert.deepEqual(await a.sub(ch, 0), { t: 'subd', ch, at: 10, resumed: true });
    await until(() => a.msgs(ch).length === 10, 'replay through the mirror');
    a.close();
    const viaNode3 = await client(c.url(2));
    for (let k = 11; k <= 30; k++) viaNode3.send({ t: 'pub', ch, id: `k${k}`, d: k });
    const b = await client(c.url(0));
    b.send({ t: 'sub', ch, from: 10 });
    for (let k = 31; k <= 60; k++) viaNode3.send({ t: 'pub', ch, id: `k${k}`, d: k });
    await until(() => b.msgs(ch).some((m) => m.s === 60), 'serial 60 on node-1');
    assert.equal(b.of('subd')[0].resumed, true);
    assert.deepEqual(b.serials(ch), range(11, 60));
    assert.deepEqual(a.serials(ch), range(1, 10));
  });

  test('a fresh mirror of a trimmed home answers resumed:false and replays what the home still has', async () => {
    const c = await cluster(3, { history: 5 });
    const ch = channelHomedOn('node-3', c.ids, 'trim');
    const pub = await client(c.url(2));
    for (let k = 1; k <= 20; k++) await pub.pub(ch, `k${k}`);
    const s = await client(c.url(0));
    assert.deepEqual(await s.sub(ch, 0), { t: 'subd', ch, at: 20, resumed: false });
    await until(() => s.msgs(ch).length === 5, 'replay of the home history');
    assert.deepEqual(s.serials(ch), range(16, 20));
    const s2 = await client(c.url(0));
    assert.deepEqual(await s2.sub(ch, 17), { t: 'subd', ch, at: 20, resumed: true });
    await pub.pub(ch, 'k21');
    await until(() => s2.msgs(ch).length === 4 && s.msgs(ch).length === 6, 'live after replay');
    assert.deepEqual(s2.serials(ch), [18, 19, 20, 21]);
  });

  test('a fresh mirror of a home whose history has all aged out answers promptly at the newest serial', async () => {
    const c = await cluster(3, { historySeconds: 0.2 });
    const ch = channelHomedOn('node-1', c.ids, 'aged');
    const pub = await client(c.url(0));
    for (let k = 1; k <= 3; k++) await pub.pub(ch, `k${k}`);
    await sleep(300);
    const s = await client(c.url(1));
    assert.deepEqual(await s.sub(ch, 3, 2000), { t: 'subd', ch, at: 3, resumed: true });
    await pub.pub(ch, 'k4');
    await until(() => s.msgs(ch).length === 1, 'live serial 4');
    assert.deepEqual(s.serials(ch), [4]);
  });

  test('when the home is down: publishes get err unavailable, new subscriptions wait; after its restart the link resumes without a gap', async () => {
    const dir = tempDir();
    const c = await cluster(3, { dataDirOf: (id) => join(dir, id) });
    const ch = channelHomedOn('node-1', c.ids, 'restart');
    const sub = await client(c.url(1));
    await sub.sub(ch);
    const pub = await client(c.url(1));
    for (let k = 1; k <= 5; k++) await pub.pub(ch, `k${k}`);
    await until(() => sub.msgs(ch).length === 5, 'first five');

    const port = await c.stop(0);
    await until(() => !c.nodes[1].isLinkOpen('node-1'), 'node-2 sees the link down');
    const refused = await pub.pub(ch, 'k6');
    assert.equal(refused.t, 'err');
    assert.deepEqual([refused.t === 'err' && refused.code, refused.t === 'err' && refused.id], ['unavailable', 'k6']);
    const waiter = await client(c.url(2));
    waiter.send({ t: 'sub', ch, from: 2 });
    await sleep(200);
    assert.equal(waiter.of('subd').length, 0, 'no subd while the home is unreachable');

    await c.startAgain(0, port);
    let ack;
    for (let tries = 0; ; tries++) {
      ack = await pub.pub(ch, 'k6');
      if (ack.t === 'ack' || tries > 100) break;
      await sleep(20);
    }
    assert.deepEqual(ack, { t: 'ack', id: 'k6', s: 6 });
    for (let k = 7; k <= 10; k++) await pub.pub(ch, `k${k}`);
    await until(() => sub.msgs(ch).length === 10 && waiter.msgs(ch).length === 8, 'deliveries after the restart');
    assert.deepEqual(sub.serials(ch), range(1, 10));
    assert.deepEqual(waiter.of('subd')[0], { t: 'subd', ch, at: waiter.of('subd')[0].at, resumed: true });
    assert.deepEqual(waiter.serials(ch), range(3, 10));
  });

  test('a home that lost its data: mirror subscribers are disconnected and told resumed:false when they resume', async () => {
    const c = await cluster(3); // memory only: a restart forgets
    const ch = channelHomedOn('node-1', c.ids, 'lost');
    const sub = await client(c.url(1));
    await sub.sub(ch);
    const pub = await client(c.url(0));
    for (let k = 1; k <= 5; k++) await pub.pub(ch, `k${k}`);
    await until(() => sub.msgs(ch).length === 5, 'first five');
    const port = await c.stop(0);
    await c.startAgain(0, port);
    await until(() => sub.closed, 'the mirror disconnects its subscriber', 5000);
    const again = await client(c.url(1));
    assert.deepEqual(await again.sub(ch, 5), { t: 'subd', ch, at: 0, resumed: false });
  });

  test('a stalled link (proxy holds bytes, no RST) is detected by ping and replaced', async () => {
    let homePort = 0;
    const proxy = await StallProxy.start(() => homePort);
    cleanups.push(() => proxy.close());
    // Every link towards node-1 goes through the proxy; its port is not node-1's port.
    const c = await cluster(3, {}, (_from, to, url) => (to === 'node-1' ? `ws://127.0.0.1:${proxy.port}` : url));
    homePort = c.nodes[0].port;
    const ch = channelHomedOn('node-1', c.ids, 'stall');
    const sub = await client(c.url(1));
    await sub.sub(ch);
    const pub = await client(c.url(1));
    assert.deepEqual(await pub.pub(ch, 'a'), { t: 'ack', id: 'a', s: 1 });
    proxy.stall(true);
    const pending = pub.pub(ch, 'b', {}, 3000);
    const answer = await pending; // the forwarded publish is failed when the link is given up
    assert.equal(answer.t === 'err' && answer.code, 'unavailable');
    proxy.stall(false);
    await until(() => c.nodes[1].isLinkOpen('node-1'), 'link back');
    for (let tries = 0; (await pub.pub(ch, 'b')).t !== 'ack' && tries < 100; tries++) await sleep(20);
    await until(() => sub.msgs(ch).length === 2, 'delivery after the stall');
    assert.deepEqual(sub.serials(ch), [1, 2]);
  });

  test('runBrokerCluster starts N linked nodes in one process', async () => {
    const cl = await runBrokerCluster({ nodes: 3 });
    cleanups.push(() => cl.close());
    assert.equal(cl.urls.length, 3);
    const ch = 'any-channel';
    const homeIdx = IDS.indexOf(homeOf(ch, IDS));
    const other = (homeIdx + 1) % 3;
    const s = await client(cl.urls[other]);
    // The links may still be connecting: a subscription waits for them.
    await s.sub(ch);
    const p = await client(cl.urls[(homeIdx + 2) % 3]);
    for (let tries = 0; (await p.pub(ch, 'x')).t !== 'ack' && tries < 100; tries++) await sleep(20);
    await until(() => s.msgs(ch).length === 1, 'delivery');
  });
});

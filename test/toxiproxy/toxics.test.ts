// Every toxic, asserted on real traffic through the embedded proxy to a real TCP server.
// Timing bounds are loose above (shared CI machines) and strict below (a toxic that does
// nothing must fail).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Proxy, Toxiproxy, ToxicType } from 'toxiproxy-node-client';
import { pendingDeadlines } from '../../src/toxiproxy/deadline-timer';
import { portOf, sleep, startHarness, startUpstream, TestClient, type Harness, type TestUpstream } from './helpers';

/** slack allowed above an expected delay on a busy machine */
const SLACK_MS = 300;

describe('toxics on real traffic', () => {
  let h: Harness;
  let tp: Toxiproxy;
  let echo: TestUpstream;
  let server: TestUpstream;
  let n = 0;
  const clients: TestClient[] = [];

  before(async () => {
    h = await startHarness();
    tp = h.toxiproxy;
    echo = await startUpstream(true);
    server = await startUpstream(false);
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await h.close();
    await echo.close();
    await server.close();
  });

  async function proxyTo(up: TestUpstream): Promise<{ proxy: Proxy; port: number }> {
    const proxy = await tp.createProxy({ name: `t${++n}`, listen: '127.0.0.1:0', upstream: up.address });
    return { proxy, port: portOf(proxy.listen) };
  }
  async function client(port: number): Promise<TestClient> {
    const c = await TestClient.connect(port);
    clients.push(c);
    return c;
  }
  /** a client plus the server's side of its connection */
  async function pair(port: number) {
    const accepted = server.nextSocket();
    const c = await client(port);
    return { client: c, peer: await accepted };
  }
  type Attrs = Record<string, number>;
  const add = (proxy: Proxy, type: string, attributes: Attrs, stream: 'upstream' | 'downstream' = 'downstream', toxicity = 1, name = `${type}_${stream}`) =>
    proxy.addToxic<Attrs>({ name, type: type as ToxicType, stream, toxicity, attributes });

  test('without toxics bytes pass unchanged both ways', async () => {
    const { proxy, port } = await proxyTo(echo);
    const c = await client(port);
    const payload = randomBytes(256 * 1024);
    c.socket.write(payload);
    await c.until(() => c.bytes >= payload.length);
    assert.ok(Buffer.concat(c.chunks.map((x) => x.data)).equals(payload));
    await proxy.remove();
  });

  test('latency delays each chunk by `latency`; delays overlap and order is kept', async () => {
    const { proxy, port } = await proxyTo(echo);
    const c = await client(port);
    assert.ok((await c.roundTrip('warm')) < 100);
    await add(proxy, 'latency', { latency: 200, jitter: 0 });
    const rtt = await c.roundTrip('ping');
    assert.ok(rtt >= 199 && rtt < 200 + SLACK_MS, `round trip ${rtt.toFixed(1)} ms with a 200 ms latency`);
    // five writes 40 ms apart: each is delayed from its own read time, not after the previous one
    const start = performance.now();
    const before = c.chunks.length;
    for (let i = 0; i < 5; i++) {
      c.socket.write(String(i));
      await sleep(40);
    }
    await c.until(() => c.bytes >= 8 + 5);
    const total = performance.now() - start;
    assert.ok(total < 5 * 200, `five overlapping delays took ${total.toFixed(0)} ms`);
    assert.equal(c.chunks.slice(before).map((x) => x.data.toString()).join(''), '01234');
    await proxy.remove();
  });

  test('several latency toxics in one direction add up', async () => {
    const { proxy, port } = await proxyTo(echo);
    await add(proxy, 'latency', { latency: 120, jitter: 0 }, 'downstream', 1, 'first');
    await add(proxy, 'latency', { latency: 120, jitter: 0 }, 'downstream', 1, 'second');
    const c = await client(port);
    const rtt = await c.roundTrip('twice');
    assert.ok(rtt >= 239 && rtt < 240 + SLACK_MS, `round trip ${rtt.toFixed(0)} ms through two 120 ms toxics`);
    await proxy.remove();
  });

  test('jitter varies the delay within latency ± jitter', async () => {
    const { proxy, port } = await proxyTo(echo);
    await add(proxy, 'latency', { latency: 100, jitter: 90 });
    const c = await client(port);
    const rtts: number[] = [];
    for (let i = 0; i < 12; i++) rtts.push(await c.roundTrip('j'));
    const min = Math.min(...rtts);
    const max = Math.max(...rtts);
    assert.ok(min >= 9, `min ${min}`);
    assert.ok(max < 190 + SLACK_MS, `max ${max}`);
    assert.ok(max - min > 30, `jitter must spread the delays: ${rtts.map((r) => r.toFixed(0)).join(',')}`);
    await proxy.remove();
  });

  test('upstream and downstream toxics act on their own direction only', async () => {
    const { proxy, port } = await proxyTo(server);
    await add(proxy, 'latency', { latency: 250, jitter: 0 }, 'upstream');
    const { client: c, peer } = await pair(port);
    const received = server.received[server.received.length - 1];
    const t0 = performance.now();
    c.socket.write('to-server');
    peer.write('to-client');
    await c.until(() => c.bytes >= 9);
    const downstreamMs = performance.now() - t0;
    while (received.length === 0) await sleep(5);
    const upstreamMs = performance.now() - t0;
    assert.ok(downstreamMs < 150, `downstream untouched: ${downstreamMs.toFixed(0)} ms`);
    assert.ok(upstreamMs >= 245, `upstream delayed: ${upstreamMs.toFixed(0)} ms`);
    await proxy.remove();
  });

  test('bandwidth caps throughput at `rate` KB/s; rate 0 stalls until removed', async () => {
    const { proxy, port } = await proxyTo(server);
    await add(proxy, 'bandwidth', { rate: 50 });
    const { client: c, peer } = await pair(port);
    const t0 = performance.now();
    peer.write(randomBytes(40_000));
    await c.until(() => c.bytes >= 40_000, 5000);
    const ms = performance.now() - t0;
    assert.ok(ms >= 700 && ms < 800 + 2 * SLACK_MS, `40 KB at 50 KB/s took ${ms.toFixed(0)} ms`);

    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    const stalled = await tp.get(proxy.name);
    const toxic = await stalled.getToxic('bandwidth_downstream');
    await toxic.update({ ...toxic.toJson(), attributes: { rate: 0 } });
    peer.write('held');
    await sleep(300);
    assert.equal(c.bytes, 40_000, 'rate 0 lets nothing through');
    await toxic.remove();
    await c.until(() => c.bytes === 40_004, 1000, 'held bytes flushed on removal');
    await proxy.remove();
  });

  test('timeout drops data and closes after `timeout` ms without data', async () => {
    const { proxy, port } = await proxyTo(server);
    await add(proxy, 'timeout', { timeout: 300 });
    const { client: c, peer } = await pair(port);
    const t0 = performance.now();
    await sleep(100);
    peer.write('dropped');
    await c.until(() => c.closedAt !== null, 3000, 'close');
    const ms = c.closedAt! - t0;
    assert.equal(c.bytes, 0);
    assert.ok(ms >= 390 && ms < 400 + SLACK_MS, `closed after ${ms.toFixed(0)} ms (timer re-armed by the chunk at 100 ms)`);
    await proxy.remove();
  });

  test('timeout 0 holds the connection open with no data; removing it closes the connection', async () => {
    const { proxy, port } = await proxyTo(server);
    const toxic = await add(proxy, 'timeout', { timeout: 0 });
    const { client: c, peer } = await pair(port);
    peer.write('never');
    await sleep(400);
    assert.equal(c.bytes, 0);
    assert.equal(c.closedAt, null, 'still open');
    await toxic.remove();
    await c.until(() => c.closedAt !== null, 2000, 'close after removal');
    await proxy.remove();
  });

  test('reset_peer resets the connection (ECONNRESET) `timeout` ms after data', async () => {
    const { proxy, port } = await proxyTo(echo);
    await add(proxy, 'reset_peer', { timeout: 200 });
    const c = await client(port);
    const t0 = performance.now();
    c.socket.write('boom');
    await c.until(() => c.closedAt !== null, 3000, 'reset');
    assert.equal(c.error?.code, 'ECONNRESET');
    assert.equal(c.bytes, 0, 'the data is dropped');
    assert.ok(c.closedAt! - t0 >= 195, `reset after ${(c.closedAt! - t0).toFixed(0)} ms`);
    await proxy.remove();
  });

  test('slicer splits one write into several reads, with delay between pieces', async () => {
    const { proxy, port } = await proxyTo(server);
    await add(proxy, 'slicer', { average_size: 10, size_variation: 4, delay: 5000 });
    const { client: c, peer } = await pair(port);
    const payload = randomBytes(100);
    const t0 = performance.now();
    peer.write(payload);
    await c.until(() => c.bytes >= 100);
    const ms = performance.now() - t0;
    assert.ok(Buffer.concat(c.chunks.map((x) => x.data)).equals(payload), 'same bytes, same order');
    assert.ok(c.chunks.length >= 6, `100 bytes in ${c.chunks.length} reads`);
    assert.ok(c.chunks.every((x) => x.data.length <= 14), 'no piece above average + variation');
    assert.ok(ms >= 25, `pieces spaced by 5 ms: ${ms.toFixed(0)} ms`);
    await proxy.remove();
  });

  test('slicer survives pathological sizes (average_size 0)', async () => {
    const { proxy, port } = await proxyTo(echo);
    await add(proxy, 'slicer', { average_size: 0, size_variation: 50, delay: 0 });
    const c = await client(port);
    await c.roundTrip('abcdefghij');
    assert.equal(c.text, 'abcdefghij');
    await proxy.remove();
  });

  test('limit_data lets `bytes` through, then closes', async () => {
    const { proxy, port } = await proxyTo(server);
    await add(proxy, 'limit_data', { bytes: 100 });
    const { client: c, peer } = await pair(port);
    peer.write(Buffer.alloc(60, 1));
    await sleep(30);
    peer.write(Buffer.alloc(60, 2));
    await c.until(() => c.closedAt !== null, 2000, 'close');
    assert.equal(c.bytes, 100);
    await proxy.remove();
  });

  test('slow_close delays the close by `delay` ms', async () => {
    const { proxy, port } = await proxyTo(server);
    const baseline = await pair(port);
    let t0 = performance.now();
    baseline.peer.end();
    await baseline.client.until(() => baseline.client.endedAt !== null, 2000, 'baseline end');
    assert.ok(baseline.client.endedAt! - t0 < 150);

    await add(proxy, 'slow_close', { delay: 300 });
    const { client: c, peer } = await pair(port);
    peer.write('last words');
    t0 = performance.now();
    peer.end();
    await c.until(() => c.endedAt !== null, 2000, 'slow end');
    assert.equal(c.text, 'last words');
    const ms = c.endedAt! - t0;
    assert.ok(ms >= 295 && ms < 300 + SLACK_MS, `closed after ${ms.toFixed(0)} ms`);
    await proxy.remove();
  });

  test('toxicity 0 leaves traffic untouched; toxicity 1 always applies', async () => {
    const { proxy, port } = await proxyTo(echo);
    await add(proxy, 'latency', { latency: 300, jitter: 0 }, 'downstream', 0);
    for (let i = 0; i < 3; i++) {
      const c = await client(port);
      assert.ok((await c.roundTrip('x')) < 150);
      c.destroy();
    }
    await add(proxy, 'latency', { latency: 200, jitter: 0 }, 'upstream', 1, 'always');
    const c = await client(port);
    assert.ok((await c.roundTrip('x')) >= 199);
    await proxy.remove();
  });

  test('disabling drops open connections and refuses new ones; enabling rebinds the same port', async () => {
    const { proxy, port } = await proxyTo(echo);
    const c = await client(port);
    await c.roundTrip('alive');
    const off = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await c.until(() => c.closedAt !== null, 2000, 'dropped');
    await assert.rejects(TestClient.connect(port), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
    const on = await off.update({ enabled: true, listen: off.listen, upstream: off.upstream });
    assert.equal(portOf(on.listen), port);
    const again = await client(port);
    assert.ok((await again.roundTrip('back')) < 150);
    await proxy.remove();
    await again.until(() => again.closedAt !== null, 2000, 'closed by delete');
  });

  test('toxics added, updated and removed apply to an open connection; removal flushes held data', async () => {
    const { proxy, port } = await proxyTo(echo);
    const c = await client(port);
    assert.ok((await c.roundTrip('a')) < 100);
    const toxic = await add(proxy, 'latency', { latency: 400, jitter: 0 });
    assert.ok((await c.roundTrip('b')) >= 399, 'added toxic applies to the open connection');
    const faster = await toxic.update({ ...toxic.toJson(), attributes: { latency: 150, jitter: 0 } });
    const rtt = await c.roundTrip('c');
    assert.ok(rtt >= 149 && rtt < 400, `updated latency applies: ${rtt.toFixed(0)} ms`);
    await faster.update({ ...faster.toJson(), attributes: { latency: 2000, jitter: 0 } });
    const t0 = performance.now();
    c.socket.write('d');
    await sleep(50);
    await faster.remove();
    await c.until(() => c.bytes >= 4, 1000, 'flushed chunk');
    assert.ok(performance.now() - t0 < 1000, 'the held chunk came out when the toxic was removed, not after 2 s');
    await proxy.remove();
  });

  test('/reset removes toxics from open connections without closing them, except timeout', async () => {
    const a = await proxyTo(echo);
    const b = await proxyTo(server);
    await add(a.proxy, 'latency', { latency: 300, jitter: 0 });
    await add(b.proxy, 'timeout', { timeout: 0 });
    const ca = await client(a.port);
    const cb = (await pair(b.port)).client;
    await tp.reset();
    assert.ok((await ca.roundTrip('fast again')) < 150);
    await cb.until(() => cb.closedAt !== null, 2000, 'timeout connection closed by reset');
    assert.equal(ca.closedAt, null);
    await a.proxy.remove();
    await b.proxy.remove();
  });

  test('reset_peer with toxicity 0 passes data but still closes with RST (Toxiproxy #603)', async () => {
    const { proxy, port } = await proxyTo(server);
    await add(proxy, 'reset_peer', { timeout: 0 }, 'downstream', 0);
    const { client: c, peer } = await pair(port);
    peer.write('data passes');
    await c.until(() => c.bytes >= 11);
    peer.end();
    await c.until(() => c.closedAt !== null, 2000, 'close');
    assert.equal(c.error?.code, 'ECONNRESET');
    await proxy.remove();
  });

  test('an unreachable upstream still accepts, then closes the client', async () => {
    const proxy = await tp.createProxy({ name: 'unreachable', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const c = await client(portOf(proxy.listen));
    await c.until(() => c.closedAt !== null, 2000, 'close');
    assert.equal(c.bytes, 0);
    await proxy.remove();
  });

  test('backpressure: a server that does not read stops the client, the proxy buffers little', async () => {
    const { proxy, port } = await proxyTo(server);
    const { client: c, peer } = await pair(port);
    peer.pause();
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < 32; i++) c.socket.write(block);
    await sleep(500);
    // loopback kernel buffers take a few MB; everything else must still wait in the client
    assert.ok(c.socket.writableLength > 12 << 20, `client still holds ${(c.socket.writableLength / 1e6).toFixed(1)} MB`);
    peer.resume();
    await c.until(() => c.socket.writableLength === 0, 5000, 'drained');
    await proxy.remove();
  });

  test('no toxic deadline outlives its connections', async () => {
    for (const c of clients) c.destroy();
    for (const proxy of Object.values(await tp.getAll())) await proxy.remove(); // left by a failed test
    await sleep(100);
    assert.equal(pendingDeadlines(), 0);
  });
});

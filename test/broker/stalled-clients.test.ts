// Issue 11 item 6: the node does not keep stalled clients forever. A client whose unsent
// backlog passes --max-buffered-bytes is closed 4008 "slow consumer" (it sees the close once it
// reads again; its socket is destroyed after a grace period if it never does), and a client
// that leaves the node's ping unanswered for --client-timeout-ms is closed 4009.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { CLOSE } from '../../reference-broker/connection';
import { closedAfterAll, TestClient, range, sleep, until } from './helpers';

const { client, cluster } = closedAfterAll();

const BOUND = 64 * 1024;
const PAYLOAD = 'x'.repeat(16 * 1024);

/** Publishes 16 KiB messages (waiting for each ack) until `done`; at most `max`. */
async function flood(p: TestClient, ch: string, done: () => boolean, max: number): Promise<number> {
  let n = 0;
  while (!done() && n < max) {
    n++;
    assert.equal((await p.pub(ch, `f-${n}`, { x: PAYLOAD })).t, 'ack');
  }
  return n;
}

describe('stalled clients', () => {
  test('a client that stops reading is closed 4008 "slow consumer" past the bound; a reading one keeps everything', async () => {
    // Pings far apart: only the buffer bound acts here. Grace 3 s to read the close frame.
    const c = await cluster(1, { maxBufferedBytes: BOUND, clientPingMs: 600_000, clientTimeoutMs: 3000 });
    const node = c.nodes[0];
    const slow = await client(c.url(0));
    const good = await client(c.url(0));
    const pub = await client(c.url(0));
    await slow.sub('firehose');
    await good.sub('firehose');
    slow.pauseReading(true);
    // The kernel's socket buffers absorb some MB before the node's own backlog grows: bounded by max.
    const sent = await flood(pub, 'firehose', () => node.stats().subscriptions === 1, 2000);
    assert.equal(node.stats().subscriptions, 1, `slow consumer cut off after ${sent} messages`);
    slow.pauseReading(false);
    await until(() => slow.closed, 'the slow client sees its close', 5000);
    assert.equal(slow.closeCode, CLOSE.slowConsumer);
    assert.match(slow.closeReason, /^slow consumer: more than 65536 bytes unsent$/);
    assert.ok(slow.serials('firehose').length < sent, 'it got a prefix only');
    assert.deepEqual(slow.serials('firehose'), range(1, slow.serials('firehose').length), 'a gapless prefix');
    await until(() => good.serials('firehose').length === sent, 'the reading client gets every message');
    assert.deepEqual(good.serials('firehose'), range(1, sent));
    assert.equal(good.closed, false);
    await until(() => node.stats().connections === 2, 'the node let go of the slow socket');
  });

  test('a dropped client that never reads again loses its socket after the grace period', async () => {
    const c = await cluster(1, { maxBufferedBytes: BOUND, clientPingMs: 600_000, clientTimeoutMs: 500 });
    const node = c.nodes[0];
    const slow = await client(c.url(0));
    const pub = await client(c.url(0));
    await slow.sub('firehose');
    slow.pauseReading(true);
    await flood(pub, 'firehose', () => node.stats().subscriptions === 0, 2000);
    assert.equal(node.stats().subscriptions, 0);
    const droppedAt = Date.now();
    await until(() => node.stats().connections === 1, 'socket destroyed after the 500 ms grace', 4000);
    assert.ok(Date.now() - droppedAt < 3000);
  });

  test('a client that never answers pings is closed 4009 after the timeout; one that answers stays and is served', async () => {
    const c = await cluster(1, { clientPingMs: 100, clientTimeoutMs: 400 });
    const node = c.nodes[0];
    const silent = await client(c.url(0), { autoPong: false });
    const stalled = await client(c.url(0));
    const healthy = await client(c.url(0));
    await silent.sub('hb');
    stalled.pauseReading(true);                // reads nothing: not even the ping
    const started = Date.now();
    // Bound: ping within 100 + 50 ms, timeout 400 + 50 ms, then the close.
    await until(() => silent.closed, 'the silent client is closed', 3000);
    assert.equal(silent.closeCode, CLOSE.heartbeatTimeout);
    assert.match(silent.closeReason, /^heartbeat timeout: no pong for 400 ms$/);
    assert.ok(Date.now() - started >= 400, 'not before the timeout');
    await until(() => node.stats().connections === 1, 'the stalled client dropped too', 3000);
    await sleep(300);                          // several more ping rounds for the healthy one
    assert.equal(healthy.closed, false);
    await healthy.sub('hb');
    assert.equal((await healthy.pub('hb', 'still-served')).t, 'ack');
    await until(() => healthy.serials('hb').length === 1, 'delivery to the healthy client');
  });
});

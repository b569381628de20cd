// Issue 11 item 4: channels created by `sub` are freed when nobody needs them any more (home
// channels without subscribers and without messages; mirrors after their linger, which also
// unsubscribes upstream), and one connection cannot hold more subscriptions than the limit.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseBrokerArgs } from '../../reference-broker/args';
import { closedAfterAll, TestClient, channelHomedOn, until } from './helpers';

const { client, cluster } = closedAfterAll();

/** Subscribes to every channel, pipelined, and waits for all the subds. */
async function subAll(c: TestClient, channels: string[]): Promise<void> {
  const before = c.of('subd').length;
  for (const ch of channels) c.send({ t: 'sub', ch });
  await until(() => c.of('subd').length - before === channels.length, `${channels.length} subds`, 15000);
}

describe('channel release', () => {
  test('home channels created by sub are freed by unsub and by closing the connection, cycle after cycle', async () => {
    const c = await cluster(1);
    const node = c.nodes[0];
    const channels = (round: number) => Array.from({ length: 2000 }, (_, i) => `churn-${round}-${i}`);
    for (let round = 0; round < 3; round++) {
      const a = await client(c.url(0));
      await subAll(a, channels(round));
      assert.equal(node.stats().homes, 2000);
      if (round % 2 === 0) {
        for (const ch of channels(round)) a.send({ t: 'unsub', ch });
      } else {
        a.close();
      }
      await until(() => node.stats().homes === 0, 'every channel freed');
      assert.equal(node.stats().subscriptions, 0);
    }
  });

  test('a channel that stored a message keeps its serials after its last subscriber leaves', async () => {
    const c = await cluster(1);
    const a = await client(c.url(0));
    await a.sub('kept');
    assert.equal((await a.pub('kept', 'k1')).t, 'ack');
    a.send({ t: 'unsub', ch: 'kept' });
    await a.sub('empty');
    a.send({ t: 'unsub', ch: 'empty' });
    await until(() => c.nodes[0].stats().subscriptions === 0, 'unsubscribed');
    assert.equal(c.nodes[0].stats().homes, 1, 'the empty channel is freed, the used one kept');
    const b = await client(c.url(0));
    assert.deepEqual(await b.sub('kept', 0), { t: 'subd', ch: 'kept', at: 1, resumed: true });
    assert.deepEqual(b.serials('kept'), [1]);
  });

  test('mirrors are freed after their linger and unsubscribe upstream, so the home frees the channel too', async () => {
    const c = await cluster(3, { mirrorLingerMs: 50 });
    const channels = Array.from({ length: 600 }, (_, i) => `mirror-churn-${i}`);
    const homedElsewhere = channels.filter((ch) => c.homeIndex(ch) !== 0);
    assert.ok(homedElsewhere.length > 300);
    for (let round = 0; round < 2; round++) {
      const a = await client(c.url(0));
      await subAll(a, channels);
      assert.equal(c.nodes[0].stats().mirrors, homedElsewhere.length);
      await until(() => c.nodes[1].stats().homes + c.nodes[2].stats().homes === homedElsewhere.length, 'homes hold the upstream subscriptions');
      if (round === 0) for (const ch of channels) a.send({ t: 'unsub', ch });
      else a.close();
      await until(() => c.nodes.every((n) => n.stats().mirrors === 0 && n.stats().homes === 0), 'mirrors and homes freed on every node', 8000);
    }
    // A fresh mirror of a freed channel still serves the whole history.
    const ch = channelHomedOn('node-2', c.ids, 'after');
    const pub = await client(c.url(1));
    assert.equal((await pub.pub(ch, 'a1')).t, 'ack');
    const sub = await client(c.url(0));
    await sub.sub(ch, 0);
    await until(() => sub.serials(ch).length === 1, 'replay through a new mirror');
    sub.send({ t: 'unsub', ch });
    await until(() => c.nodes[0].stats().mirrors === 0, 'that mirror freed too');
  });

  test('subscriptions per connection are limited; the refusal is err rate_limited naming the channel', async () => {
    const c = await cluster(1, { maxSubsPerConnection: 3 });
    const a = await client(c.url(0));
    for (const ch of ['l-1', 'l-2', 'l-3']) await a.sub(ch);
    a.send({ t: 'sub', ch: 'l-4' });
    const refused = await a.waitFrame('err');
    assert.equal(refused.code, 'rate_limited');
    assert.equal(refused.ch, 'l-4');
    assert.equal(refused.id, undefined);
    assert.match(refused.msg, /subscription limit of 3/);
    assert.equal(a.of('subd').filter((f) => f.ch === 'l-4').length, 0);
    assert.equal(c.nodes[0].stats().homes, 3, 'the refused sub created no channel');
    await a.sub('l-2', 0);                     // re-subscribing a held channel is not a new one
    a.send({ t: 'unsub', ch: 'l-1' });
    await a.sub('l-4');                        // room again after an unsub
    const b = await client(c.url(0));
    await b.sub('l-5');                        // the limit is per connection
    assert.equal(a.of('err').length, 1);
    assert.equal(a.closed, false);
  });

  test('broker flags: limits and heartbeat', () => {
    const o = parseBrokerArgs(['--max-subs-per-connection', '7', '--max-buffered-bytes=65536', '--client-ping-ms', '250', '--client-timeout-ms', '900']);
    assert.deepEqual([o.maxSubsPerConnection, o.maxBufferedBytes, o.clientPingMs, o.clientTimeoutMs], [7, 65536, 250, 900]);
    assert.throws(() => parseBrokerArgs(['--max-subs-per-connection', '0']), /--max-subs-per-connection must be an integer from 1/);
    assert.throws(() => parseBrokerArgs(['--client-timeout-ms', 'soon']), /--client-timeout-ms must be an integer/);
  });
});

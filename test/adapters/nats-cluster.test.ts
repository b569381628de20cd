// The NATS cluster of the local runtime: one route per pair of servers, through both directed
// link proxies of the pair, so taking down EITHER link:A>B or link:B>A stops messages between
// A and B (core NATS forwards one hop only, so a cut route shows as a subscriber on B missing
// A's publishes), and bringing it back heals the route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from 'nats';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startSystemCluster } from '../../src/runtime/systems/cluster';
import { tmpOut } from '../integration/support';
import { installed } from './support';

const skip = !installed('nats') && !process.env.CI ? 'nats-server not installed (apt-get install -y nats-server)' : false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a message published on `from` reaches a subscriber on `to` within `ms`. */
async function reaches(from: NatsConnection, to: NatsConnection, ms: number): Promise<boolean> {
  const subject = `probe.${Math.random().toString(36).slice(2)}`;
  const sub = to.subscribe(subject, { max: 1 });
  await to.flush();
  await sleep(200); // the subscription's interest crosses the route (if there is one)
  const got = (async () => { for await (const _ of sub) return true; return false; })();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    from.publish(subject, 'x');
    if (await Promise.race([got, sleep(200).then(() => false)])) return true;
  }
  sub.unsubscribe();
  return false;
}

async function healed(from: NatsConnection, to: NatsConnection): Promise<boolean> {
  for (let i = 0; i < 10; i++) if (await reaches(from, to, 1000)) return true;
  return false;
}

test('a link proxy down cuts the route of its pair, whichever direction it names; up heals it', { skip }, async () => {
  const cluster = await startSystemCluster({ runtime: 'local', system: 'nats', nodes: 3, durable: true, history: 1, historySeconds: 1, urls: [] }, { runDir: tmpOut() });
  const conns: NatsConnection[] = [];
  try {
    assert.deepEqual(Object.keys(cluster.proxies.links).sort(), ['node-1>node-2', 'node-1>node-3', 'node-2>node-1', 'node-2>node-3', 'node-3>node-1', 'node-3>node-2']);
    for (const n of cluster.nodes) conns.push(await connect({ servers: n.directUrl!, reconnect: false }));
    const [n1, n2, n3] = conns;
    assert.ok(await healed(n1, n2), 'a healthy cluster routes node-1 → node-2');
    const api = new Toxiproxy(cluster.proxies.apiUrl);
    for (const name of ['link:node-1>node-2', 'link:node-2>node-1']) {
      const proxy = await api.get(name);
      await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
      await sleep(500);
      assert.equal(await reaches(n1, n2, 1500), false, `${name} down: node-1's publish still reached node-2`);
      assert.equal(await reaches(n2, n1, 1500), false, `${name} down: node-2's publish still reached node-1`);
      assert.ok(await reaches(n1, n3, 2000), `${name} down must not cut node-1 → node-3`);
      await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
      assert.ok(await healed(n1, n2), `${name} up again: the route between node-1 and node-2 did not heal`);
    }
  } finally {
    for (const c of conns) await c.close().catch(() => {});
    await cluster.stop();
  }
});

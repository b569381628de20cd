// Finding 9: a restarted local node must not need its old port, which another socket may hold
// by then. It binds port 0 like a first start, and its client proxy and the links towards it
// are pointed at the new port, so clients and peers reconnect through the same proxies.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster } from '../../src/runtime/local';
import type { Cluster } from '../../src/runtime/cluster';
import type { ClusterSpec } from '../../src/contracts/scenario';
import { TestClient, channelHomedOn, sleep } from '../broker/helpers';

const cleanups: Array<() => unknown> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const portOf = (url: string) => Number(new URL(url).port);

/** Publishes until the answer is an ack (the link or the node may still be coming back). */
async function pubUntilAcked(c: TestClient, ch: string, id: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await c.pub(ch, id, { id }, 5000);
    if (answer.t === 'ack' || Date.now() > deadline) return answer;
    await sleep(200);
  }
}

describe('local runtime restart', () => {
  test('a node whose old port is taken restarts on a new one; clients and links reach it through the same proxies', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'cb-restart-'));
    cleanups.push(() => rmSync(runDir, { recursive: true, force: true }));
    const spec: ClusterSpec = { runtime: 'local', nodes: 2, durable: true, history: 10000, historySeconds: 3600, urls: [] };
    const cluster: Cluster = await startLocalCluster(spec, { runDir });
    cleanups.push(() => cluster.stop());
    const [n1, n2] = cluster.nodes;
    const ch = channelHomedOn('node-1', ['node-1', 'node-2'], 'restart');

    const before = await TestClient.connect(n1.clientUrl);
    cleanups.push(() => before.close());
    assert.deepEqual(await before.pub(ch, 'a'), { t: 'ack', id: 'a', s: 1 });

    const oldPort = portOf(n1.directUrl!);
    await cluster.kill('node-1');
    const squatter = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => squatter.listen(oldPort, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => squatter.close(() => r())));

    await cluster.restart('node-1');
    const moved = cluster.nodes.find((n) => n.id === 'node-1')!;
    assert.notEqual(portOf(moved.directUrl!), oldPort);
    assert.equal(moved.clientUrl, n1.clientUrl, 'clients keep their proxy');

    const again = await TestClient.connect(n1.clientUrl);
    cleanups.push(() => again.close());
    assert.deepEqual(await again.sub(ch, 0), { t: 'subd', ch, at: 1, resumed: true }, 'the durable log came back');
    assert.deepEqual(await pubUntilAcked(again, ch, 'b'), { t: 'ack', id: 'b', s: 2 });
    // node-2 forwards to the home over its link proxy, which must now point at the new port.
    const viaPeer = await TestClient.connect(n2.clientUrl);
    cleanups.push(() => viaPeer.close());
    assert.deepEqual(await pubUntilAcked(viaPeer, ch, 'c'), { t: 'ack', id: 'c', s: 3 });
  });
});

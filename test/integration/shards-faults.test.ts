// Faults in a sharded run: every shard's clients go through ONE fault proxy (`chat-bench broker
// --fault-proxy`, named by cluster.faultProxy), and only shard 0 drives the faults through its
// API, so a `down` on clients:node-1 drops the node-1 clients of every shard. With resume the
// merged run is still exact: nothing lost, duplicated or reordered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tmpOut } from './support';
import { externalScenario, onlyDir, resultsIn, runShards, startBroker } from './shard-support';
import { stopChild } from '../support/processes';

function scenarioFile(dir: string, urls: string[], faultProxy: string, name = 'scenario.yaml'): string {
  return externalScenario(join(dir, name), 'shard-faults', urls, [
    'clients:',
    '  count: 48',
    '  rampUp: 1s',
    '  channels: 4',
    '  subscriptionsPerClient: 2',
    '  publishers: 8',
    '  publishRate: 4/s',
    '  payloadBytes: 64',
    '  reconnect: { initial: 50ms, max: 500ms, multiplier: 2, jitter: full }',
    '  heartbeat: { interval: 1s, timeout: 3s }',
    'faults:',
    '  - { at: 3s, for: 1500ms, target: clients:node-1, action: down }',
    'duration: 7s', 'drain: 8s', 'recovery: 2s', 'seed: 5',
  ], faultProxy);
}

test('a down on clients:node-1 driven by shard 0 through the shared fault proxy drops shard 1\'s node-1 clients too; the merge is exact', async () => {
  // 3 nodes, 2 shards: client i is on node i mod 3 and in shard i mod 2, so both shards have node-1 clients.
  const broker = await startBroker(3, [], true);
  try {
    const work = tmpOut('cb-shards-faults-');
    const file = scenarioFile(work, broker.proxy!.urls, broker.proxy!.apiUrl);
    const dirs = await runShards(file, join(work, 'shards'), 2);
    const [s0, s1] = dirs.map(resultsIn);
    // Shard 1 applies no fault itself, yet its node-1 clients (c3, c9, …) were dropped and came back.
    assert.ok(s1.clients.disconnects > 0 && s1.clients.reconnects > 0, `shard 1: ${JSON.stringify(s1.clients)}`);
    assert.ok(s0.clients.reconnects > 0, `shard 0: ${JSON.stringify(s0.clients)}`);
    // Only node-1's clients: 16 of the 48 (c0, c3, … c45), 8 in each shard.
    assert.ok(s1.clients.reconnects <= 8 * 4, `shard 1 reconnects ${s1.clients.reconnects}`);

    const merge = await cli(['merge', ...dirs, '--out', join(work, 'merged')]);
    assert.equal(merge.code, 0, merge.stderr + merge.stdout);
    const merged = resultsIn(onlyDir(join(work, 'merged'), '-merged'));
    assert.equal(merged.verdict, 'pass');
    for (const k of ['lost', 'duplicated', 'reordered', 'phantom', 'unconfirmedStreams', 'serialConflicts', 'inDoubt', 'unsent'] as const) {
      assert.equal(merged.totals[k], 0, `${k}: ${JSON.stringify(merged.totals)}`);
    }
    assert.equal(merged.totals.delivered, merged.totals.expected);
    assert.ok(merged.totals.expected > 0);
    assert.equal(merged.clients.reconnects, s0.clients.reconnects + s1.clients.reconnects);
    assert.ok(merged.timeline.some((e) => e.kind === 'fault' && /down clients:node-1/.test(e.label) && !e.error), JSON.stringify(merged.timeline));

    // The coordinator undid its fault: the shared proxy is enabled again.
    const proxies = await (await fetch(`${broker.proxy!.apiUrl}/proxies`)).json() as Record<string, { enabled: boolean }>;
    assert.equal(proxies['clients:node-1'].enabled, true);

    // A scenario naming a proxy the fault proxy does not have: one line, exit 3.
    const bad = scenarioFile(work, [...broker.proxy!.urls, broker.urls[0]], broker.proxy!.apiUrl, 'bad.yaml');
    const r = await cli(['run', bad, '--out', join(work, 'bad'), '-q']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /cluster\.faultProxy http:\/\/\S+ has no proxy "clients:node-4" for cluster\.urls\[3\]/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } finally {
    await stopChild(broker.child);
  }
});

test('cluster.faultProxy is refused outside runtime external', async () => {
  const work = tmpOut('cb-faultproxy-');
  const file = join(work, 'local.yaml');
  writeFileSync(file, 'name: x\ncluster: { runtime: local, faultProxy: http://127.0.0.1:8474 }\nclients: { count: 2 }\nduration: 2s\n');
  const r = await cli(['validate', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /cluster\.faultProxy.*only used with runtime external/);
  writeFileSync(file, 'name: x\ncluster: { runtime: external, urls: [ws://127.0.0.1:1], faultProxy: "toxiproxy:8474" }\nclients: { count: 2 }\nduration: 2s\n');
  const r2 = await cli(['validate', file]);
  assert.equal(r2.code, 2, r2.stderr);
  assert.match(r2.stderr, /cluster\.faultProxy.*not the http:\/\/ URL of a Toxiproxy API/);
});

// A local cluster sized for 20,000 clients splits its client proxies over several proxy
// processes (a relayed connection costs the proxy two file descriptors); faults must reach
// the process that owns each proxy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Toxiproxy } from 'toxiproxy-node-client';
import { connectionsPerProxy } from '../../src/runtime/fd-budget';
import { fdLimit } from '../../src/util/fd-limits';
import { runScenario } from '../../src/run';
import type { Cluster } from '../../src/runtime/cluster';
import { startLocalCluster } from '../../src/runtime/local';
import { parseScenario } from '../../src/scenario/parse';
import { scenario, tmpOut } from './support';

test('client proxies in 3 proxy processes: faults on each reach the right API, run intact', async (t) => {
  if (!Number.isFinite(fdLimit())) {
    t.skip('no open-files limit: everything fits in one proxy process');
    return;
  }
  // As many clients as make each node's proxy need most of a process (20,000 at a limit of 20,000).
  const sizedFor = 3 * (connectionsPerProxy(fdLimit()) - 100);
  let cluster: Cluster | null = null;
  const { results, exitCode } = await runScenario(parseScenario(scenario({
    clients: {
      count: 150, rampUp: '1s', channels: 6, subscriptionsPerClient: 2, publishers: 12, publishRate: '4/s', payloadBytes: 128,
      reconnect: { initial: '50ms', max: '800ms', multiplier: 2, jitter: 'full' },
      heartbeat: { interval: '500ms', timeout: '1500ms' },
    },
    duration: '6s', drain: '8s',
    faults: [
      { at: '2s', for: '2s', target: 'clients:node-2', action: 'down' },
      { at: '2s', for: '2s', target: 'clients:node-3', toxic: 'latency', attributes: { latency: 200 } },
      { at: '2s', for: '2s', target: 'link:node-1>node-3', action: 'down' },
    ],
  }), 'inline'), {
    outDir: tmpOut(),
    quiet: true,
    startCluster: async (spec, opts) => {
      cluster = await startLocalCluster(spec, { ...opts, expectedClients: sizedFor });
      const p = cluster.proxies;
      const apis = [p.apiUrl, p.apiUrls?.['clients:node-2'], p.apiUrls?.['clients:node-3']];
      assert.equal(new Set(apis.filter(Boolean)).size, 3, JSON.stringify(p));
      // Each proxy lives only in its own process.
      assert.deepEqual(Object.keys(await new Toxiproxy(p.apiUrls!['clients:node-2']).getAll()), ['clients:node-2']);
      assert.ok(Object.keys(await new Toxiproxy(p.apiUrl).getAll()).includes('link:node-1>node-3'));
      return cluster;
    },
  });
  assert.ok(cluster, 'cluster started');
  for (const f of results.timeline.filter((e) => e.kind === 'fault')) assert.equal(f.error, undefined, `${f.label}: ${f.error}`);
  const tot = results.totals;
  assert.deepEqual({ lost: tot.lost, duplicated: tot.duplicated, reordered: tot.reordered }, { lost: 0, duplicated: 0, reordered: 0 });
  assert.ok(tot.delivered > 0 && tot.delivered === tot.expected);
  assert.ok(results.clients.reconnects >= 30, `reconnects ${results.clients.reconnects}`);
  assert.ok(results.latency.phases.fault!.p99Us >= 200_000, 'latency toxic on clients:node-3 had no effect');
  assert.equal(exitCode, 0);
});

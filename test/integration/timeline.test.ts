// The fault timeline against a real embedded Toxiproxy server: faults begin and end on time,
// overlap (two downs on one proxy re-enable it only when both ended), and stop() undoes
// whatever is still active — the run loop calls it in `finally`, so also when a run fails.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Toxiproxy } from 'toxiproxy-node-client';
import { FaultTimeline } from '../../src/chaos/timeline';
import type { Cluster } from '../../src/runtime/cluster';
import { parseScenario } from '../../src/scenario/parse';
import { startToxiproxyServer } from '../../src/toxiproxy/toxiproxy-server';
import { small } from './support';

let server: Awaited<ReturnType<typeof startToxiproxyServer>>;
let api: Toxiproxy;

const fakeCluster = (apiUrl: string): Cluster => ({
  runtime: 'local',
  nodes: [{ id: 'node-1', clientUrl: 'ws://127.0.0.1:1' }, { id: 'node-2', clientUrl: 'ws://127.0.0.1:2' }],
  proxies: { apiUrl, clients: { 'node-1': 'clients:node-1', 'node-2': 'clients:node-2' }, links: { 'node-1>node-2': 'link:node-1>node-2', 'node-2>node-1': 'link:node-2>node-1' } },
  kill: async () => {}, pause: async () => {}, resume: async () => {}, restart: async () => {}, stop: async () => {},
});

before(async () => {
  server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  api = new Toxiproxy(server.url);
  for (const name of ['clients:node-1', 'clients:node-2', 'link:node-1>node-2', 'link:node-2>node-1']) {
    await api.createProxy({ name, listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
  }
});
after(async () => { await server.close(); });

const faultsOf = (faults: unknown[]) => parseScenario({ ...small({ duration: '10s' }), cluster: { runtime: 'local', nodes: 2 }, faults }, 'inline').faults;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const state = async (name: string) => {
  const p = await api.get(name);
  const toxics = await (await fetch(`${server.url}/proxies/${encodeURIComponent(name)}/toxics`)).json() as unknown[];
  return { enabled: p.enabled, toxics: toxics.length };
};

test('faults begin and end on time; overlapping downs; stop() undoes what is active', async () => {
  const timeline = new FaultTimeline(faultsOf([
    { at: '100ms', for: '300ms', target: 'clients:node-1', action: 'down' },
    { at: '200ms', for: '400ms', target: 'clients:*', action: 'down' },
    { at: '100ms', target: 'link:node-1>node-2', toxic: 'latency', attributes: { latency: 50 }, stream: 'both' },
    { at: '150ms', action: 'partition', nodes: ['node-2'] },
  ]), fakeCluster(server.url), 100);
  timeline.start(performance.now());
  await sleep(300);
  assert.deepEqual(await state('clients:node-1'), { enabled: false, toxics: 0 });
  assert.deepEqual(await state('clients:node-2'), { enabled: false, toxics: 0 });
  assert.deepEqual(await state('link:node-1>node-2'), { enabled: false, toxics: 2 }, 'partitioned, and the toxic on both streams');
  assert.equal(timeline.phase, 'fault');
  await sleep(200); // 500 ms: the first down ended, the second still holds clients:node-1 down
  assert.equal((await state('clients:node-1')).enabled, false, 'still down: the overlapping fault holds it');
  await sleep(250); // 750 ms: both downs over
  assert.equal((await state('clients:node-1')).enabled, true);
  assert.equal((await state('clients:node-2')).enabled, true);
  assert.equal((await state('link:node-2>node-1')).enabled, false, 'the partition has no end: still active');
  await timeline.stop();
  for (const name of ['clients:node-1', 'clients:node-2', 'link:node-1>node-2', 'link:node-2>node-1']) {
    assert.deepEqual(await state(name), { enabled: true, toxics: 0 }, `${name} restored by stop()`);
  }
  const faults = timeline.events.filter((e) => e.kind === 'fault');
  assert.equal(faults.length, 4);
  const [down1, down2] = faults.filter((e) => e.label.startsWith('down'));
  assert.ok(Math.abs(down1.atMs - 100) <= 50 && Math.abs(down1.endMs! - 400) <= 50, JSON.stringify(down1));
  assert.ok(Math.abs(down2.atMs - 200) <= 50 && Math.abs(down2.endMs! - 600) <= 50, JSON.stringify(down2));
  assert.ok(faults.every((e) => e.endMs !== undefined && !e.error));
  assert.deepEqual(timeline.events.filter((e) => e.kind === 'phase').map((e) => e.phase).slice(0, 2), ['steady', 'fault']);
});

test('a fault that cannot be applied is recorded with its error, and the run goes on', async () => {
  const cluster = fakeCluster(server.url);
  cluster.proxies.clients['node-2'] = 'no-such-proxy';
  const timeline = new FaultTimeline(faultsOf([{ at: '0s', for: '100ms', target: 'clients:node-2', toxic: 'latency', attributes: { latency: 10 } }]), cluster, 50);
  timeline.start(performance.now());
  await sleep(250);
  await timeline.stop();
  const [fault] = timeline.events.filter((e) => e.kind === 'fault');
  assert.match(fault.error ?? '', /begin failed/);
  assert.equal(timeline.failed, 1);
});

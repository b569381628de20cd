// The docker runtime against a real engine: a 3-node cluster of the bundled broker behind a
// Toxiproxy container, driven with plain protocol-v1 WebSocket clients. Skips visibly when no
// engine answers (test/support/docker-engine.sh sets one up, as root).
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { homeOf } from '../../reference-broker/rendezvous';
import type { Cluster } from '../../src/runtime/cluster';
import { cleanDocker } from '../../src/runtime/clean';
import { startDockerCluster } from '../../src/runtime/docker/runtime';
import { connectDocker, dockerAvailable, loadTestcontainers } from '../../src/runtime/docker/env';
import { ensureBundledImage } from '../../src/runtime/docker/image';
import type { ClusterSpec } from '../../src/contracts/scenario';
import { publishUntilAcked, WsPeer } from './ws-peer';

const SPEC: ClusterSpec = { runtime: 'docker', nodes: 3, durable: true, history: 10000, historySeconds: 3600, urls: [] };
const NODE_IDS = ['node-1', 'node-2', 'node-3'];
const NO_ENGINE = 'skipped: no Docker engine';

/**
 * True when the test must not run: no engine. Skips visibly, except in CI, which sets
 * CHAT_BENCH_REQUIRE_DOCKER=1 so that a broken engine setup fails instead of passing silently.
 */
function noEngine(t: TestContext, available: boolean): boolean {
  if (available) return false;
  if (process.env.CHAT_BENCH_REQUIRE_DOCKER === '1') assert.fail('no Docker engine reachable, and CHAT_BENCH_REQUIRE_DOCKER=1');
  t.skip(NO_ENGINE);
  return true;
}

let engine = false;
const runDirs: string[] = [];
const newRunDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'chat-bench-docker-'));
  runDirs.push(dir);
  return dir;
};

/** Objects carrying `label`, as the docker CLI lists them (name and run label: a leak says whose). */
function dockerIds(kind: 'ps -a' | 'network ls' | 'volume ls', label: string): string[] {
  const format = kind === 'ps -a' ? '{{.Names}} {{.Status}} run={{.Label "chat-bench.run"}}' : '{{.Name}} run={{.Label "chat-bench.run"}}';
  const out = execFileSync('docker', [...kind.split(' '), '--filter', `label=${label}`, '--format', format], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

/** Nothing labelled with run `runId` remains: no container, network or volume. */
function assertNothingLeft(runId: string): void {
  for (const kind of ['ps -a', 'network ls', 'volume ls'] as const) {
    assert.deepEqual(dockerIds(kind, `chat-bench.run=${runId}`), [], `${kind} of run ${runId}`);
  }
}

/** A channel name whose home node (rendezvous hashing, as the broker computes it) is `node`. */
function channelHomedOn(node: string, prefix: string): string {
  for (let i = 0; ; i++) if (homeOf(`${prefix}-${i}`, NODE_IDS) === node) return `${prefix}-${i}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

before(async () => {
  engine = await dockerAvailable();
});

after(() => {
  for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
});


test('no reachable engine is one line, exit code 3, with the hint to use the local runtime', () => {
  const script = `require(${JSON.stringify(join(__dirname, '../../src/runtime/docker/runtime.js'))})
    .startDockerCluster({ nodes: 1 }, { runDir: '/nonexistent' })
    .then(() => console.log('{"started":true}'), (e) => console.log(JSON.stringify({ code: e.exitCode, line: e.oneLine?.() })));`;
  const r = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    timeout: 30_000,
  });
  const result = JSON.parse(r.stdout.trim()) as { code: number; line: string };
  assert.equal(result.code, 3);
  assert.match(result.line, /^chat-bench: no Docker engine reachable .*\(hint: use --runtime local\)$/);
  assert.ok(!result.line.includes('\n'));
});

describe('a 3-node docker cluster behind Toxiproxy', () => {
  let cluster: Cluster | undefined;
  let runDir = '';
  const open = (node: string) => () => WsPeer.open(cluster!.nodes.find((n) => n.id === node)!.clientUrl);
  const peers: WsPeer[] = [];
  const connect = async (node: string) => {
    const peer = await open(node)();
    peers.push(peer);
    return peer;
  };
  const subscribe = async (node: string, ch: string, from?: number) => {
    const peer = await connect(node);
    peer.send(from === undefined ? { t: 'sub', ch } : { t: 'sub', ch, from });
    await peer.waitFor((f) => f.t === 'subd' && f.ch === ch, 10_000, `subd ${ch} on ${node}`);
    return peer;
  };

  before(async () => {
    if (!engine) return;
    runDir = newRunDir();
    cluster = await startDockerCluster(SPEC, { runDir });
  });

  after(async () => {
    for (const p of peers) p.close();
    await cluster?.stop();
  });

  test('exposes one client proxy per node and one proxy per ordered link, all in the Toxiproxy API', async (t: TestContext) => {
    if (noEngine(t, cluster !== undefined) || !cluster) return;
    assert.equal(cluster.runtime, 'docker');
    assert.deepEqual(cluster.nodes.map((n) => n.id), NODE_IDS);
    for (const n of cluster.nodes) assert.match(n.clientUrl, /^ws:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(cluster.proxies.clients, { 'node-1': 'clients:node-1', 'node-2': 'clients:node-2', 'node-3': 'clients:node-3' });
    assert.equal(Object.keys(cluster.proxies.links).length, 6);
    assert.equal(cluster.proxies.links['node-1>node-2'], 'link:node-1>node-2');
    const all = await new Toxiproxy(cluster.proxies.apiUrl).getAll();
    const expected = [...Object.values(cluster.proxies.clients), ...Object.values(cluster.proxies.links)].sort();
    assert.deepEqual(Object.keys(all).sort(), expected);
  });

  test('a message published on one node reaches subscribers on the others, in order', async (t: TestContext) => {
    if (noEngine(t, cluster !== undefined) || !cluster) return;
    const ch = channelHomedOn('node-1', 'fanout');
    const subs = [await subscribe('node-2', ch), await subscribe('node-3', ch)];
    const serials: number[] = [];
    for (let n = 1; n <= 5; n++) serials.push(await publishUntilAcked(open('node-1'), ch, `p:${ch}:${n}`, { n }, 10_000));
    assert.deepEqual(serials, [1, 2, 3, 4, 5]);
    for (const sub of subs) {
      await sub.waitFor(() => sub.messages(ch).length >= 5, 10_000, '5 messages');
      assert.deepEqual(sub.messages(ch).map((m) => m.s), [1, 2, 3, 4, 5]);
      assert.deepEqual(sub.messages(ch).map((m) => (m.d as { n: number }).n), [1, 2, 3, 4, 5]);
    }
  });

  test('a link cut through the proxy stops delivery, and delivery resumes when it heals', async (t: TestContext) => {
    if (noEngine(t, cluster !== undefined) || !cluster) return;
    const ch = channelHomedOn('node-2', 'cut');
    const sub = await subscribe('node-1', ch); // node-1 mirrors the channel from node-2 over link:node-1>node-2
    assert.equal(await publishUntilAcked(open('node-2'), ch, `p:${ch}:1`, 'before', 10_000), 1);
    await sub.waitFor(() => sub.messages(ch).length === 1, 10_000, 'the message before the cut');

    const link = await new Toxiproxy(cluster.proxies.apiUrl).get(cluster.proxies.links['node-1>node-2']);
    await link.update({ enabled: false, listen: link.listen, upstream: link.upstream });
    try {
      assert.equal(await publishUntilAcked(open('node-2'), ch, `p:${ch}:2`, 'during', 10_000), 2);
      await sleep(1500);
      assert.equal(sub.messages(ch).length, 1, 'nothing crosses a cut link');
    } finally {
      await link.update({ enabled: true, listen: link.listen, upstream: link.upstream });
    }
    await sub.waitFor(() => sub.messages(ch).length === 2, 15_000, 'the message after the heal');
    assert.deepEqual(sub.messages(ch).map((m) => m.s), [1, 2]);
  });

  test('pause freezes a node and resume thaws it', async (t: TestContext) => {
    if (noEngine(t, cluster !== undefined) || !cluster) return;
    const ch = channelHomedOn('node-1', 'pause');
    const peer = await connect('node-1');
    await cluster.pause('node-1');
    try {
      peer.send({ t: 'pub', ch, id: `p:${ch}:1`, d: 1 });
      await sleep(1000);
      assert.equal(peer.frames.filter((f) => f.t === 'ack').length, 0, 'a paused node answers nothing');
    } finally {
      await cluster.resume('node-1');
    }
    const ack = await peer.waitFor((f) => f.t === 'ack', 10_000, 'the ack after resume');
    assert.equal(ack.s, 1);
  });

  test('a killed node restarts with its durable log: serials and history survive', async (t: TestContext) => {
    if (noEngine(t, cluster !== undefined) || !cluster) return;
    const ch = channelHomedOn('node-3', 'durable');
    for (let n = 1; n <= 3; n++) assert.equal(await publishUntilAcked(open('node-3'), ch, `p:${ch}:${n}`, n, 10_000), n);

    const before = await connect('node-3');
    await cluster.kill('node-3');
    await before.waitFor(() => before.closed, 5000, 'the connection to the killed node to close').catch(() => undefined);
    assert.ok(before.closed, 'the client connection dies with the node');

    await cluster.restart('node-3');
    assert.match(cluster.nodes[2].directUrl ?? '', /^ws:\/\/127\.0\.0\.1:\d+$/);
    const sub = await subscribe('node-3', ch, 0);
    await sub.waitFor(() => sub.messages(ch).length >= 3, 10_000, 'the replayed history');
    assert.deepEqual(sub.messages(ch).map((m) => m.s), [1, 2, 3]);
    assert.equal(await publishUntilAcked(open('node-3'), ch, `p:${ch}:4`, 4, 10_000), 4, 'serials continue after the restart');
  });

  test('stop saves the logs and removes every container, network and volume', async (t: TestContext) => {
    if (noEngine(t, cluster !== undefined) || !cluster) return;
    await cluster.stop();
    await cluster.stop(); // idempotent
    for (const name of [...NODE_IDS, 'toxiproxy']) assert.ok(existsSync(join(runDir, 'logs', `${name}.log`)), `${name}.log`);
    assert.equal(readFileSync(join(runDir, 'logs', 'node-3.log'), 'utf8').split('"event":"listening"').length - 1, 2, 'node-3 started twice');
    assertNothingLeft(basename(runDir));
  });
});

describe('docker cluster lifecycle', () => {
  test('starts in seconds with the image cached (median of 3)', async (t: TestContext) => {
    if (noEngine(t, engine)) return;
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const cluster = await startDockerCluster(SPEC, { runDir: newRunDir() });
      times.push(performance.now() - t0);
      await cluster.stop();
    }
    const median = [...times].sort((a, b) => a - b)[1];
    t.diagnostic(`docker cluster startup (3 nodes + toxiproxy): ${times.map((ms) => Math.round(ms)).join(', ')} ms; median ${Math.round(median)} ms`);
    assert.ok(median < 15_000, `median startup ${Math.round(median)} ms`);
  });

  test('Ctrl-C during start rejects with exit 130 and leaves nothing behind', async (t: TestContext) => {
    if (noEngine(t, engine)) return;
    const runDir = newRunDir();
    const ctl = new AbortController();
    // Abort once the first container exists: mid-start, with something to clean up.
    const watcher = setInterval(() => {
      if (dockerIds('ps -a', `chat-bench.run=${basename(runDir)}`).length > 0) ctl.abort();
    }, 50);
    try {
      await assert.rejects(startDockerCluster(SPEC, { runDir, signal: ctl.signal }), (err: { exitCode?: number }) => err.exitCode === 130);
    } finally {
      clearInterval(watcher);
    }
    assert.ok(ctl.signal.aborted, 'the abort happened while starting');
    assertNothingLeft(basename(runDir));
  });

  test('a node that cannot start is one line quoting its output, and nothing is left behind', async (t: TestContext) => {
    if (noEngine(t, engine)) return;
    const runDir = newRunDir();
    const bad = { ...SPEC, nodes: 2, misbehaviour: { mode: 'bogus' as never, rate: 1 } }; // the broker refuses it, exit 2
    await assert.rejects(startDockerCluster(bad, { runDir }), (err: { exitCode?: number; oneLine(): string }) => {
      assert.equal(err.exitCode, 3);
      assert.match(err.oneLine(), /^chat-bench: docker: node-\d did not start \(container exited \(code 2\).*--misbehave must be one of/);
      return true;
    });
    assert.match(readFileSync(join(runDir, 'logs', 'node-1.log'), 'utf8'), /--misbehave must be one of/);
    assertNothingLeft(basename(runDir));
  });

  test('clean removes what a crashed run left behind', async (t: TestContext) => {
    if (noEngine(t, engine)) return;
    const runDir = newRunDir();
    await startDockerCluster({ ...SPEC, nodes: 2 }, { runDir }); // never stopped, as after kill -9
    assert.equal(dockerIds('ps -a', `chat-bench.run=${basename(runDir)}`).length, 3);
    // Scoped to this run: the global `chat-bench clean` would also remove runs going on in parallel.
    assert.deepEqual(await cleanDocker(basename(runDir)), { containers: 3, networks: 1, volumes: 2 });
    assertNothingLeft(basename(runDir));
  });

  test('nodeImage and toxiproxyImage are used as given, each with its own entrypoint', async (t: TestContext) => {
    if (noEngine(t, engine)) return;
    // A stand-in for an image like ghcr.io/shopify/toxiproxy: the embedded server as its entrypoint.
    const bundled = await ensureBundledImage(await connectDocker(), () => undefined);
    const context = newRunDir();
    writeFileSync(join(context, 'Dockerfile'),
      `FROM ${bundled}\nENTRYPOINT ["node", "/app/dist/src/toxiproxy/toxiproxy-main.js", "--host", "0.0.0.0", "--port", "8474"]\n`);
    const toxiproxyImage = `chat-bench-test/toxiproxy-like:${randomBytes(4).toString('hex')}`; // unique: parallel runs rmi theirs
    await loadTestcontainers().GenericContainer.fromDockerfile(context).build(toxiproxyImage, { deleteOnExit: false });
    const runDir = newRunDir();
    const cluster = await startDockerCluster({ ...SPEC, nodes: 2, nodeImage: bundled, toxiproxyImage }, { runDir });
    try {
      const filter = `label=chat-bench.run=${basename(runDir)}`;
      const images = execFileSync('docker', ['ps', '--filter', filter, '--format', '{{.Image}}'], { encoding: 'utf8' });
      assert.deepEqual(images.split('\n').filter(Boolean).sort(), [bundled, bundled, toxiproxyImage].sort());
      const open = () => WsPeer.open(cluster.nodes[0].clientUrl);
      assert.equal(await publishUntilAcked(open, 'as-given', 'p:as-given:1', 1, 10_000), 1);
    } finally {
      await cluster.stop();
      execFileSync('docker', ['rmi', '-f', toxiproxyImage], { stdio: 'ignore' });
    }
  });
});

// Last: every run of this file is gone. (Per run rather than `label=chat-bench=1` as a whole: a
// run of another process on the same engine, e.g. a parallel `npm test`, is not ours to judge.)
test('nothing any docker test started is left: no container, network or volume', (t: TestContext) => {
  if (noEngine(t, engine)) return;
  for (const dir of runDirs) assertNothingLeft(basename(dir));
});

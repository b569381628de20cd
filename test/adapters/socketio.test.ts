// Socket.IO against the real example server (examples/socketio-chat, started here, stopped by
// pid) through the external runtime's fault proxy. Recovery on: the clients of one entry point
// cut off for 3 s (inside maxDisconnectionDuration) miss nothing — 0 loss, PASS under the
// adapter's default (at-least-once). Recovery off: the same cut loses what was published
// meanwhile — FAIL (exit 1) under the default, PASS under at-most-once (none of it lost inside
// a live session). The adapter reports socket.recovered as `resumed`; cluster.options are
// refused field by field (exit 2).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { runScenario } from '../../src/run';
import { parseScenario } from '../../src/scenario/parse';
import { loadScenarioFile } from '../../src/scenario/load';
import { startListeningProcess, stopProcess } from '../../src/runtime/process';
import { socketIoAdapter } from '../../src/adapters/socketio';
import type { AdapterEvents } from '../../src/adapters/types';
import { UserError } from '../../src/util/errors';
import { CLI, ROOT, tmpOut } from '../integration/support';

const SERVER = join(ROOT, 'examples/socketio-chat/server.js');
const CUSTOM_EVENTS = { join: 'enter', leave: 'exit', publish: 'say', deliver: 'said' };
const failing = (r: { thresholds: Array<{ pass: boolean; message: string }> }) => r.thresholds.filter((v) => !v.pass).map((v) => v.message).join('; ');

async function startServer(args: string[]): Promise<{ child: ChildProcess; url: string; log: string }> {
  const log = join(tmpOut(), 'server.log');
  const { child, port } = await startListeningProcess('socketio-chat', SERVER, ['--port', '0', ...args], log);
  return { child, url: `http://127.0.0.1:${port}`, log };
}

/** Waits until the server's log (--log-connections) holds `count` disconnect lines. */
async function disconnectsSeen(log: string, count: number): Promise<void> {
  const seen = () => readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"event":"disconnect"')).length;
  for (let waited = 0; seen() < count; waited += 20) {
    if (waited > 5000) assert.fail(`the server logged ${seen()} disconnects, not ${count}, within 5 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One server, two client entry points (two proxies): the fault cuts only the clients of node-2. */
function scenario(url: string, patch: Record<string, unknown> = {}, options?: Record<string, unknown>) {
  return parseScenario({
    name: 'it-socketio',
    cluster: { runtime: 'external', adapter: 'socketio', urls: [url, url], ...(options ? { options } : {}) },
    clients: {
      count: 24, rampUp: '500ms', channels: 4, subscriptionsPerClient: 2, publishers: 8, publishRate: '10/s',
      reconnect: { initial: '50ms', max: '500ms' }, heartbeat: { interval: '1s', timeout: '3s' },
    },
    duration: '7s', drain: '4s', recovery: '1s', seed: 14,
    faults: [{ at: '2s', for: '3s', target: 'clients:node-2', action: 'down' }],
    ...patch,
  }, 'inline');
}

describe('socketio: example server with connection state recovery on', () => {
  let server: { child: ChildProcess; url: string };
  before(async () => { server = await startServer(['--recovery', 'on', '--max-disconnection', '15000', '--events', Object.entries(CUSTOM_EVENTS).map(([k, v]) => `${k}=${v}`).join(',')]); });
  after(async () => { await stopProcess(server.child); });

  test('entry point down 3 s: recovered sessions replay what was missed — 0 loss, PASS at-least-once (the default)', async () => {
    // The server speaks custom event names: nothing would be delivered if the adapter ignored them.
    const s = scenario(server.url, {}, { events: CUSTOM_EVENTS });
    assert.equal(s.guarantee, 'at-least-once');
    const { results, exitCode } = await runScenario(s, { outDir: tmpOut(), quiet: true });
    const t = results.totals;
    assert.ok(results.clients.reconnects >= 10, `the fault cut clients off: ${JSON.stringify(results.clients)}`);
    assert.ok(t.delivered > 500, JSON.stringify(t));
    assert.equal(t.lost, 0, JSON.stringify(results.examples.slice(0, 3)));
    assert.equal(t.phantom + t.reorderedN + t.protocolErrors, 0, JSON.stringify(t));
    assert.equal(exitCode, 0, failing(results));
  });
});

describe('socketio: example server with recovery off (Socket.IO\'s default)', () => {
  let server: { child: ChildProcess; url: string };
  before(async () => { server = await startServer(['--recovery', 'off']); });
  after(async () => { await stopProcess(server.child); });

  test('the same cut loses what was published meanwhile: FAIL (exit 1) under the default guarantee', async () => {
    const { results, exitCode } = await runScenario(scenario(server.url), { outDir: tmpOut(), quiet: true });
    assert.ok(results.totals.lost > 0, JSON.stringify(results.totals));
    assert.equal(exitCode, 1);
    assert.match(failing(results), /loss/);
  });

  test('under at-most-once that loss is expected (none inside a live session): PASS', async () => {
    const s = scenario(server.url, { guarantee: 'at-most-once' });
    const { results, exitCode } = await runScenario(s, { outDir: tmpOut(), quiet: true });
    assert.ok(results.totals.lost > 0, JSON.stringify(results.totals));
    assert.equal(results.totals.lostInSession, 0, JSON.stringify(results.examples.slice(0, 3)));
    assert.equal(exitCode, 0, failing(results));
  });
});

/** Drives one adapter client by hand and records what it reports. */
function recorder() {
  const log: string[] = [];
  const waiters: Array<{ match: RegExp; resolve: () => void }> = [];
  const push = (line: string) => {
    log.push(line);
    for (const w of waiters.splice(0)) if (w.match.test(line)) w.resolve(); else waiters.push(w);
  };
  const events: AdapterEvents = {
    opened: () => push('opened'),
    rejected: (reason) => push(`rejected ${reason}`),
    closed: () => push('closed'),
    subscribed: (ch, _at, resumed) => push(`subscribed ${ch} resumed=${resumed}`),
    delivered: (ch, _s, id) => push(`delivered ${ch} ${id}`),
    acked: (key) => push(`acked ${key}`),
    refused: (key, code) => push(`refused ${key} ${code}`),
    heard: () => {},
    protocolError: (why) => push(`protocolError ${why}`),
  };
  const next = (match: RegExp) => new Promise<void>((resolve, reject) => {
    if (log.some((l) => match.test(l))) return resolve();
    const timer = setTimeout(() => reject(new Error(`no ${match} in ${JSON.stringify(log)}`)), 5000);
    waiters.push({ match, resolve: () => { clearTimeout(timer); resolve(); } });
  });
  return { log, events, next };
}

const envelope = (n: number) => JSON.stringify({ p: 'c1', n, ts: 0, x: '' });

/** connect, join, publish one message (so the client has an offset), drop the link, reconnect, join again */
/**
 * Drops the link and comes back at once. A real client waits its backoff; here the test waits
 * until the server processed the old disconnect (it stores the session then), or the rejoin
 * could race it and find no session to recover.
 */
async function dropAndRejoin(server: { url: string; log: string }, options: Record<string, unknown>): Promise<string[]> {
  const url = server.url;
  const r = recorder();
  const client = socketIoAdapter.createClient(url, r.events, { clientId: 'c1', connectTimeoutMs: 3000, resume: 'session', options });
  try {
    client.connect();
    await r.next(/^opened$/);
    client.subscribe('room-1', undefined);
    await r.next(/^subscribed room-1/);
    client.publish('room-1', 'c1:room-1:1', envelope(1));
    await r.next(/^delivered room-1 c1:room-1:1$/);
    await r.next(/^acked c1:room-1:1$/);
    const before = readFileSync(server.log, 'utf8').split('\n').filter((l) => l.includes('"event":"disconnect"')).length;
    client.terminate();
    assert.equal(r.log.at(-1), 'closed');
    await disconnectsSeen(server.log, before + 1);
    r.log.length = 0;
    client.connect();
    await r.next(/^opened$/);
    client.subscribe('room-1', undefined);
    await r.next(/^subscribed room-1/);
    return r.log.filter((l) => l.startsWith('subscribed'));
  } finally {
    client.stop();
  }
}

describe('socketio adapter: what it reports', () => {
  let on: { child: ChildProcess; url: string; log: string };
  let off: { child: ChildProcess; url: string; log: string };
  before(async () => { [on, off] = await Promise.all([startServer(['--recovery', 'on', '--log-connections']), startServer(['--recovery', 'off', '--log-connections'])]); });
  after(async () => { await Promise.all([stopProcess(on.child), stopProcess(off.child)]); });

  test('a dropped link comes back with its session restored: resumed=true', async () => {
    assert.deepEqual(await dropAndRejoin(on, {}), ['subscribed room-1 resumed=true']);
  });

  test('without recovery on the server, or with recovery: false, the break is reported: resumed=false', async () => {
    assert.deepEqual(await dropAndRejoin(off, {}), ['subscribed room-1 resumed=false']);
    assert.deepEqual(await dropAndRejoin(on, { recovery: false }), ['subscribed room-1 resumed=false']);
  });

  test('ack: none — nothing waits for the server; the message still arrives', async () => {
    const r = recorder();
    const client = socketIoAdapter.createClient(on.url, r.events, { clientId: 'c2', connectTimeoutMs: 3000, resume: 'session', options: { ack: 'none' } });
    try {
      client.connect();
      await r.next(/^opened$/);
      client.subscribe('room-2', undefined);
      assert.equal(r.log.at(-1), 'subscribed room-2 resumed=false'); // at once: no ack to wait for
      client.publish('room-2', 'c2:room-2:1', envelope(1));
      assert.equal(r.log.at(-1), 'acked c2:room-2:1');
      await r.next(/^delivered room-2 c2:room-2:1$/);
    } finally {
      client.stop();
    }
  });
});

describe('socketio: scenario options', () => {
  const cluster = (extra: Record<string, unknown>) => ({ runtime: 'external', adapter: 'socketio', urls: ['http://127.0.0.1:3000'], ...extra });
  const parse = (c: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    parseScenario({ name: 'sio', duration: '1s', clients: { count: 4 }, cluster: c, ...extra }, 'inline');
  function refusal(c: Record<string, unknown>): string {
    try {
      parse(c);
    } catch (e) {
      assert.ok(e instanceof UserError, String(e));
      assert.equal(e.exitCode, 2);
      assert.doesNotMatch(e.oneLine(), /\n/);
      return e.oneLine();
    }
    assert.fail(`accepted ${JSON.stringify(c)}`);
  }

  test('default guarantee: at-least-once; at-most-once without recovery or without acks', () => {
    assert.equal(parse(cluster({})).guarantee, 'at-least-once');
    assert.equal(parse(cluster({ options: { recovery: false } })).guarantee, 'at-most-once');
    assert.equal(parse(cluster({ options: { ack: 'none' } })).guarantee, 'at-most-once');
    assert.deepEqual(parse(cluster({ options: { events: { deliver: 'chat' }, ack: 'callback' } })).cluster.adapterOptions, { events: { deliver: 'chat' }, ack: 'callback' });
  });

  test('an unknown option, a bad ack style, a reserved or shared event name: exit 2 naming the field', () => {
    assert.match(refusal(cluster({ options: { qos: 1 } })), /cluster\.options\.qos: unknown field/);
    assert.match(refusal(cluster({ options: { ack: 'maybe' } })), /cluster\.options\.ack: "maybe" is not one of callback, none/);
    assert.match(refusal(cluster({ options: { events: { deliver: 'disconnect' } } })), /cluster\.options\.events\.deliver: "disconnect" is reserved by Socket\.IO/);
    assert.match(refusal(cluster({ options: { events: { publish: 'message' } } })), /cluster\.options\.events\.publish: "message" is also the deliver event/);
    assert.match(refusal(cluster({ options: { events: { send: 'x' } } })), /cluster\.options\.events\.send: unknown field/);
    assert.match(refusal(cluster({ options: { recovery: 'yes' } })), /cluster\.options\.recovery: "yes" is not true or false/);
  });

  test('runtime external only; http(s) and ws(s) URLs', () => {
    assert.match(refusal({ adapter: 'socketio' }), /cluster\.adapter: socketio needs runtime external/);
    assert.match(refusal(cluster({ urls: ['nats://127.0.0.1:4222'] })), /cluster\.urls\[0\]: .* is not a http:\/\/ or https:\/\/ or ws:\/\/ or wss:\/\/ URL \(adapter socketio\)/);
    assert.equal(parse(cluster({ urls: ['wss://chat.example:8443'] })).cluster.nodes, 1);
  });

  test('the CLI refuses a bad ack style with exit 2 and one line; the example scenario is valid', () => {
    const dir = tmpOut();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\nduration: 1s\nclients: { count: 2 }\ncluster: { runtime: external, adapter: socketio, urls: [http://127.0.0.1:3000], options: { ack: sometimes } }\n');
    const run = spawnSync(process.execPath, [CLI, 'validate', file], { encoding: 'utf8' });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /cluster\.options\.ack: "sometimes" is not one of callback, none/);
    assert.doesNotMatch(run.stderr, /\n\s+at /); // no stack trace
    const example = loadScenarioFile(join(ROOT, 'examples/socketio-chat/scenario.yaml'));
    assert.equal(example.cluster.adapter, 'socketio');
    assert.equal(example.guarantee, 'at-least-once');
  });
});

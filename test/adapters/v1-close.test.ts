// v1: a server that accepts the WebSocket upgrade and then closes it with a refusing code
// (1008 policy violation, 4401 unauthorized, 4403 forbidden) before saying anything has
// refused the client: the run stops with exit 3 and one line, not a reconnect loop. Any other
// close code, or the same code after the server has spoken (a session that ended), reconnects.
// A real ws server on loopback; the CLI run goes through the external runtime's fault proxy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer } from 'ws';
import { v1Adapter } from '../../src/adapters/v1';
import type { AdapterEvents } from '../../src/adapters/types';
import { refusedRun, survivors } from '../support/cli-run';
import { tmpOut } from '../integration/support';

type Behaviour = { code: number; reason: string; frameFirst?: boolean };

/** A ws server whose every connection gets `behaviour` (changed between tests). */
async function closingServer(): Promise<{ port: number; behaviour: Behaviour; connections: { count: number }; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const state = { behaviour: { code: 4401, reason: 'token expired' } as Behaviour, connections: { count: 0 } };
  wss.on('connection', (ws) => {
    state.connections.count++;
    const b = state.behaviour;
    if (b.frameFirst) ws.send('{"t":"ack","id":"k1","s":1}');
    setTimeout(() => ws.close(b.code, b.reason), 20);
  });
  return {
    port: (wss.address() as { port: number }).port,
    get behaviour() { return state.behaviour; },
    set behaviour(b: Behaviour) { state.behaviour = b; },
    connections: state.connections,
    close: () => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(() => resolve()); }),
  };
}

/** Connects one v1 client and resolves with what ended its connection: rejected (with the line) or closed. */
function connectOnce(url: string): Promise<string[]> {
  return new Promise((resolve) => {
    const log: string[] = [];
    const end = (line: string) => { log.push(line); client.stop(); resolve(log); };
    const events: AdapterEvents = {
      opened: () => log.push('opened'),
      closed: () => end('closed'),
      rejected: (reason, hint) => end(`rejected ${reason} (hint: ${hint})`),
      subscribed: () => {}, delivered: () => {}, heard: () => {},
      acked: (key) => log.push(`acked ${key}`),
      refused: () => {}, protocolError: (why) => log.push(`protocolError ${why}`),
    };
    const client = v1Adapter.createClient(url, events, { clientId: 'c3', connectTimeoutMs: 3000, resume: 'serial', options: {} });
    client.connect();
  });
}

describe('v1: a close code that refuses the client', () => {
  let server: Awaited<ReturnType<typeof closingServer>>;
  let url: string;
  before(async () => {
    server = await closingServer();
    url = `ws://127.0.0.1:${server.port}/ws`;
  });
  after(async () => { await server?.close(); });

  test('4401, 4403 and 1008 right after the upgrade: rejected, naming the code, its meaning and the reason', async () => {
    server.behaviour = { code: 4401, reason: 'token expired' };
    assert.deepEqual(await connectOnce(url), ['opened', `rejected 127.0.0.1:${server.port} closed the connection of client c3 with code 4401 (unauthorized): "token expired" (hint: check cluster.auth (headers, query, subprotocols, payload, the jwt key and claims))`]);
    server.behaviour = { code: 4403, reason: '' };
    assert.match((await connectOnce(url)).at(-1)!, /^rejected .* with code 4403 \(forbidden\): no reason given /);
    server.behaviour = { code: 1008, reason: 'no token' };
    assert.match((await connectOnce(url)).at(-1)!, /^rejected .* with code 1008 \(policy violation\): "no token" /);
  });

  test('another close code (4000, 1011) is a lost connection: closed, to be reconnected', async () => {
    server.behaviour = { code: 4000, reason: 'go away' };
    assert.deepEqual(await connectOnce(url), ['opened', 'closed']);
    server.behaviour = { code: 1011, reason: 'internal error' };
    assert.deepEqual(await connectOnce(url), ['opened', 'closed']);
  });

  test('4401 after the server has spoken on the connection ends a session (an expired token): closed, reconnect', async () => {
    server.behaviour = { code: 4401, reason: 'token expired', frameFirst: true };
    assert.deepEqual(await connectOnce(url), ['opened', 'acked k1', 'closed']);
  });

  test('the CLI through the fault proxy: exit 3, one line naming 4401 and the reason, each client connected once', async () => {
    server.behaviour = { code: 4401, reason: 'token expired' };
    server.connections.count = 0;
    const dir = tmpOut('cb-v1-close-');
    const { line, run: r } = await refusedRun(dir, { name: 'v1-close-4401', cluster: { runtime: 'external', urls: [url] }, clients: 8 });
    assert.match(line, /^chat-bench: 127\.0\.0\.1:\d+ closed the connection of client c\d+ with code 4401 \(unauthorized\): "token expired" \(hint: check cluster\.auth/);
    // A loop (50-200 ms apart for 3 s) would make well over a hundred.
    assert.ok(server.connections.count >= 1 && server.connections.count <= 8, `${server.connections.count} connections`);
    assert.deepEqual(await survivors(r.started), []);
  });
});

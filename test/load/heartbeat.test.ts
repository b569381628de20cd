// Heartbeats at scale: a link that keeps delivering is never pinged (pings are a syscall per
// socket), a silent one is pinged, and one that stays silent (no pong) is dropped on timeout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientPlan } from '../../src/load/assignment';
import { DEFAULT_RECONNECT } from '../../src/util/backoff';
import { LoadDriver } from '../../src/load/driver';
import type { ClientsSpec } from '../../src/contracts/scenario';
import { IntegrityLedger } from '../../src/verify/ledger';
import { LatencyRecorder } from '../../src/verify/latency';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('busy links are not pinged; a silent link is pinged, and dropped when no pong comes', async () => {
  // The server answers sub with subd; on channel "busy" it then sends a msg every 50 ms; it
  // never answers pings (autoPong off).
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
  await new Promise((r) => server.once('listening', r));
  const pings = new Map<string, number>();
  const timers: NodeJS.Timeout[] = [];
  server.on('connection', (ws: WebSocket) => {
    ws.on('message', (raw) => {
      const f = JSON.parse(String(raw)) as { t: string; ch: string };
      if (f.t !== 'sub') return;
      ws.send(JSON.stringify({ t: 'subd', ch: f.ch, at: 0 }));
      ws.on('ping', () => pings.set(f.ch, (pings.get(f.ch) ?? 0) + 1));
      if (f.ch !== 'busy') return;
      let s = 0;
      timers.push(setInterval(() => {
        s++;
        ws.send(JSON.stringify({ t: 'msg', ch: 'busy', s, id: `p:busy:${s}`, d: { p: 'p', n: s, ts: Date.now() * 1000, x: '' } }));
      }, 50));
    });
  });
  const { port } = server.address() as { port: number };
  const spec: ClientsSpec = {
    count: 2, rampUpMs: 0, channels: 2, subscriptionsPerClient: 1, publishers: 0, publishRate: 0, payloadBytes: 64,
    reconnect: { ...DEFAULT_RECONNECT, initialMs: 5000 }, heartbeat: { intervalMs: 200, timeoutMs: 700 },
  };
  const plans: ClientPlan[] = ['busy', 'quiet'].map((ch, i) => ({ id: `c${i}`, node: 0, channels: [ch], publishChannel: null, startOffsetMs: 0 }));
  const driver = new LoadDriver({
    spec, plans, nodeUrls: [`ws://127.0.0.1:${port}`], ledger: new IntegrityLedger({ publishers: ['p'] }), latency: new LatencyRecorder(performance.now()), seed: 1,
  });
  try {
    driver.start();
    await sleep(1200);
    assert.equal(pings.get('busy') ?? 0, 0, 'a delivering link was pinged');
    assert.ok((pings.get('quiet') ?? 0) >= 1, 'a silent link was not pinged');
    assert.equal(driver.stats.heartbeatTimeouts, 1, 'the silent link without pongs was not dropped');
    assert.equal(driver.clients[0].isOpen, true);
    assert.ok(driver.stats.deliveries >= 10);
  } finally {
    driver.stop();
    for (const t of timers) clearInterval(t);
    for (const c of server.clients) c.terminate();
    await new Promise((r) => server.close(r));
  }
});

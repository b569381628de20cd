// A target that sends a msg frame with invalid UTF-8 in it must be caught by the checker, not
// turned into a disconnect: ws's own validation would close the link (1007) and the bad frame
// would never reach the ledger (a reconnect, then maybe a resume that hides it). The v1 client
// reads every frame byte for byte, so it skips ws's check (src/adapters/v1.ts).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import { v1Adapter } from '../../src/adapters/v1';
import type { AdapterEvents } from '../../src/adapters/types';
import { encode } from '../../src/protocol/codec';
import { fillerFor, idempotencyKey, sealedPadding } from '../../src/protocol/envelope';
import { IntegrityLedger } from '../../src/verify/ledger';

const FILLER = fillerFor(128);
const CH = 'room-1';
const P = 'p0';

function msgFrame(n: number, ts: number): Buffer {
  return Buffer.from(encode({ t: 'msg', ch: CH, s: n, id: idempotencyKey(P, CH, n), d: { p: P, n, ts, x: sealedPadding(P, n, ts, FILLER) } }), 'utf8');
}

test('a msg frame with invalid UTF-8 counts as a phantom on the stream; the link stays up and the next frame is accepted', async (t) => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  t.after(() => new Promise<void>((r) => { for (const c of server.clients) c.terminate(); server.close(() => r()); }));
  await once(server, 'listening');
  server.on('connection', (ws) => ws.on('message', () => {
    ws.send(encode({ t: 'subd', ch: CH, at: 0, resumed: false }));
    const bad = msgFrame(1, 1_000);
    bad[bad.length - 10] = 0xff; // inside the padding: no valid UTF-8 sequence starts with 0xff
    ws.send(bad, { binary: false });
    ws.send(msgFrame(2, 2_000), { binary: false });
  }));

  const ledger = new IntegrityLedger({ publishers: [P], filler: FILLER });
  const stream = ledger.openStream('c0', CH);
  let closed = 0;
  let delivered = 0;
  let resolveTwo: () => void = () => {};
  const two = new Promise<void>((r) => { resolveTwo = r; });
  const counted = () => { if (++delivered === 2) resolveTwo(); };
  const events: AdapterEvents = {
    opened: () => client.subscribe(CH, undefined),
    closed: () => { closed++; resolveTwo(); },
    subscribed: (_ch, at, resumed) => ledger.subscribed(stream, at ?? 0, resumed, 1),
    delivered: (_ch, serial, id, envelope) => { ledger.deliver(stream, serial, id, envelope, 5_000); counted(); },
    deliveredView: (_ch, serial, view) => { ledger.deliverView(stream, serial, view, 5_000); counted(); },
    acked: () => {}, refused: () => {}, heard: () => {},
    protocolError: () => counted(),
    rejected: (reason) => assert.fail(reason),
  };
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = v1Adapter.createClient(url, events, { clientId: 'c0', connectTimeoutMs: 2_000, resume: 'serial', options: {} });
  t.after(() => client.stop());
  client.connect();
  await two;

  assert.equal(closed, 0, 'the link was closed by the bad frame');
  const snap = ledger.snapshot().streams[0];
  assert.equal(snap.phantom, 1, 'the bad frame is a phantom (its payload is not what was published)');
  assert.deepEqual(snap.received, [2, 2], 'the next frame was accepted');
});

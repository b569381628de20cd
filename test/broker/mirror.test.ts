// A mirror passes on what its home sends: a real node-1 mirrors a channel homed on "node-2",
// which here is a scripted peer speaking protocol v1 over a real WebSocket, so that it can do
// what a correct home never does (reuse a serial) and time its frames exactly.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import { BrokerNodeImpl } from '../../reference-broker/server';
import type { ClientFrame } from '../../src/protocol';
import { TestClient, channelHomedOn, sleep, until } from './helpers';

const open: Array<{ close(): unknown }> = [];
after(async () => { for (const o of open.reverse()) await o.close(); });

type Script = (sub: Extract<ClientFrame, { t: 'sub' }>, send: (frame: object) => void) => void;

/** A scripted home: answers each `sub` on the link with whatever `script` sends. */
async function scriptedHome(script: Script): Promise<string> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as ClientFrame;
      if (frame.t === 'sub') script(frame, (f) => ws.send(JSON.stringify(f)));
    });
  });
  open.push({ close: () => new Promise<void>((r) => { wss.clients.forEach((c) => c.terminate()); wss.close(() => r()); }) });
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

async function mirrorNode(homeUrl: string, events: string[]): Promise<BrokerNodeImpl> {
  const node = new BrokerNodeImpl({ id: 'node-1', peers: [{ id: 'node-2', url: homeUrl }], log: (l) => events.push(l),
    linkReconnect: { initialMs: 20, maxMs: 200, multiplier: 2, jitter: 'full' } });
  await node.listen();
  node.connectPeers();
  open.push(node);
  await until(() => node.isLinkOpen('node-2'), 'link to the scripted home');
  return node;
}

const msg = (ch: string, s: number, id: string) => ({ t: 'msg', ch, s, id, d: { id } });

describe('mirror', () => {
  test('a message that reuses a serial is passed on to subscribers, not dropped', async () => {
    const ch = channelHomedOn('node-2', ['node-1', 'node-2'], 'reuse');
    const home = await scriptedHome((sub, send) => {
      send({ t: 'subd', ch: sub.ch, at: 0, resumed: true });
      send(msg(sub.ch, 1, 'a'));
      send(msg(sub.ch, 2, 'b'));
      send(msg(sub.ch, 2, 'c')); // a second sequencer's serial 2
      send(msg(sub.ch, 3, 'd'));
    });
    const events: string[] = [];
    const node = await mirrorNode(home, events);
    const c = await TestClient.connect(node.url);
    open.push(c);
    await c.sub(ch);
    await until(() => c.msgs(ch).length >= 4, 'four deliveries');
    assert.deepEqual(c.msgs(ch).map((m) => [m.s, m.id]), [[1, 'a'], [2, 'b'], [2, 'c'], [3, 'd']]);
    assert.ok(events.some((e) => e.includes('mirror-serial-reuse')), 'the reuse is logged');
  });

  test('a fresh mirror probing a trimmed home does not pass on the probe\'s replay twice', async () => {
    const ch = channelHomedOn('node-2', ['node-1', 'node-2'], 'probe');
    const home = await scriptedHome((sub, send) => {
      if (sub.from === 0) {
        // History starts at 3: resumed:false, replay 3..5, then live 6 and 7 before the probe arrives.
        send({ t: 'subd', ch: sub.ch, at: 5, resumed: false });
        for (const s of [3, 4, 5, 6, 7]) send(msg(sub.ch, s, `m${s}`));
      } else {
        send({ t: 'subd', ch: sub.ch, at: 7, resumed: true });
        for (let s = sub.from! + 1; s <= 7; s++) send(msg(sub.ch, s, `m${s}`));
      }
    });
    const events: string[] = [];
    const node = await mirrorNode(home, events);
    const c = await TestClient.connect(node.url);
    open.push(c);
    await c.sub(ch);
    await until(() => c.msgs(ch).some((m) => m.s === 7), 'serial 7');
    await sleep(100);
    assert.deepEqual(c.serials(ch), [3, 4, 5, 6, 7].filter((s) => s > c.of('subd')[0].at));
    assert.deepEqual(events.filter((e) => e.includes('mirror-serial-reuse') || e.includes('mirror-gap')), []);
  });
});

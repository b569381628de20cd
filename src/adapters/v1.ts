// Protocol v1 (the reference broker): one WebSocket per client, JSON text frames. The hot
// path (a msg frame in the broker's own shape) is read in place from the frame's bytes
// (v1-msg-reader); every other frame is parsed in full.
import WebSocket from 'ws';
import { parseBrokerFrame } from '../protocol/codec';
import { ADAPTERS } from './catalog';
import { readMsg } from './v1-msg-reader';
import type { Adapter, AdapterClient, AdapterEvents, ClientOptions } from './types';

class V1Client implements AdapterClient {
  private ws: WebSocket | null = null;

  constructor(private readonly url: string, private readonly events: AdapterEvents, private readonly opts: ClientOptions) {}

  connect(): void {
    const ws = new WebSocket(this.url, {
      perMessageDeflate: false,
      handshakeTimeout: this.opts.connectTimeoutMs,
      maxPayload: 64 * 1024 * 1024,
      ...(this.opts.localAddress ? { localAddress: this.opts.localAddress } : {}),
    });
    this.ws = ws;
    ws.on('open', () => { if (ws === this.ws) this.events.opened(); });
    ws.on('message', (data: Buffer, isBinary: boolean) => { if (ws === this.ws) this.onMessage(data, isBinary); });
    ws.on('pong', () => { if (ws === this.ws) this.events.heard(); });
    ws.on('error', () => { /* 'close' follows and handles it */ });
    ws.on('close', () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.events.closed();
    });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    const ev = this.events;
    if (isBinary) {
      ev.protocolError('binary frame');
      return;
    }
    if (ev.deliveredView) {
      const msg = readMsg(data);
      if (msg !== null) return ev.deliveredView(msg.channel, msg.serial, msg);
    }
    const parsed = parseBrokerFrame(data.toString());
    if (!parsed.ok) {
      ev.protocolError(parsed.reason);
      return;
    }
    const f = parsed.frame;
    switch (f.t) {
      case 'msg': ev.delivered(f.ch, f.s, f.id, f.d); return;
      case 'subd': ev.subscribed(f.ch, f.at, f.resumed); return;
      case 'ack': ev.acked(f.id, f.s); return;
      case 'err': ev.refused(f.id, f.code, f.msg); return;
    }
  }

  subscribe(channel: string, from: number | undefined): void {
    this.ws?.send(from === undefined ? `{"t":"sub","ch":${JSON.stringify(channel)}}` :
      `{"t":"sub","ch":${JSON.stringify(channel)},"from":${from}}`);
  }

  publish(channel: string, key: string, payload: string): void {
    this.ws?.send(`{"t":"pub","ch":${JSON.stringify(channel)},"id":${JSON.stringify(key)},"d":${payload}}`);
  }

  ping(): void {
    this.ws?.ping();
  }

  terminate(): void {
    this.ws?.terminate();
  }

  stop(): void {
    const ws = this.ws;
    this.ws = null;
    ws?.terminate();
  }
}

export const v1Adapter: Adapter = {
  name: 'v1',
  ...ADAPTERS.v1,
  createClient: (url, events, opts) => new V1Client(url, events, opts),
};

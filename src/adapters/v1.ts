// Protocol v1 (the reference broker): one WebSocket per client, JSON text frames. The hot
// path (a msg frame in the broker's own shape) is read in place from the frame's bytes
// (v1-msg-reader); every other frame is parsed in full.
// Connecting: cluster.auth's headers, query, subprotocols and basic credentials, filled per
// client (upgrade.ts); through the proxy the Host header and the TLS name stay the URL's own
// (origin). A refusal no retry fixes (TLS, HTTP 401/403, a close 1008/4401/4403 before the
// server said anything) stops the run: events.rejected.
import type { IncomingMessage } from 'node:http';
import WebSocket, { type ClientOptions as WsOptions } from 'ws';
import { parseBrokerFrame } from '../protocol/codec';
import { ADAPTERS } from './catalog';
import { CredentialSource } from './credentials';
import { tlsOptions, tlsRefusal, type Refusal } from './tls';
import { closeRefusal, httpRefusal, upgradeOf, withQuery } from './upgrade';
import { readMsg } from './v1-msg-reader';
import type { Adapter, AdapterClient, AdapterEvents, ClientOptions } from './types';

/**
 * A client's WebSocket with what its handlers need: the handlers below are shared by every
 * socket (`this` is the socket), not six closures per connection (≈ 250 bytes per client).
 */
class V1Socket extends WebSocket {
  refusal: Refusal | null = null;
  /** the server sent something: a refusing close code after this ends a session, not a refusal */
  heardFromServer = false;
  constructor(readonly owner: V1Client, url: string, protocols: string[], options: WsOptions) {
    super(url, protocols, options);
  }
}

// ws types a listener's `this` as WebSocket; each of ours is only ever added to a V1Socket.
const own = (ws: WebSocket): V1Socket => ws as V1Socket;
function onOpen(this: WebSocket): void { own(this).owner.socketOpened(own(this)); }
function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  const ws = own(this);
  ws.heardFromServer = true;
  ws.owner.socketMessage(ws, data, isBinary);
}
function onPong(this: WebSocket): void {
  const ws = own(this);
  ws.heardFromServer = true;
  ws.owner.socketPong(ws);
}
function onUnexpectedResponse(this: WebSocket, _req: unknown, res: IncomingMessage): void {
  res.resume();
  own(this).owner.socketRefused(own(this), res.statusCode ?? 0);
}
function onError(this: WebSocket, err: Error): void { own(this).owner.socketError(own(this), err); }
function onClose(this: WebSocket, code: number, reason: Buffer): void { own(this).owner.socketClosed(own(this), code, reason); }

class V1Client implements AdapterClient {
  private ws: V1Socket | null = null;
  private readonly credentials: CredentialSource | null;
  private readonly secure: boolean;
  /** who the messages of a refusal name: the host the user wrote */
  private readonly target: string;

  constructor(private readonly url: string, private readonly events: AdapterEvents, private readonly opts: ClientOptions) {
    this.credentials = opts.auth ? new CredentialSource(opts.auth, opts.clientId) : null;
    const parsed = new URL(url);
    this.secure = parsed.protocol === 'wss:';
    this.target = opts.origin ?? parsed.host;
  }

  private options(): { url: string; protocols: string[]; options: WsOptions } {
    const o = this.opts;
    const upgrade = upgradeOf(this.credentials, o.origin);
    // `auth` ("user:password", HTTP basic) goes through ws to http.request, as a URL's user info would.
    const options: WsOptions & { auth?: string } = {
      perMessageDeflate: false,
      // Every frame is checked byte for byte anyway (the fast path, or the full parse and the
      // payload seal): a target sending invalid UTF-8 shows as a protocol error or a phantom
      // instead of ws closing the link (1007), which would look like a plain disconnect.
      skipUTF8Validation: true,
      handshakeTimeout: o.connectTimeoutMs,
      maxPayload: 64 * 1024 * 1024,
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
      ...(this.secure ? tlsOptions(o.origin, o.tls) as WsOptions : {}),
      headers: upgrade.headers,
      ...(upgrade.basic !== undefined ? { auth: upgrade.basic } : {}),
    };
    return { url: withQuery(this.url, upgrade.query), protocols: upgrade.subprotocols, options };
  }

  connect(): void {
    const { url, protocols, options } = this.options();
    let ws: V1Socket;
    try {
      ws = new V1Socket(this, url, protocols, options);
    } catch (e) {
      // e.g. a subprotocol filled from {{env.NAME}} with a space in it: the same on every retry
      this.events.rejected(`cannot connect to ${this.target}: ${(e as Error).message}`, 'check cluster.auth and cluster.urls');
      return;
    }
    this.ws = ws;
    ws.on('open', onOpen);
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('unexpected-response', onUnexpectedResponse);
    ws.on('error', onError);
    ws.on('close', onClose);
  }

  /** Its socket's events (see V1Socket): only the current socket's count. */
  socketOpened(ws: V1Socket): void {
    if (ws === this.ws) this.events.opened();
  }

  socketMessage(ws: V1Socket, data: Buffer, isBinary: boolean): void {
    if (ws === this.ws) this.onMessage(data, isBinary);
  }

  socketPong(ws: V1Socket): void {
    if (ws === this.ws) this.events.heard();
  }

  socketRefused(ws: V1Socket, status: number): void {
    ws.refusal = httpRefusal(status, this.target, this.opts.clientId);
    ws.terminate(); // 'close' follows
  }

  socketError(ws: V1Socket, err: Error): void {
    ws.refusal ??= tlsRefusal(err, this.target); // 'close' follows and handles it
  }

  socketClosed(ws: V1Socket, code: number, reason: Buffer): void {
    if (ws !== this.ws) return;
    this.ws = null;
    const refusal = ws.refusal ?? closeRefusal(code, reason.toString(), ws.heardFromServer, this.target, this.opts.clientId);
    if (refusal) this.events.rejected(refusal.reason, refusal.hint);
    else this.events.closed();
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

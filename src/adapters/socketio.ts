// A Socket.IO app (socket.io-client, the Socket.IO project's own client). One room per
// channel; the app's event names and ack style come from cluster.options (socketio-settings.ts).
// What the app must do with them (examples/socketio-chat is one such app):
//   join    emit(join, room, ack?)                   → socket.join(room), then ack()
//   leave   emit(leave, room)                        → socket.leave(room)   (sent when a client ends)
//   publish emit(publish, {room, id, d}, ack?)       → io.to(room).emit(deliver, {room, id, d}), then ack()
//   deliver on(deliver, {room, id, d})                 the envelope d travels as it was published
// An ack whose first argument carries a string `error` is a refusal.
//
// Reconnecting is the virtual client's job: socket.io-client's own reconnection is off. Connection
// state recovery lives in the Socket object (the session id and the offset of the last event it
// received go into the next CONNECT), so with recovery the same Socket reconnects every time, and
// socket.recovered says whether the server restored the session (rooms and missed events).
// Without recovery each connect is a fresh Socket, a fresh session.
//
// Connecting: cluster.auth's headers, query and subprotocols go on the WebSocket upgrade,
// cluster.auth.payload is the handshake's `auth` (socket.handshake.auth on the server), all
// made again for each connect (upgrade.ts). TLS through an https.Agent (tls.ts): through the
// fault proxy the certificate is checked against the URL's own name, which is also the SNI
// and the Host header. A refusal no retry fixes — a namespace middleware's next(err), an
// upgrade answered 401/403, a certificate that does not verify — stops the run (rejected()).
import type { Agent } from 'node:https';
import { io, type Socket } from 'socket.io-client';
import { ADAPTERS } from './catalog';
import { CredentialSource } from './credentials';
import { socketIoSettings, type SocketIoSettings } from './socketio-settings';
import { tlsAgent, tlsRefusal, type Refusal } from './tls';
import { httpRefusal, upgradeOf, type Upgrade } from './upgrade';
import { NO_SERIAL, type Adapter, type AdapterClient, type AdapterEvents, type ClientOptions } from './types';

const NOT_CONNECTED = 0;

function refusalOf(reply: unknown): string | undefined {
  if (reply === null || typeof reply !== 'object') return undefined;
  const error = (reply as { error?: unknown }).error;
  return typeof error === 'string' ? error : undefined;
}

class SocketIoClient implements AdapterClient {
  private socket: Socket | null = null;
  private generation = 0;
  /** the generation of the connection in progress or open; NOT_CONNECTED when none */
  private current = NOT_CONNECTED;
  private readonly rooms = new Set<string>();
  private readonly settings: SocketIoSettings;
  private readonly recover: boolean;
  private readonly credentials: CredentialSource | null;
  /** the URL without its query: socket.io-client would let the URL's query replace opts.query */
  private readonly baseUrl: string;
  private readonly urlQuery: Record<string, string>;
  /** https/wss only: the TLS settings (an agent's options win over what engine.io-client passes) */
  private readonly agent: Agent | undefined;
  /** who the messages of a refusal name: the host the user wrote */
  private readonly target: string;
  /** what the connect in progress sends (made again for each connect) */
  private upgrade: Upgrade = { headers: {}, query: {}, subprotocols: [] };

  constructor(url: string, private readonly events: AdapterEvents, private readonly opts: ClientOptions) {
    this.settings = socketIoSettings(opts.options);
    this.recover = this.settings.recovery && opts.resume !== 'none';
    this.credentials = opts.auth ? new CredentialSource(opts.auth, opts.clientId) : null;
    const parsed = new URL(url);
    this.urlQuery = Object.fromEntries(parsed.searchParams);
    parsed.search = '';
    this.baseUrl = parsed.href;
    this.target = opts.origin ?? parsed.host;
    const secure = parsed.protocol === 'https:' || parsed.protocol === 'wss:';
    this.agent = secure ? tlsAgent(opts.origin, opts.tls) : undefined;
  }

  connect(): void {
    this.current = ++this.generation;
    this.upgrade = upgradeOf(this.credentials, this.opts.origin);
    if (!this.socket || !this.recover) this.socket = this.newSocket();
    // A recovered session reconnects through the same Manager: it reads these on each open.
    const managerOpts = this.socket.io.opts;
    managerOpts.extraHeaders = this.upgrade.headers;
    managerOpts.query = { ...this.urlQuery, ...this.upgrade.query };
    if (this.upgrade.subprotocols.length > 0) managerOpts.protocols = this.upgrade.subprotocols;
    this.socket.connect();
  }

  private newSocket(): Socket {
    this.socket?.disconnect(); // an old session (already closed): detach it from its manager
    const socket = io(this.baseUrl, {
      forceNew: true,               // one connection per virtual client, never a shared manager
      autoConnect: false,
      reconnection: false,          // the virtual client reconnects, with its own backoff
      transports: ['websocket'],    // one TCP connection through the fault proxy, no long-polling
      timeout: this.opts.connectTimeoutMs,
      ...(this.opts.localAddress ? { localAddress: this.opts.localAddress } : {}),
      ...(this.agent ? { agent: this.agent as unknown as string } : {}), // typed for browsers; ws takes an Agent
      // Asked for on every CONNECT packet, so a renewed token goes out on a reconnect.
      auth: (send: (payload: object) => void) => send(this.upgrade.payload ?? {}),
    });
    socket.on('connect', () => {
      if (this.current !== NOT_CONNECTED && socket === this.socket) this.events.opened();
    });
    socket.on('connect_error', (err: Error) => this.connectFailed(socket, err));
    socket.on('disconnect', () => this.lost(socket));
    socket.io.on('ping', () => { if (this.current !== NOT_CONNECTED && socket === this.socket) this.events.heard(); });
    // Events replayed by a recovered session arrive before 'connect': they count, like a replay of history.
    socket.on(this.settings.events.deliver, (message: unknown) => {
      if (this.current !== NOT_CONNECTED && socket === this.socket) this.deliver(message);
    });
    return socket;
  }

  private deliver(message: unknown): void {
    const m = message as { room?: unknown; id?: unknown; d?: unknown } | null;
    if (m === null || typeof m !== 'object' || typeof m.room !== 'string' || typeof m.id !== 'string') {
      this.events.protocolError(`"${this.settings.events.deliver}" event without a string room and id`);
      return;
    }
    this.events.delivered(m.room, NO_SERIAL, m.id, m.d);
  }

  private connectFailed(socket: Socket, err: Error): void {
    if (this.current === NOT_CONNECTED || socket !== this.socket) return;
    const refusal = this.refusalOf(socket, err);
    if (!refusal) return this.lost(socket);
    this.current = NOT_CONNECTED;
    this.events.rejected(refusal.reason, refusal.hint);
  }

  /** A failed connect that no retry fixes, or null (a reset, a timeout: retried). */
  private refusalOf(socket: Socket, err: Error): Refusal | null {
    // socket.io-client's documented sign: a socket that is no longer active was turned away by
    // the server (a CONNECT_ERROR packet: a namespace middleware called next(err)).
    if (!socket.active) {
      const data = (err as Error & { data?: unknown }).data;
      const detail = data === undefined ? '' : ` ${JSON.stringify(data)}`;
      return {
        reason: `${this.target} refused the Socket.IO connection of client ${this.opts.clientId}: "${err.message}"${detail}`,
        hint: 'check cluster.auth (payload, headers, query, the jwt key and claims)',
      };
    }
    // A transport error: `description` is ws's error event; its `error` the cause (TLS, HTTP status).
    const cause = (err as Error & { description?: { error?: unknown } }).description?.error;
    const tls = tlsRefusal(cause, this.target);
    if (tls) return tls;
    const status = /^Unexpected server response: (\d+)$/.exec((cause as Error | undefined)?.message ?? '');
    return status ? httpRefusal(Number(status[1]), this.target, this.opts.clientId) : null;
  }

  private lost(socket: Socket): void {
    if (this.current === NOT_CONNECTED || socket !== this.socket) return;
    this.current = NOT_CONNECTED;
    // Emits made while disconnected would be sent on reconnect: what to resend is the virtual client's call.
    socket.sendBuffer = [];
    this.events.closed();
  }

  /** The open socket and its generation, or null while not connected (an emit would be buffered). */
  private live(): { socket: Socket; gen: number } | null {
    const socket = this.socket;
    return socket && socket.connected && this.current !== NOT_CONNECTED ? { socket, gen: this.current } : null;
  }

  subscribe(channel: string): void {
    const link = this.live();
    if (!link) return;
    const { socket, gen } = link;
    this.rooms.add(channel);
    const confirmed = () => this.events.subscribed(channel, undefined, socket.recovered === true);
    if (this.settings.ack === 'none') {
      // Nothing confirms the join: the subscription counts from the moment it was written.
      socket.emit(this.settings.events.join, channel);
      confirmed();
      return;
    }
    socket.emit(this.settings.events.join, channel, (reply: unknown) => {
      if (gen !== this.current) return;
      const refused = refusalOf(reply);
      if (refused !== undefined) this.events.protocolError(`join ${channel} refused: ${refused}`);
      else confirmed();
    });
  }

  publish(channel: string, key: string, payload: string): void {
    const link = this.live();
    if (!link) return;
    const { socket, gen } = link;
    const message = { room: channel, id: key, d: JSON.parse(payload) as unknown };
    if (this.settings.ack === 'none') {
      // No confirmation exists: "acked" = handed to the open connection (like MQTT QoS 0).
      socket.emit(this.settings.events.publish, message);
      this.events.acked(key, 0);
      return;
    }
    socket.emit(this.settings.events.publish, message, (reply: unknown) => {
      if (gen !== this.current) return;
      const refused = refusalOf(reply);
      if (refused !== undefined) this.events.refused(key, 'bad_request', refused);
      else this.events.acked(key, 0);
    });
  }

  ping(): void {
    // No ping on demand: engine.io's own heartbeat closes a dead link ('disconnect' follows);
    // its pings call heard() as they come.
    if (this.live()) this.events.heard();
  }

  terminate(): void {
    const socket = this.socket;
    if (!socket || this.current === NOT_CONNECTED) return;
    this.lost(socket);
    // Closes the transport without a DISCONNECT packet: to the server this is a lost
    // connection, which connection state recovery may restore.
    socket.io._close();
  }

  stop(): void {
    this.generation++;
    const socket = this.socket;
    const link = this.live();
    this.current = NOT_CONNECTED;
    this.socket = null;
    if (!socket) return;
    // The interface has no unsubscribe: a client that ends leaves its rooms, then says goodbye.
    if (link) for (const room of this.rooms) socket.emit(this.settings.events.leave, room);
    socket.disconnect();
  }
}

export const socketIoAdapter: Adapter = {
  name: 'socketio',
  ...ADAPTERS.socketio,
  createClient: (url, events, opts) => new SocketIoClient(url, events, opts),
};

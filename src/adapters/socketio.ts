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
import { io, type Socket } from 'socket.io-client';
import { ADAPTERS } from './catalog';
import { socketIoSettings, type SocketIoSettings } from './socketio-settings';
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

  constructor(private readonly url: string, private readonly events: AdapterEvents, private readonly opts: ClientOptions) {
    this.settings = socketIoSettings(opts.options);
    this.recover = this.settings.recovery && opts.resume !== 'none';
  }

  connect(): void {
    this.current = ++this.generation;
    if (!this.socket || !this.recover) this.socket = this.newSocket();
    this.socket.connect();
  }

  private newSocket(): Socket {
    this.socket?.disconnect(); // an old session (already closed): detach it from its manager
    const socket = io(this.url, {
      forceNew: true,               // one connection per virtual client, never a shared manager
      autoConnect: false,
      reconnection: false,          // the virtual client reconnects, with its own backoff
      transports: ['websocket'],    // one TCP connection through the fault proxy, no long-polling
      timeout: this.opts.connectTimeoutMs,
      ...(this.opts.localAddress ? { localAddress: this.opts.localAddress } : {}),
    });
    socket.on('connect', () => {
      if (this.current !== NOT_CONNECTED && socket === this.socket) this.events.opened();
    });
    socket.on('connect_error', () => this.lost(socket));
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

// One proxy: a listener on `listen` that dials `upstream` for every accepted client and joins
// the two with a Connection. Disabling closes the listener and every open connection; toxics
// are kept. Re-enabling binds the same (normalised) address again.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Connection } from './proxied-connection';
import {
  bindErrorText,
  GoNetError,
  isWildcard,
  listenerAddress,
  resolveTcpAddr,
  splitHostPort,
  tcpAddrString,
  type TcpAddr,
} from './listen-address';
import type { GoStruct } from './go-json';
import { toxicJson, ToxicCollection } from './toxic-collection';

/** Go enables keep-alive (15 s) and TCP_NODELAY on every TCP connection; so does the proxy. */
const SOCKET_OPTIONS = { allowHalfOpen: true, noDelay: true, keepAlive: true, keepAliveInitialDelay: 15_000 } as const;

const ignore = (): void => {};

/** The JSON fields of Toxiproxy's Go Proxy struct, in its order (decode errors name them). */
export const PROXY_FIELDS: GoStruct['fields'] = [
  { key: 'name', type: 'string' },
  { key: 'listen', type: 'string' },
  { key: 'upstream', type: 'string' },
  { key: 'enabled', type: 'bool' },
];

export interface ProxyUpdate {
  listen: string;
  upstream: string;
  enabled: boolean;
}

export class Proxy {
  enabled = false;
  readonly toxics = new ToxicCollection();
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  /** accepted clients whose upstream dial is still in progress */
  private readonly dialling = new Map<Socket, Socket>();

  constructor(
    readonly name: string,
    public listen: string,
    public upstream: string,
  ) {}

  /** Binds the listener; throws Go's "listen tcp ..." error text on failure. */
  async start(): Promise<void> {
    if (this.enabled) throw new Error('Proxy already started');
    let addr: TcpAddr;
    try {
      addr = await resolveTcpAddr(this.listen);
    } catch (err) {
      throw new GoNetError(`listen tcp: ${(err as Error).message}`);
    }
    const server = createServer({ ...SOCKET_OPTIONS, pauseOnConnect: true }, this.accept);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new GoNetError(`listen tcp ${tcpAddrString(addr)}: ${bindErrorText(err)}`)),
      );
      server.listen({ host: isWildcard(addr) ? undefined : addr.ip!, port: addr.port }, resolve);
    });
    server.removeAllListeners('error');
    server.on('error', ignore);
    this.server = server;
    this.listen = listenerAddress(server.address() as AddressInfo);
    this.enabled = true;
  }

  /** Closes the listener (new clients are refused) and every open connection. */
  async stop(): Promise<void> {
    if (!this.enabled || !this.server) return;
    this.enabled = false;
    const server = this.server;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const [client, upstream] of this.dialling) {
      client.destroy();
      upstream.destroy();
    }
    this.dialling.clear();
    for (const connection of this.connections) connection.destroy();
    await closed;
  }

  /** Toxiproxy's Differs(): the listen address resolves differently, or the upstream changed. */
  async differs(listen: string, upstream: string): Promise<boolean> {
    return tcpAddrString(await resolveTcpAddr(listen)) !== this.listen || upstream !== this.upstream;
  }

  /** Toxiproxy's Update(): restart on a new address/upstream, then apply `enabled`. */
  async update(input: ProxyUpdate): Promise<void> {
    if (await this.differs(input.listen, input.upstream)) {
      await this.stop();
      this.listen = input.listen;
      this.upstream = input.upstream;
    }
    if (input.enabled !== this.enabled) {
      if (input.enabled) await this.start();
      else await this.stop();
    }
  }

  private readonly accept = (client: Socket): void => {
    client.on('error', ignore);
    let host: string;
    let port: number;
    try {
      const parts = splitHostPort(this.upstream);
      host = parts.host;
      port = Number(parts.port);
      if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error('bad port');
    } catch {
      client.destroy(); // an unusable upstream still accepts, then closes (Toxiproxy #265)
      return;
    }
    const upstream = connect({ ...SOCKET_OPTIONS, host: host || 'localhost', port });
    upstream.on('error', ignore);
    this.dialling.set(client, upstream);
    const settle = (ok: boolean) => {
      if (!this.dialling.delete(client)) return;
      if (!ok || !this.enabled || client.destroyed) {
        upstream.destroy();
        client.destroy();
        return;
      }
      const connection = new Connection(client, upstream, this.toxics, (c) => this.connections.delete(c));
      this.connections.add(connection);
    };
    upstream.once('connect', () => settle(true));
    upstream.once('error', () => settle(false));
    client.once('close', () => {
      if (this.dialling.delete(client)) upstream.destroy();
    });
  };

  /** Toxiproxy's proxy JSON (including the accidental "Logger":{} of 2.12.0). */
  toJSON(): object {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      Logger: {},
      toxics: this.toxics.list().map(toxicJson),
    };
  }
}

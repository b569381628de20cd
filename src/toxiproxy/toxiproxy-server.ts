// The embedded Toxiproxy-compatible server: Toxiproxy 2.x's HTTP API plus its TCP proxies and
// toxics, in this process. Drive it with toxiproxy-node-client exactly like the real one.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { infraError } from '../util/errors';
import { createApiHandler } from './api';
import { joinHostPort } from './listen-address';
import { ProxyCollection } from './proxy-collection';

export interface ToxiproxyServerOptions {
  /** API address; default 127.0.0.1 (Toxiproxy's default `localhost` binds IPv4 only) */
  host?: string;
  /** API port; default 8474 (Toxiproxy's), 0 = a free port */
  port?: number;
}

export interface ToxiproxyServer {
  /** base URL for new Toxiproxy(url), e.g. http://127.0.0.1:8474 */
  url: string;
  port: number;
  /** Stops every proxy (closing their connections) and the API. */
  close(): Promise<void>;
}

export const DEFAULT_API_PORT = 8474;

export async function startToxiproxyServer(opts: ToxiproxyServerOptions = {}): Promise<ToxiproxyServer> {
  const host = !opts.host || opts.host === 'localhost' ? '127.0.0.1' : opts.host;
  const port = opts.port ?? DEFAULT_API_PORT;
  const collection = new ProxyCollection();
  const http = createServer(createApiHandler(collection));
  await new Promise<void>((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(infraError(`toxiproxy API port ${port} on ${host} is already in use`, 'choose another --port or stop what uses it'));
      } else {
        reject(infraError(`toxiproxy API cannot listen on ${host}:${port}: ${err.message}`, 'check --host and --port'));
      }
    });
    http.listen(port, host, resolve);
  });
  const bound = (http.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${joinHostPort(urlHost, bound)}`,
    port: bound,
    close() {
      closing ??= (async () => {
        await collection.clear();
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

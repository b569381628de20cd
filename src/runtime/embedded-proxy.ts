// The fault proxy in front of a local or external cluster: our Toxiproxy-compatible server
// in its own process (relaying bytes must not steal the load driver's event loop), with its
// proxies created through toxiproxy-node-client, exactly as against a real Toxiproxy.
import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { infraError } from '../util/errors';
import { startListeningProcess, stopProcess } from './process';

const TOXIPROXY_MAIN = resolve(__dirname, '../toxiproxy/toxiproxy-main.js');

export interface ProxyServer {
  apiUrl: string;
  client: Toxiproxy;
  /** Creates a proxy listening on a free loopback port; returns that port. */
  createProxy(name: string, upstream: string): Promise<number>;
  stop(): Promise<void>;
}

/** `host`: where the API and the proxies listen (default loopback; 0.0.0.0 to serve other machines) */
export async function startProxyServer(logDir: string, opts: { host?: string; port?: number } = {}): Promise<ProxyServer> {
  const host = opts.host ?? '127.0.0.1';
  const { child, port } = await startListeningProcess('toxiproxy server', TOXIPROXY_MAIN,
    ['--host', host, '--port', String(opts.port ?? 0)], join(logDir, 'toxiproxy.log'));
  const apiUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const client = new Toxiproxy(apiUrl);
  return {
    apiUrl,
    client,
    async createProxy(name, upstream) {
      try {
        const proxy = await client.createProxy({ name, listen: `${host}:0`, upstream });
        return portOf(proxy.listen);
      } catch (err) {
        throw infraError(`could not create proxy ${name} → ${upstream}: ${(err as Error).message}`);
      }
    },
    stop: () => stopProcess(child as ChildProcess),
  };
}

export function portOf(listen: string): number {
  const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port <= 0) throw infraError(`proxy reported an unusable listen address "${listen}"`);
  return port;
}

// External runtime: a system the user already runs (any adapter). Nothing is started but the
// fault proxy, which goes in front of every URL so faults work on it too. cluster.hosts may send
// a name's connections elsewhere (the name still is the TLS name and the Host header: ClusterNode.origin).
import { connect } from 'node:net';
import { join } from 'node:path';
import { infraError, usageError } from '../util/errors';
import type { Cluster, ClusterNode, StartCluster } from './cluster';
import { startProxyServer, type ProxyServer } from './embedded-proxy';
import { clientProxyName } from './proxy-names';

function probe(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (why: string | null) => { socket.destroy(); resolve(why); };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (err) => done(err.message));
  });
}

const DEFAULT_PORTS: Record<string, number> = { 'ws:': 80, 'wss:': 443, 'http:': 80, 'https:': 443, 'nats:': 4222, 'redis:': 6379, 'mqtt:': 1883 };

/**
 * Where a URL's connections go: its own host and port, or what cluster.hosts maps the host
 * name to ("10.0.0.5" keeps the URL's port, "10.0.0.5:9443" replaces it).
 */
export function upstreamOf(url: URL, hosts: Readonly<Record<string, string>> = {}): { host: string; port: number } {
  const port = Number(url.port || DEFAULT_PORTS[url.protocol] || 80);
  const mapped = Object.prototype.hasOwnProperty.call(hosts, url.hostname) ? hosts[url.hostname] : undefined;
  if (mapped === undefined) return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
  const m = new URL(`tcp://${mapped}`);
  return { host: m.hostname.replace(/^\[|\]$/g, ''), port: m.port ? Number(m.port) : port };
}

export const startExternalCluster: StartCluster = async (spec, opts) => {
  const targets = spec.urls.map((raw, i) => {
    const url = new URL(raw);
    return { id: `node-${i + 1}`, url, ...upstreamOf(url, spec.hosts) };
  });
  for (const t of targets) {
    const why = await probe(t.host, t.port, 3000);
    const via = t.host === t.url.hostname ? '' : ` (at ${t.host}:${t.port}, cluster.hosts)`;
    if (why) throw infraError(`external target ${t.url.href}${via} is unreachable: ${why}`, 'start your system first or fix cluster.urls');
  }
  let proxy: ProxyServer | null = null;
  try {
    proxy = await startProxyServer(join(opts.runDir, 'logs'));
    const nodes: ClusterNode[] = [];
    const clients: Record<string, string> = {};
    for (const t of targets) {
      const name = clientProxyName(t.id);
      const port = await proxy.createProxy(name, `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`);
      clients[t.id] = name;
      // Through a TCP proxy the client connects to the proxy; path and query are kept, and the
      // origin keeps the name the user wrote for TLS (SNI, certificate check) and the Host header.
      nodes.push({ id: t.id, clientUrl: `${t.url.protocol}//127.0.0.1:${port}${t.url.pathname}${t.url.search}`, directUrl: t.url.href, origin: t.url.host });
    }
    const server = proxy;
    const unsupported = (what: string) => async () => {
      throw usageError(`${what} is not possible on the external runtime`, 'use network faults (toxics, down) against external targets');
    };
    const cluster: Cluster = {
      runtime: 'external',
      nodes,
      proxies: { apiUrl: server.apiUrl, clients, links: {} },
      kill: unsupported('kill'),
      pause: unsupported('pause'),
      resume: unsupported('resume'),
      restart: unsupported('restart'),
      stop: () => server.stop(),
    };
    return cluster;
  } catch (err) {
    await proxy?.stop();
    throw err;
  }
};

// External runtime: a system the user already runs (any adapter). Nothing is started
// but the fault proxy, which goes in front of every URL so faults work on it too.
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

export const startExternalCluster: StartCluster = async (spec, opts) => {
  const targets = spec.urls.map((raw, i) => {
    const url = new URL(raw);
    const port = Number(url.port || (url.protocol === 'wss:' || url.protocol === 'https:' ? 443 : 80));
    return { id: `node-${i + 1}`, url, port };
  });
  for (const t of targets) {
    const why = await probe(t.url.hostname, t.port, 3000);
    if (why) throw infraError(`external target ${t.url.href} is unreachable: ${why}`, 'start your system first or fix cluster.urls');
  }
  let proxy: ProxyServer | null = null;
  try {
    proxy = await startProxyServer(join(opts.runDir, 'logs'));
    const nodes: ClusterNode[] = [];
    const clients: Record<string, string> = {};
    for (const t of targets) {
      const name = clientProxyName(t.id);
      const port = await proxy.createProxy(name, `${t.url.hostname}:${t.port}`);
      clients[t.id] = name;
      // Through a TCP proxy the client connects to the proxy; path and query are kept.
      nodes.push({ id: t.id, clientUrl: `${t.url.protocol}//127.0.0.1:${port}${t.url.pathname}${t.url.search}`, directUrl: t.url.href });
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

// A fault proxy for several chat-bench processes at once (`chat-bench broker --fault-proxy`):
// our Toxiproxy-compatible server with one proxy clients:node-K in front of each node. Shards
// list its listeners as cluster.urls and its API as cluster.faultProxy; shard 0 drives the
// faults through the API, and every shard's clients feel them.
import { clientProxyName } from './proxy-names';
import { startProxyServer } from './embedded-proxy';
import { hostPort, upstreamOf } from './external';

export interface SharedFaultProxy {
  apiUrl: string;
  /** per node, in order: the proxy's name and the URL clients use through it */
  proxies: Array<{ name: string; url: string }>;
  stop(): Promise<void>;
}

/** `nodeUrls`: ws:// (or any TCP scheme) URL of node-1 … node-N. */
export async function startSharedFaultProxy(nodeUrls: string[], opts: { logDir: string; host?: string; port?: number }): Promise<SharedFaultProxy> {
  const server = await startProxyServer(opts.logDir, { host: opts.host, port: opts.port });
  try {
    const proxies: SharedFaultProxy['proxies'] = [];
    for (const [i, raw] of nodeUrls.entries()) {
      const url = new URL(raw);
      const name = clientProxyName(`node-${i + 1}`);
      // a URL without a port means its scheme's default port
      const port = await server.createProxy(name, hostPort(upstreamOf(url)));
      const shownHost = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
      proxies.push({ name, url: `${url.protocol}//${shownHost}:${port}${url.pathname === '/' ? '' : url.pathname}` });
    }
    return { apiUrl: server.apiUrl, proxies, stop: () => server.stop() };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

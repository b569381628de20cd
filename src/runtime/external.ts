// External runtime: a system the user already runs (any adapter). Nothing is started but the
// fault proxy, which goes in front of every URL so faults work on it too — unless
// cluster.faultProxy names a proxy the URLs already go through (shared by the shards of a run):
// then nothing is started. cluster.hosts may send a name's connections elsewhere (the name still
// is the TLS name and the Host header: ClusterNode.origin).
import { connect } from 'node:net';
import { join } from 'node:path';
import { infraError, usageError } from '../util/errors';
import type { Cluster, ClusterNode, StartCluster, StartOptions } from './cluster';
import { startProxyServer, portOf, type ProxyServer } from './embedded-proxy';
import { clientProxyName } from './proxy-names';
import type { ClusterSpec } from '../contracts/scenario';

interface Target { id: string; url: URL; host: string; port: number }

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
/** "host:port" as a proxy upstream, an IPv6 host in brackets. */
export function hostPort(a: { host: string; port: number }): string {
  return `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

export function upstreamOf(url: URL, hosts: Readonly<Record<string, string>> = {}): { host: string; port: number } {
  const port = Number(url.port || DEFAULT_PORTS[url.protocol] || 80);
  const mapped = Object.prototype.hasOwnProperty.call(hosts, url.hostname) ? hosts[url.hostname] : undefined;
  if (mapped === undefined) return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
  const m = new URL(`tcp://${mapped}`);
  return { host: m.hostname.replace(/^\[|\]$/g, ''), port: m.port ? Number(m.port) : port };
}

const unsupported = (what: string) => async () => {
  throw usageError(`${what} is not possible on the external runtime`, 'use network faults (toxics, down) against external targets');
};

/** Process faults need processes of ours: refused on a system the user runs. */
const NO_PROCESS_FAULTS = {
  kill: unsupported('kill'), pause: unsupported('pause'), resume: unsupported('resume'), restart: unsupported('restart'),
};

export const startExternalCluster: StartCluster = async (spec, opts) => {
  const targets: Target[] = spec.urls.map((raw, i) => {
    const url = new URL(raw);
    return { id: `node-${i + 1}`, url, ...upstreamOf(url, spec.hosts) };
  });
  for (const t of targets) {
    const why = await probe(t.host, t.port, 3000);
    const via = t.host === t.url.hostname ? '' : ` (at ${t.host}:${t.port}, cluster.hosts)`;
    if (why) throw infraError(`external target ${t.url.href}${via} is unreachable: ${why}`, 'start your system first or fix cluster.urls');
  }
  if (spec.faultProxy) return behindSharedProxy(spec, spec.faultProxy, targets, opts);
  let proxy: ProxyServer | null = null;
  try {
    proxy = await startProxyServer(join(opts.runDir, 'logs'));
    const nodes: ClusterNode[] = [];
    const clients: Record<string, string> = {};
    for (const t of targets) {
      const name = clientProxyName(t.id);
      const port = await proxy.createProxy(name, hostPort(t));
      clients[t.id] = name;
      // Through a TCP proxy the client connects to the proxy; path and query are kept, and the
      // origin keeps the name the user wrote for TLS (SNI, certificate check) and the Host header.
      nodes.push({ id: t.id, clientUrl: `${t.url.protocol}//127.0.0.1:${port}${t.url.pathname}${t.url.search}`, directUrl: t.url.href, origin: t.url.host });
    }
    const server = proxy;
    const cluster: Cluster = {
      runtime: 'external',
      nodes,
      proxies: { apiUrl: server.apiUrl, clients, links: {} },
      ...NO_PROCESS_FAULTS,
      stop: () => server.stop(),
    };
    return cluster;
  } catch (err) {
    await proxy?.stop();
    throw err;
  }
};

/**
 * The URLs already go through a Toxiproxy-compatible proxy (cluster.faultProxy): clients use
 * them as given, and faults act on its proxies clients:node-K, so they hit every process whose
 * clients go through it (all shards of a run), whichever process drives them.
 */
async function behindSharedProxy(spec: ClusterSpec, apiUrl: string, targets: Target[], opts: StartOptions): Promise<Cluster> {
  const hint = 'start the fault proxy first (e.g. `chat-bench broker --fault-proxy`, or the Toxiproxy of deploy/kubernetes) and give its API as cluster.faultProxy';
  let proxies: Record<string, { listen: string; upstream: string; enabled: boolean; toxics?: unknown[] }>;
  try {
    // GET /proxies as Toxiproxy documents it: name → { listen, upstream, enabled, toxics }
    const res = await fetch(`${apiUrl}/proxies`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`GET /proxies answered ${res.status}`);
    proxies = await res.json() as typeof proxies;
    if (!proxies || typeof proxies !== 'object') throw new Error('GET /proxies did not answer a JSON object');
  } catch (err) {
    throw infraError(`cluster.faultProxy ${apiUrl} does not answer as a Toxiproxy API: ${(err as Error).message}`, hint);
  }
  const clients: Record<string, string> = {};
  const nodes: ClusterNode[] = targets.map((t, i) => {
    const name = clientProxyName(t.id);
    const proxy = proxies[name];
    if (!proxy) {
      throw infraError(`cluster.faultProxy ${apiUrl} has no proxy "${name}" for cluster.urls[${i}] (it has: ${Object.keys(proxies).sort().join(', ') || 'none'})`,
        `create one proxy per node named clients:node-1 … clients:node-${targets.length}, listening where cluster.urls points`);
    }
    // A port-forward or NodePort may change the port on the way: say so, but trust the user.
    if (portOf(proxy.listen) !== t.port) opts.log?.(`  note: proxy ${name} listens on ${proxy.listen}, cluster.urls[${i}] uses port ${t.port}: make sure that URL reaches this proxy, or faults miss these clients`);
    if (!proxy.enabled || (proxy.toxics?.length ?? 0) > 0) opts.log?.(`  warning: proxy ${name} is ${proxy.enabled ? `carrying ${proxy.toxics!.length} toxic(s)` : 'disabled'} before the run (left over from an interrupted run? POST ${apiUrl}/reset clears it)`);
    clients[t.id] = name;
    return { id: t.id, clientUrl: spec.urls[i], directUrl: proxy.upstream };
  });
  return {
    runtime: 'external',
    nodes,
    proxies: { apiUrl, clients, links: {} },
    ...NO_PROCESS_FAULTS,
    stop: async () => {}, // nothing of ours to stop: the proxy belongs to whoever started it
  };
}

// A NATS cluster of N nats-server processes (JetStream on, file store under the run's data dir)
// whose routes run through the fault proxy's link proxies, so `partition` and `link:A>B` faults
// cut real cluster routes.
//
// Which proxy a route passes: NATS 2.9 keeps ONE route connection per pair of servers and it
// carries both directions (if both sides dial, one connection is closed as a duplicate, and
// which one survives is chance). So only the lower-numbered node of a pair dials (explicit
// routes towards higher nodes only; explicit routes are retried forever; each server also lists
// a route to itself, which it ignores, because a JetStream cluster refuses to start on a server
// with no configured route), and that connection
// runs through BOTH directed link proxies of the pair, chained:
//   node-A → link:A>B → link:B>A → node-B's cluster port      (A before B)
// A fault on either link:A>B or link:B>A therefore acts on the one route between A and B: a
// `down` cuts it both ways, a toxic slows it (toxic stream directions follow the dialer: on
// both proxies "downstream" is B→A). Servers advertise a closed port and no client URLs, so
// nothing dials around the proxies (gossiped peers are dialled once at that port and fail).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProxyServer } from '../embedded-proxy';
import { linkProxyName } from '../proxy-names';
import { freePort } from './server-process';

export interface NatsNodePlan {
  id: string;
  clientPort: number;
  /** the monitoring port: /healthz says when JetStream is ready (a meta leader is known) */
  monitorPort: number;
  configFile: string;
}

const NOT_YET = '127.0.0.1:9'; // discard port: a route through a link not pointed at its node yet fails and is retried
const CLUSTER_NAME = 'chat-bench';

const quote = (s: string): string => JSON.stringify(s); // NATS config strings take JSON escapes

/** The configuration of one server: client port, JetStream store, and (clustered) its routes. */
export function natsConfig(o: { id: string; clientPort: number; monitorPort: number; storeDir: string; clusterPort?: number; routePorts?: number[] }): string {
  const lines = [
    `server_name: ${quote(o.id)}`,
    `listen: "127.0.0.1:${o.clientPort}"`,
    `http: "127.0.0.1:${o.monitorPort}"`,
    `jetstream { store_dir: ${quote(o.storeDir)} }`,
  ];
  if (o.clusterPort !== undefined) {
    lines.push(
      'cluster {',
      `  name: ${quote(CLUSTER_NAME)}`,
      `  listen: "127.0.0.1:${o.clusterPort}"`,
      '  advertise: "127.0.0.1:1"   # a closed port: peers learnt by gossip are not reached around the proxies',
      '  no_advertise: true         # clients are not told the servers\' own addresses',
      `  routes: [${(o.routePorts ?? []).map((p) => quote(`nats-route://127.0.0.1:${p}`)).join(', ')}]`,
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Creates the link proxies (chained per pair, see above), picks every server's ports and writes
 * each server's config file. The proxies exist before the ports are picked, so a port picked
 * for a server is not one a proxy holds.
 */
export async function planNatsCluster(ids: string[], proxy: ProxyServer, runDir: string): Promise<NatsNodePlan[]> {
  const confDir = join(runDir, 'nats');
  mkdirSync(confDir, { recursive: true });
  const clustered = ids.length > 1;
  const dialPort = new Map<string, number>(); // "A>B" (A before B) → the port node A dials for B
  if (clustered) {
    for (let a = 0; a < ids.length; a++) {
      for (let b = a + 1; b < ids.length; b++) {
        const tail = await proxy.createProxy(linkProxyName(ids[b], ids[a]), NOT_YET);
        dialPort.set(`${ids[a]}>${ids[b]}`, await proxy.createProxy(linkProxyName(ids[a], ids[b]), `127.0.0.1:${tail}`));
      }
    }
  }
  const plans: NatsNodePlan[] = [];
  for (let a = 0; a < ids.length; a++) {
    const id = ids[a];
    const clientPort = await freePort();
    const monitorPort = await freePort();
    const clusterPort = clustered ? await freePort() : undefined;
    const routePorts = clustered ? [...ids.slice(a + 1).map((b) => dialPort.get(`${id}>${b}`)!), clusterPort!] : [];
    const storeDir = join(runDir, 'data', id);
    mkdirSync(storeDir, { recursive: true });
    const configFile = join(confDir, `${id}.conf`);
    writeFileSync(configFile, natsConfig({ id, clientPort, monitorPort, storeDir, clusterPort, routePorts }));
    // the tail of every chain towards this node ends at its cluster port
    for (let b = 0; b < a; b++) {
      const name = linkProxyName(id, ids[b]);
      const p = await proxy.client.get(name);
      await p.update({ enabled: true, listen: p.listen, upstream: `127.0.0.1:${clusterPort}` });
    }
    plans.push({ id, clientPort, monitorPort, configFile });
  }
  return plans;
}

/** Whether the server's /healthz is ok (JetStream up and, clustered, in contact with a meta leader). */
export async function natsHealthy(monitorPort: number, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${monitorPort}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Routes a server has up (/routez), or -1 when it does not answer. */
async function natsRoutes(monitorPort: number, timeoutMs = 1000): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${monitorPort}/routez`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.json() as { num_routes?: unknown };
    return typeof body.num_routes === 'number' ? body.num_routes : -1;
  } catch {
    return -1;
  }
}

/**
 * Whether the cluster has healed, for the drain: every server healthy (/healthz) and routed to
 * every other (/routez). Polled in the background, because the drain asks synchronously.
 */
export class NatsHealth {
  private ok = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly monitorPorts: () => number[], private readonly everyMs = 500) {}

  start(): void {
    const poll = async () => {
      const ports = this.monitorPorts();
      const states = await Promise.all(ports.map(async (p) => (await natsHealthy(p)) && (ports.length === 1 || (await natsRoutes(p)) >= ports.length - 1)));
      this.ok = states.every(Boolean);
      if (this.timer) this.timer = setTimeout(() => void poll(), this.everyMs);
    };
    this.timer = setTimeout(() => void poll(), 0);
  }

  settled(): boolean {
    return this.ok;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

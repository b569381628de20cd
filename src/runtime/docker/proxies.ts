// The Toxiproxy layout of a docker cluster: one `clients:ID` proxy per node (published to the
// host) and one `link:A>B` proxy per ordered pair (reachable only on the cluster network), so
// every client connection and every node-to-node link can be cut or slowed through the API.
import { Toxiproxy } from 'toxiproxy-node-client';
import { clientProxyName, linkProxyName } from '../proxy-names';

export const NODE_PORT = 7000;               // every broker listens here inside its container
export const TOXIPROXY_ALIAS = 'toxiproxy';  // network alias of the proxy container
export const TOXIPROXY_API_PORT = 8474;
const CLIENT_PORT_BASE = 20000;              // clients:node-i listens on 20000+i-1 (published)
const LINK_PORT_BASE = 30000;                // links on 30000+k (container network only)

export interface PlannedProxy {
  name: string;
  listenPort: number;       // inside the proxy container
  upstream: string;         // host:port on the cluster network (node alias)
}

export interface ProxyPlan {
  clients: Record<string, PlannedProxy>;   // by node id
  links: Record<string, PlannedProxy>;     // by "A>B"
}

export function planProxies(nodeIds: string[]): ProxyPlan {
  const plan: ProxyPlan = { clients: {}, links: {} };
  nodeIds.forEach((id, i) => {
    plan.clients[id] = { name: clientProxyName(id), listenPort: CLIENT_PORT_BASE + i, upstream: `${id}:${NODE_PORT}` };
  });
  let k = 0;
  for (const from of nodeIds) {
    for (const to of nodeIds) {
      if (from === to) continue;
      plan.links[`${from}>${to}`] = { name: linkProxyName(from, to), listenPort: LINK_PORT_BASE + k++, upstream: `${to}:${NODE_PORT}` };
    }
  }
  return plan;
}

/** `--peers` for one node: every other node, reached through that node's link proxy. */
export function peersArg(nodeId: string, nodeIds: string[], plan: ProxyPlan): string {
  return nodeIds
    .filter((other) => other !== nodeId)
    .map((other) => `${other}=ws://${TOXIPROXY_ALIAS}:${plan.links[`${nodeId}>${other}`].listenPort}`)
    .join(',');
}

export const clientPorts = (plan: ProxyPlan): number[] => Object.values(plan.clients).map((p) => p.listenPort);

/** Creates every proxy of the plan, enabled, through the Toxiproxy API. */
export async function createProxies(apiUrl: string, plan: ProxyPlan): Promise<void> {
  const toxiproxy = new Toxiproxy(apiUrl);
  const all = [...Object.values(plan.clients), ...Object.values(plan.links)];
  await Promise.all(
    all.map((p) => toxiproxy.createProxy({ name: p.name, listen: `0.0.0.0:${p.listenPort}`, upstream: p.upstream })),
  );
}

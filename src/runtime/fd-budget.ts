// File-descriptor budget of the cluster's processes (src/capacity.ts checks a whole run). A
// proxied client costs 2 descriptors in the fault-proxy process that relays it and 1 in its
// broker node (and 1 in its load process: src/load/workers/driver-budget.ts). Computed
// BEFORE anything starts, so that a run that cannot fit fails at once with one line naming
// the process, the limit and the fix, instead of dying of EMFILE in the middle.
import { infraError } from '../util/errors';
import { clientsPerNode, MAX_NODES, nodeIds, type RuntimeKind } from '../contracts/scenario';
import { FD_CHURN, FD_RESERVE, limitNow, overLimit } from '../util/fd-limits';


export const proxyFds = (connections: number): number => Math.ceil(2 * connections * FD_CHURN) + FD_RESERVE;
/** A broker node: its clients, one outgoing and one incoming link per peer, its log file. */
export const brokerFds = (clients: number, peers: number): number => Math.ceil(clients * FD_CHURN) + 2 * peers + FD_RESERVE;

/** Most connections one fault-proxy process can relay under `limit`. */
export const connectionsPerProxy = (limit: number): number => Math.max(0, Math.floor((limit - FD_RESERVE) / (2 * FD_CHURN)));


/**
 * Which client proxies share a fault-proxy process: first-fit, biggest first. Process 0 also
 * holds the node-to-node links (one connection each). Returns node indexes per process; a
 * single run fits in one process unless its clients need more descriptors than the limit.
 */
export function planProxyProcesses(perNode: number[], links: number, limit: number): number[][] {
  const capacity = connectionsPerProxy(limit);
  const order = perNode.map((n, k) => ({ n, k })).sort((a, b) => b.n - a.n || a.k - b.k);
  const groups: Array<{ used: number; nodes: number[] }> = [{ used: links, nodes: [] }];
  for (const { n, k } of order) {
    const g = groups.find((x) => x.used + n <= capacity);
    if (g) {
      g.used += n;
      g.nodes.push(k);
    } else groups.push({ used: n, nodes: [k] }); // alone; checkFdBudget reports it if even that is too much
  }
  return groups.map((g) => g.nodes.sort((a, b) => a - b));
}





/** The fault proxy and (local runtime) the broker nodes. */
export function checkClusterFds(clients: number, nodes: number, runtime: RuntimeKind, limitIn?: number): void {
  if (runtime === 'docker') return;
  const limit = limitNow(limitIn);
  if (!Number.isFinite(limit)) return;
  const perNode = runtime === 'external' ? [clients] : clientsPerNode(clients, nodes);
  const busiest = Math.max(0, ...perNode);
  if (proxyFds(busiest) > limit) {
    throw infraError(
      runtime === 'external'
        ? `the fault proxy would relay ${clients} client connections in one process (about ${proxyFds(busiest)} file descriptors), ${overLimit(limit)}`
        : `${busiest} clients per node need about ${proxyFds(busiest)} file descriptors in that node's fault-proxy process, ${overLimit(limit)}`,
      runtime === 'external' ? 'use fewer clients, or raise the hard limit' : fewerClientsHint(clients, nodes, limit));
  }
  if (runtime === 'local' && brokerFds(busiest, nodes - 1) > limit) {
    throw infraError(`${busiest} clients per node need about ${brokerFds(busiest, nodes - 1)} file descriptors in a broker node, ${overLimit(limit)}`,
      fewerClientsHint(clients, nodes, limit));
  }
}

/**
 * Most clients a run can have under `limit` with `nodes` nodes: every node's share must fit
 * one fault-proxy process and (local) one broker node. Load processes are not the bound: their
 * number grows with the clients (defaultWorkers). Infinity for docker (own limits per container).
 */
export function maxClients(nodes: number, runtime: RuntimeKind, limitIn?: number): number {
  const limit = limitNow(limitIn);
  if (runtime === 'docker' || !Number.isFinite(limit)) return Infinity;
  const fits = (perNode: number) => proxyFds(perNode) <= limit && (runtime !== 'local' || brokerFds(perNode, nodes - 1) <= limit);
  let perNode = connectionsPerProxy(limit);
  while (perNode > 0 && !fits(perNode)) perNode--; // rounding: at most a few steps
  return runtime === 'external' ? perNode : perNode * nodes;
}

/** The hint for too many clients: more nodes only when a node count within MAX_NODES holds them. */
function fewerClientsHint(clients: number, nodes: number, limit: number): string {
  for (let n = nodes + 1; n <= MAX_NODES; n++) {
    if (maxClients(n, 'local', limit) >= clients) return `use more nodes (cluster.nodes: ${n} or more) or fewer clients`;
  }
  return `use at most ${maxClients(nodes, 'local', limit)} clients with ${nodes} node${nodes === 1 ? '' : 's'} (${maxClients(MAX_NODES, 'local', limit)} with cluster.nodes: ${MAX_NODES}), or raise the hard limit`;
}

/** The node ids of each fault-proxy process of a local cluster (see planProxyProcesses). */
export function proxyProcessNodes(nodeCount: number, clients: number, limit: number): string[][] {
  const ids = nodeIds(nodeCount);
  const links = nodeCount * (nodeCount - 1);
  return planProxyProcesses(clientsPerNode(clients, nodeCount), links, limit).map((g) => g.map((k) => ids[k]));
}

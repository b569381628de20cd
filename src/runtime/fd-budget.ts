// File-descriptor budget of a run. Every process of a local run has the same limit (spawned
// processes inherit it), and a proxied client costs 1 descriptor in the load process that
// runs it, 2 in the fault-proxy process that relays it and 1 in its broker node. Computed
// BEFORE anything starts, so that a run that cannot fit fails at once with one line naming
// the process, the limit and the fix, instead of dying of EMFILE in the middle.
import { readFileSync } from 'node:fs';
import { infraError } from '../errors';
import { nodeIds, type RuntimeKind } from '../scenario/types';

/** Descriptors a process needs besides its client sockets: stdio, IPC, libuv, logs, listeners. */
export const FD_RESERVE = 200;
/** Headroom for sockets still closing while their replacement opens (reconnect storms). */
export const FD_CHURN = 1.05;

export interface FdLimits { soft: number; hard: number }

/** This process's RLIMIT_NOFILE from /proc/self/limits; null where that file does not exist. */
export function readFdLimits(): FdLimits | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return null;
  }
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!m) return null;
  const num = (v: string) => (v === 'unlimited' ? Infinity : Number(v));
  return { soft: num(m[1]), hard: num(m[2]) };
}

/**
 * The open-files limit of this process and of every process it starts. Node raises its soft
 * limit to the hard one at startup (and children inherit), so this is in effect the hard
 * limit, which only root can raise (ulimit -Hn, limits.conf, docker --ulimit nofile=…).
 */
export const fdLimit = (): number => readFdLimits()?.soft ?? Infinity;

export const driverFds = (clients: number): number => Math.ceil(clients * FD_CHURN) + FD_RESERVE;
export const proxyFds = (connections: number): number => Math.ceil(2 * connections * FD_CHURN) + FD_RESERVE;
/** A broker node: its clients, one outgoing and one incoming link per peer, its log file. */
export const brokerFds = (clients: number, peers: number): number => Math.ceil(clients * FD_CHURN) + 2 * peers + FD_RESERVE;

/** Most clients one load process can run under `limit`. */
export const clientsPerDriver = (limit: number): number => Math.max(0, Math.floor((limit - FD_RESERVE) / FD_CHURN));
/** Most connections one fault-proxy process can relay under `limit`. */
export const connectionsPerProxy = (limit: number): number => Math.max(0, Math.floor((limit - FD_RESERVE) / (2 * FD_CHURN)));

/** Clients per node, as planClients() assigns them (client i → node i mod nodes). */
export function clientsPerNode(clients: number, nodes: number): number[] {
  return Array.from({ length: nodes }, (_, k) => Math.floor(clients / nodes) + (k < clients % nodes ? 1 : 0));
}

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

export interface FdCheckInput {
  clients: number;
  workers: number;             // load processes (1 = the chat-bench process itself)
  nodes: number;
  runtime: RuntimeKind;
  /** default: fdLimit() */
  limit?: number;
}

const limitNow = (limit?: number): number => limit ?? fdLimit();
const overLimit = (limit: number): string => `over the open-files limit of ${limit} (ulimit -n; hard limit ${readFdLimits()?.hard ?? 'unknown'})`;

/**
 * Throws an infrastructure error (exit 3), one line, for the first process of the run that
 * would need more descriptors than the limit: a load process, a fault-proxy process or a
 * broker node. Docker containers have their own limits: there only load processes count.
 */
export function checkFdBudget(input: FdCheckInput): void {
  checkDriverFds(input.clients, input.workers, input.limit);
  checkClusterFds(input.clients, input.nodes, input.runtime, input.limit);
}

/** The load processes: `clients` spread over `workers` processes. */
export function checkDriverFds(clients: number, workers: number, limitIn?: number): void {
  const limit = limitNow(limitIn);
  if (!Number.isFinite(limit)) return;
  const perWorker = Math.ceil(clients / Math.max(1, workers));
  if (driverFds(perWorker) <= limit) return;
  const need = Math.ceil(clients / Math.max(1, clientsPerDriver(limit)));
  throw infraError(
    `${clients} clients in ${workers} load process${workers === 1 ? '' : 'es'} need about ${driverFds(perWorker)} file descriptors per process, ${overLimit(limit)}`,
    `run with --workers ${need} or more, or fewer clients`);
}

/** The fault proxy and (local runtime) the broker nodes. */
export function checkClusterFds(clients: number, nodes: number, runtime: RuntimeKind, limitIn?: number): void {
  if (runtime === 'docker') return;
  const limit = limitNow(limitIn);
  if (!Number.isFinite(limit)) return;
  const perNode = runtime === 'external' ? [clients] : clientsPerNode(clients, nodes);
  const busiest = Math.max(0, ...perNode);
  if (proxyFds(busiest) > limit) {
    const nodesNeeded = Math.ceil(clients / Math.max(1, connectionsPerProxy(limit)));
    throw infraError(
      runtime === 'external'
        ? `the fault proxy would relay ${clients} client connections in one process (about ${proxyFds(busiest)} file descriptors), ${overLimit(limit)}`
        : `${busiest} clients per node need about ${proxyFds(busiest)} file descriptors in that node's fault-proxy process, ${overLimit(limit)}`,
      runtime === 'external' ? 'use fewer clients, or raise the hard limit' : `use more nodes (cluster.nodes: ${nodesNeeded} or more) or fewer clients`);
  }
  if (runtime === 'local' && brokerFds(busiest, nodes - 1) > limit) {
    throw infraError(`${busiest} clients per node need about ${brokerFds(busiest, nodes - 1)} file descriptors in a broker node, ${overLimit(limit)}`,
      `use more nodes (cluster.nodes: ${Math.ceil(clients / Math.max(1, clientsPerDriver(limit)))} or more) or fewer clients`);
  }
}

/** The node ids of each fault-proxy process of a local cluster (see planProxyProcesses). */
export function proxyProcessNodes(nodeCount: number, clients: number, limit: number): string[][] {
  const ids = nodeIds(nodeCount);
  const links = nodeCount * (nodeCount - 1);
  return planProxyProcesses(clientsPerNode(clients, nodeCount), links, limit).map((g) => g.map((k) => ids[k]));
}

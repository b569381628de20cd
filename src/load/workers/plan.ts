// How the clients of a run are spread over load processes, and over loopback source
// addresses: pure functions of the plan, so the same scenario splits the same way.
import { availableParallelism } from 'node:os';
import type { ClientPlan } from '../assignment';
import { clientsPerNode } from '../../contracts/scenario';
import { clientsPerDriver } from './driver-budget';

/** From this many clients on, a run without --workers uses several processes. */
export const AUTO_WORKERS_FROM = 5000;
/**
 * Connections per (source address → destination address:port) before the ephemeral port
 * range (net.ipv4.ip_local_port_range, 28,232 ports by default) gets tight; reconnects need
 * spare ports while old ones sit in TIME_WAIT.
 */
export const CLIENTS_PER_SOURCE_ADDRESS = 20_000;

/**
 * Default number of load processes: 1 (the chat-bench process itself) below
 * AUTO_WORKERS_FROM clients; above, one per core but one (left to the brokers and the fault
 * proxy), and at least as many as the open-files limit requires.
 */
export function defaultWorkers(clients: number, cores = availableParallelism(), fdLimit = Infinity): number {
  if (clients < AUTO_WORKERS_FROM) return 1;
  const byFds = Number.isFinite(fdLimit) ? Math.ceil(clients / Math.max(1, clientsPerDriver(fdLimit))) : 1;
  return Math.max(1, cores - 1, byFds);
}

/**
 * Client i goes to worker i mod N: each client (so each of its subscriber streams) lives in
 * exactly one worker, and every worker gets its share of publishers, nodes and ramp slots.
 */
export function splitPlans(plans: ClientPlan[], workers: number): ClientPlan[][] {
  const out: ClientPlan[][] = Array.from({ length: workers }, () => []);
  plans.forEach((p, i) => out[i % workers].push(p));
  return out;
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Source addresses 127.0.0.1 … 127.0.0.k when a node gets more clients than one address has
 * ports for, and every node URL is a 127.x literal (the whole 127/8 is local on Linux: no
 * setup needed). [] otherwise = let the OS choose.
 */
export function localAddressesFor(nodeUrls: string[], clients: number): string[] {
  const busiest = Math.max(0, ...clientsPerNode(clients, Math.max(1, nodeUrls.length)));
  const k = Math.ceil(busiest / CLIENTS_PER_SOURCE_ADDRESS);
  if (k <= 1) return [];
  if (!nodeUrls.every((u) => LOOPBACK_V4.test(new URL(u).hostname))) return [];
  return Array.from({ length: k }, (_, i) => `127.0.0.${i + 1}`);
}

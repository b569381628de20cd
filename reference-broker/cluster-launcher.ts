// N nodes in ONE process, linked to each other directly (no proxy): `chat-bench broker
// --nodes 3` and tests use it. Ports are bound first, so links know every real port.
import { join } from 'node:path';
import { usageError } from '../src/errors';
import { nodeIds } from '../src/scenario/types';
import { DEFAULTS } from './options';
import type { BrokerFaultMode, FaultSpec } from './options';
import { BrokerNodeImpl } from './server';
import type { BrokerNode } from './server';

export interface BrokerClusterOptions {
  nodes: number;
  host?: string;                // default 127.0.0.1
  basePort?: number;            // node-i listens on basePort + i - 1; 0 or absent: any free ports
  dataDir?: string;             // node-i logs to dataDir/node-i; default: memory only
  fault?: FaultSpec | BrokerFaultMode; // a mode alone uses faultRate (default 0.05)
  faultRate?: number;
  history?: number;
  historySeconds?: number;
  log?: (line: string) => void;
}

export interface BrokerCluster {
  urls: string[];               // ws:// URL of node-1 … node-N, in order
  nodes: BrokerNode[];
  close(): Promise<void>;
}

export async function runBrokerCluster(opts: BrokerClusterOptions): Promise<BrokerCluster> {
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1) throw usageError(`--nodes must be an integer >= 1, got ${opts.nodes}`);
  const ids = nodeIds(opts.nodes);
  const fault: FaultSpec | undefined = typeof opts.fault === 'string'
    ? { mode: opts.fault, rate: opts.faultRate ?? DEFAULTS.faultRate }
    : opts.fault;
  const nodes = ids.map((id, i) => new BrokerNodeImpl({
    id,
    host: opts.host,
    port: opts.basePort ? opts.basePort + i : 0,
    peers: ids.filter((p) => p !== id).map((p) => ({ id: p, url: '' })), // URLs once every port is bound
    dataDir: opts.dataDir === undefined ? undefined : join(opts.dataDir, id),
    fault,
    history: opts.history,
    historySeconds: opts.historySeconds,
    log: opts.log,
  }));
  const close = async () => { await Promise.all(nodes.map((n) => n.close())); };
  try {
    for (const node of nodes) await node.listen();
  } catch (err) {
    await close();
    throw err;
  }
  const urls = nodes.map((n) => n.url);
  for (const node of nodes) node.connectPeers(nodes.filter((p) => p !== node).map((p) => ({ id: p.id, url: p.url })));
  return { urls, nodes, close };
}

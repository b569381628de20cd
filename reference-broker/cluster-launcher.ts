// N nodes in ONE process, linked to each other directly (no proxy): `chat-bench broker
// --nodes 3` and tests use it. Ports are bound first, so links know every real port.
import { join } from 'node:path';
import { usageError } from '../src/util/errors';
import { DEFAULTS } from './options';
import type { BrokerMisbehaviour, MisbehaviourMode } from './misbehaviour';
import { BrokerNodeImpl } from './server';
import type { BrokerNode } from './server';

export interface BrokerClusterOptions {
  nodes: number;
  host?: string;                // default 127.0.0.1
  basePort?: number;            // node-i listens on basePort + i - 1; 0 or absent: any free ports
  dataDir?: string;             // node-i logs to dataDir/node-i; default: memory only
  misbehaviour?: BrokerMisbehaviour | MisbehaviourMode; // a mode alone uses misbehaviourRate (default 0.05)
  misbehaviourRate?: number;
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
  const ids = Array.from({ length: opts.nodes }, (_, i) => `node-${i + 1}`);
  const misbehaviour: BrokerMisbehaviour | undefined = typeof opts.misbehaviour === 'string'
    ? { mode: opts.misbehaviour, rate: opts.misbehaviourRate ?? DEFAULTS.misbehaviourRate }
    : opts.misbehaviour;
  const nodes = ids.map((id, i) => new BrokerNodeImpl({
    id,
    host: opts.host,
    port: opts.basePort ? opts.basePort + i : 0,
    peers: ids.filter((p) => p !== id).map((p) => ({ id: p, url: '' })), // URLs once every port is bound
    dataDir: opts.dataDir === undefined ? undefined : join(opts.dataDir, id),
    misbehaviour,
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

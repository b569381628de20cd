// What a broker node is configured with, and the defaults that fill in what the caller left out.
import { DEFAULT_RECONNECT, type BackoffPolicy } from '../src/util/backoff';
import type { BrokerMisbehaviour } from './misbehaviour';

export interface PeerSpec { id: string; url: string }

export interface BrokerNodeOptions {
  id?: string;                 // default node-1
  host?: string;               // default 127.0.0.1
  port?: number;               // default 0 (any free port)
  peers?: PeerSpec[];          // the other nodes; URLs may point at a fault proxy
  dataDir?: string;            // append-only log here; absent = memory only
  history?: number;            // messages kept per channel (default 10000)
  historySeconds?: number;     // age limit of history (default 3600)
  /** Idempotency keys per channel: a key is forgotten once outside the last dedupeKeys AND older than dedupeSeconds. */
  dedupeKeys?: number;         // default 10000 (never fewer than history)
  dedupeSeconds?: number;      // default 300
  maxFrameBytes?: number;      // larger client frames get err too_large (default 65536)
  misbehaviour?: BrokerMisbehaviour;           // checker-proving misbehaviour; absent = correct broker
  /** Diagnostics (link up/down, log recovery). Default: silent. The CLI writes them to stderr. */
  log?: (line: string) => void;
  /** Node-to-node link tuning; tests shorten these. */
  linkReconnect?: BackoffPolicy;
  linkPingMs?: number;         // default 5000
  linkTimeoutMs?: number;      // default 10000: no pong for this long = dead link
  /** How long a mirror stays subscribed upstream after its last local subscriber left. */
  mirrorLingerMs?: number;     // default 30000
  /** Bounds that keep one connection from holding the node's memory or a socket forever. */
  maxSubsPerConnection?: number; // default 10000: more gets err rate_limited naming the channel
  maxBufferedBytes?: number;     // default 64 MiB unsent to one connection: closed 4008 "slow consumer"
  /** Socket.IO's defaults: at 40,000 clients a 10 s ping was 4,000 pings and pongs a second through the proxy. */
  clientPingMs?: number;         // default 25000: the node pings every connection this often
  clientTimeoutMs?: number;      // default 20000: no pong for this long: closed 4009 "heartbeat timeout"
}

export type ResolvedOptions = Required<Omit<BrokerNodeOptions, 'dataDir' | 'misbehaviour'>> & Pick<BrokerNodeOptions, 'dataDir' | 'misbehaviour'>;

export const DEFAULTS = {
  id: 'node-1', host: '127.0.0.1', port: 0, history: 10000, historySeconds: 3600, dedupeKeys: 10000, dedupeSeconds: 300, maxFrameBytes: 65536,
  misbehaviourRate: 0.05, linkPingMs: 5000, linkTimeoutMs: 10000, mirrorLingerMs: 30000,
  maxSubsPerConnection: 10000, maxBufferedBytes: 64 * 1024 * 1024, clientPingMs: 25000, clientTimeoutMs: 20000,
} as const;

export function resolveOptions(o: BrokerNodeOptions): ResolvedOptions {
  return {
    id: o.id ?? DEFAULTS.id,
    host: o.host ?? DEFAULTS.host,
    port: o.port ?? DEFAULTS.port,
    peers: o.peers ?? [],
    dataDir: o.dataDir,
    history: o.history ?? DEFAULTS.history,
    historySeconds: o.historySeconds ?? DEFAULTS.historySeconds,
    dedupeKeys: o.dedupeKeys ?? DEFAULTS.dedupeKeys,
    dedupeSeconds: o.dedupeSeconds ?? DEFAULTS.dedupeSeconds,
    maxFrameBytes: o.maxFrameBytes ?? DEFAULTS.maxFrameBytes,
    misbehaviour: o.misbehaviour,
    log: o.log ?? (() => {}),
    linkReconnect: o.linkReconnect ?? DEFAULT_RECONNECT,
    linkPingMs: o.linkPingMs ?? DEFAULTS.linkPingMs,
    linkTimeoutMs: o.linkTimeoutMs ?? DEFAULTS.linkTimeoutMs,
    mirrorLingerMs: o.mirrorLingerMs ?? DEFAULTS.mirrorLingerMs,
    maxSubsPerConnection: o.maxSubsPerConnection ?? DEFAULTS.maxSubsPerConnection,
    maxBufferedBytes: o.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
    clientPingMs: o.clientPingMs ?? DEFAULTS.clientPingMs,
    clientTimeoutMs: o.clientTimeoutMs ?? DEFAULTS.clientTimeoutMs,
  };
}

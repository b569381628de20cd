// The scenario AFTER loading: every default filled in, every duration in milliseconds,
// every rate in messages per second. The YAML/JSON shape is in DESIGN.md; src/scenario/load.ts
// turns one into the other and names the field of anything it refuses.

import type { BrokerMisbehaviour } from '../../reference-broker/misbehaviour';
import type { BackoffPolicy } from '../util/backoff';
import type { AuthSpec, TlsSpec } from './connection';
import type { Guarantee, ResumeMode } from './metrics';

export type RuntimeKind = 'local' | 'docker' | 'external';
/** The system under test: chat-bench's reference broker or a real system installed on the machine. */
export const SYSTEMS = ['reference', 'nats', 'redis', 'mosquitto'] as const;
export type SystemKind = (typeof SYSTEMS)[number];
/** How a subscription continues after a reconnect (src/adapters/types.ts). */
export type { ResumeMode } from './metrics';

/** cluster.tls and cluster.auth (src/contracts/connection.ts). */
export { JWT_ALGORITHMS, type AuthSpec, type JwtAlgorithm, type JwtSpec, type TlsSpec } from './connection';

export interface ClusterSpec {
  runtime: RuntimeKind;
  nodes: number;               // local/docker: nodes to start (default 3); external: urls.length
  durable: boolean;            // keep an append-only log per node (default true)
  history: number;             // messages of history per channel (default 10000)
  historySeconds: number;      // age limit of history, seconds (default 3600)
  urls: string[];              // external only: URL of each node (scheme of the adapter)
  /**
   * external only: the API URL of a Toxiproxy-compatible fault proxy the urls already go
   * through (proxy clients:node-K listening where urls[K-1] points). chat-bench then starts no
   * proxy of its own and drives faults through this one, so every shard's clients feel them.
   */
  faultProxy?: string;
  system?: SystemKind;         // default reference
  adapter?: string;            // default: the system's own (v1 for reference); or a plug-in's path as written
  adapterModule?: string;      // a plug-in adapter (external only): the module's absolute path
  adapterOptions?: Record<string, unknown>;
  resume?: ResumeMode;         // default: what the adapter can do
  misbehaviour?: BrokerMisbehaviour; // reference broker misbehaving on purpose (proving the checker)
  nodeImage?: string;          // docker only
  toxiproxyImage?: string;     // docker only
  /** external only: host name → address (IP, or IP:port) its connections go to; the name stays the TLS name and Host */
  hosts?: Record<string, string>;
  /** external only: TLS of wss:// targets (an extra CA; or no verification at all) */
  tls?: TlsSpec;
  /** per-connection credentials, templates filled per client (src/adapters/credentials.ts) */
  auth?: AuthSpec;
}

/** Defaults: 100 ms initial, 5 s max, multiplier 2, full jitter. */
export type ReconnectSpec = BackoffPolicy;

export interface ClientsSpec {
  count: number;
  rampUpMs: number;
  channels: number;
  subscriptionsPerClient: number;
  publishers: number;          // the first `publishers` clients also publish
  publishRate: number;         // messages per second, per publisher (open-loop)
  payloadBytes: number;        // size of the envelope's padding target
  reconnect: ReconnectSpec;
  heartbeat: { intervalMs: number; timeoutMs: number };
  /** how random subscriptions pick channels (absent: uniform) */
  channelDistribution?: ChannelDistribution;
  /** extra channels with a fixed number of subscribers each (big rooms beside small ones) */
  rooms?: RoomSpec[];
  /** clients in groups with their own counts and rates; count and publishers are then their sums */
  groups?: ClientGroupSpec[];
  /** the top-level `stages:`: connected clients ramp linearly to each stage's target (from 0) */
  stages?: StageSpec[];
  /** the top-level `churn:`, normalised */
  churn?: ChurnSpec;
}

export interface StageSpec {
  durationMs: number;
  clients: number;
  /** per publisher, messages per second reached at the stage's end (linear from the previous stage's, the first from clients.publishRate); absent when no stage gives one */
  publishRate?: number;
}

/**
 * The top-level `churn:`. Without `session`: subscribe-only clients leave and fresh ones take
 * their place one for one. With `session`: an open model, clients join at the rate and each
 * stays for a drawn session length (docs/scenario-format.md "churn").
 */
export interface ChurnSpec {
  ratePerSecond: number;       // joins per second (without session: leaves, each followed at once by a join)
  fromMs: number;              // first leave / join: when the ramp is over
  untilMs: number;             // no leave or join from here on: the end of publishing
  /** how long a client stays connected; absent: the one-for-one model */
  session?: SessionSpec;
  /** with session: joins evenly spaced (default) or a Poisson process of the same rate */
  arrivals?: ChurnArrivals;
  /** with session: a leaver comes back as itself and resumes (true), or never comes back (false, default) */
  resume?: boolean;
  /** with resume: the least time a leaver stays away before it takes a join slot */
  awayMs?: number;
}

export const SESSION_DISTRIBUTIONS = ['fixed', 'exponential', 'uniform', 'lognormal'] as const;
export type SessionDistribution = (typeof SESSION_DISTRIBUTIONS)[number];
export const CHURN_ARRIVALS = ['even', 'poisson'] as const;
export type ChurnArrivals = (typeof CHURN_ARRIVALS)[number];
/** The widest lognormal churn.session.sigma: beyond it a few sessions outlast any run and the mean is never seen. */
export const MAX_SESSION_SIGMA = 3;

/** `churn.session`, normalised: every distribution has its mean; uniform its bounds; lognormal its sigma. */
export interface SessionSpec {
  distribution: SessionDistribution;
  meanMs: number;
  minMs?: number;              // uniform: lower bound (mean − 50 % unless written)
  maxMs?: number;              // uniform: upper bound (mean + 50 % unless written)
  sigma?: number;              // lognormal: standard deviation of the log (default 1)
}

/** zipf(s): channel k (1-based) is picked with probability k^-s / sum over j of j^-s. */
export type ChannelDistribution = { kind: 'uniform' } | { kind: 'zipf'; s: number };

export interface RoomSpec {
  channels: number;            // how many rooms of this size
  subscribers: number;         // distinct clients subscribed to each
  publishers: number;          // of those, how many publish into it (clients that publish nowhere else)
}

export interface ClientGroupSpec {
  name: string;
  count: number;
  subscriptionsPerClient: number;
  publishers: number;          // the first `publishers` clients of the group publish
  publishRate: number;         // per publisher of this group, messages per second
}

export type FaultTarget =
  | { kind: 'clients'; node: string }          // clients:NODE, or node '*' for every client proxy
  | { kind: 'link'; from: string; to: string } // link:A>B, or from/to '*' for every link
  | { kind: 'node'; node: string };            // node:NODE (process faults)

/** Every Toxiproxy 2.x toxic a scenario may name (src/scenario/toxics.ts has their attributes). */
export const TOXIC_TYPES = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data'] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];
/** Injected faults that are not toxics: a proxy down, a partition, process faults. */
export const FAULT_ACTIONS = ['down', 'partition', 'kill', 'pause', 'restart'] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

export interface FaultSpec {
  atMs: number;
  forMs?: number;              // undefined: until the end of the run (or instantaneous for kill/restart)
  target?: FaultTarget;        // absent only for action partition (which uses `nodes`)
  toxic?: ToxicType;
  attributes?: Record<string, number>;
  stream?: 'upstream' | 'downstream' | 'both'; // default downstream (as Toxiproxy)
  toxicity?: number;           // 0..1, default 1
  action?: FaultAction;
  nodes?: string[];            // partition: the nodes cut off from the rest
  restartAfterMs?: number;     // kill/pause: bring the node back after this long
}

/** What a random nemesis may inject (docs/scenario-format.md "Random faults"). */
export const RANDOM_FAULT_KINDS = ['latency', 'bandwidth', 'slicer', 'reset_peer', 'timeout', 'limit_data', 'down', 'partition', 'kill', 'pause'] as const;
export type RandomFaultKind = (typeof RANDOM_FAULT_KINDS)[number];

/** `faults: { random: { seed, every, maxFor, kinds } }` after loading. */
export interface RandomFaultsSpec {
  seed: number;                // default: the scenario's seed
  everyMs: number;             // mean pause between one fault's end and the next one's start
  maxForMs: number;            // the longest a generated fault lasts
  kinds: RandomFaultKind[];
}

/** Threshold as written: metric name, optional tags, the raw condition. */
export interface ThresholdSpec {
  expression: string;          // the key as written, e.g. "latency.p99{phase:steady}"
  condition: string;           // e.g. "< 100ms"
}

export interface Scenario {
  name: string;
  description?: string;
  cluster: ClusterSpec;
  clients: ClientsSpec;
  durationMs: number;          // publishing time, after ramp-up starts
  drainMs: number;             // default 10000
  recoveryMs: number;          // the longest a "recovery" phase lasts after a fault ends (default 30000; it ends earlier when back within the baseline)
  faults: FaultSpec[];         // hand-written and generated, in start order
  /** The random nemesis as written (`faults: { random: … }`), if any. */
  randomFaults?: RandomFaultsSpec;
  /** The faults the random nemesis generated, as a user could paste them under `faults:`. */
  generatedFaults?: Array<Record<string, unknown>>;
  thresholds: ThresholdSpec[];
  guarantee: Guarantee;        // what the target promises (default exactly-once-ordered)
  seed: number;                // default 1
  sourcePath?: string;
}

/** The most nodes a cluster may have (local, docker) or list (external). */
export const MAX_NODES = 16;

/** Node ids are node-1 … node-N (DESIGN.md's example targets). */
export const nodeIds = (n: number): string[] => Array.from({ length: n }, (_, i) => `node-${i + 1}`);

/** Clients per node, as planClients() assigns them (client i → node i mod nodes). */
export function clientsPerNode(clients: number, nodes: number): number[] {
  return Array.from({ length: nodes }, (_, k) => Math.floor(clients / nodes) + (k < clients % nodes ? 1 : 0));
}

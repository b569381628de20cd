// The IPC messages between the WorkerEngine (parent) and its worker processes. One worker
// runs a disjoint subset of the clients; the parent relays the run's events to every worker
// and merges what they recorded.
import type { AdapterConfig } from '../../adapters/types';
import type { ClientsSpec } from '../../contracts/scenario';
import type { LedgerSnapshot } from '../../verify/snapshot';
import type { ClientPlan } from '../assignment';
import type { LiveStats } from '../engine';

export interface WorkerSetup {
  index: number;               // 0-based, for messages and the worker's RNG stream
  spec: ClientsSpec;
  plans: ClientPlan[];         // this worker's clients only
  nodeUrls: string[];
  seed: number;
  publishers: string[];        // every publisher of the run, in every worker
  localAddresses: string[];    // source addresses to spread connections over; [] = OS default
  adapter?: AdapterConfig;
  publishForMs?: number;       // the publishing period in run time (EngineSetup.publishForMs)
}

export type ToWorker =
  | { t: 'init'; setup: WorkerSetup }
  /** The run start as epoch ms: each worker turns it into its own performance.now() value. */
  | { t: 'start'; runStartEpochMs: number }
  | { t: 'stopPublishing'; atRunMs: number }
  | { t: 'isQuiet'; id: number; quietMs: number }
  | { t: 'finish' }
  | { t: 'stop' };

export type FromWorker =
  | { t: 'ready' }
  /** buckets: the scheduled seconds whose latency buckets changed since the last push (cumulative counts) */
  | { t: 'stats'; stats: LiveStats; lastSecondP99: number | null; buckets: Array<[number, number[]]> }
  | { t: 'quiet'; id: number; quiet: boolean }
  | { t: 'result'; snapshot: LedgerSnapshot; histograms: Record<string, string>; stats: LiveStats }
  | { t: 'error'; message: string }
  /** a client was refused for good (certificate, credentials): the run stops with this line, exit 3 */
  | { t: 'fatal'; reason: string; hint: string };

/** How often a worker pushes its counters (the parent samples once a second; fresher is smoother). */
export const STATS_PUSH_MS = 200;

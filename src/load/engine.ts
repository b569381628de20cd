// Where the virtual clients run. The run loop talks to a LoadEngine only, so clients can live
// in this process (InProcessEngine) or be split across worker processes (see workers/), with
// the same results: every worker's ledger snapshot and encoded histograms merge exactly.
import type { AdapterConfig } from '../adapters/types';
import type { ClientsSpec } from '../contracts/scenario';
import { fillerFor } from '../protocol/envelope';
import { IntegrityLedger } from '../verify/ledger';
import { LatencyRecorder } from '../verify/latency';
import type { LedgerSnapshot } from '../verify/snapshot';
import type { BucketSeconds } from '../verify/latency-buckets';
import type { ClientPlan } from './assignment';
import { LoadDriver } from './driver';
import type { DriverStats } from './stats';
import { infraError, type UserError } from '../util/errors';

type DriverCounters = Pick<DriverStats, 'connected' | 'maxConnected' | 'connects' | 'reconnects' | 'disconnects' |
  'connectFailures' | 'heartbeatTimeouts' | 'leaves' | 'returns' | 'scheduled' | 'published' | 'retries' | 'acked' | 'deliveries' | 'publishErrors'>;

export type LiveStats = DriverCounters & {
  /** holes in the streams so far (IntegrityLedger.holesSoFar): the live "lost so far" */
  holes: number;
};

export interface EngineSetup {
  spec: ClientsSpec;
  plans: ClientPlan[];
  nodeUrls: string[];
  seed: number;
  /** every publisher id of the run (a worker must know other workers' publishers are real) */
  publishers: string[];
  /** what the clients speak; default protocol v1 */
  adapter?: AdapterConfig;
  /** the publishing period in run time (ms): nothing is scheduled from then on, however late stopPublishing comes */
  publishForMs?: number;
}

export interface EngineResult {
  snapshots: LedgerSnapshot[];
  latency: LatencyRecorder;     // merged over workers; seconds counted from the run start
  stats: LiveStats;
}

export interface LoadEngine {
  readonly workers: number;
  /** Starts the ramp. `t0` is the run start on this process's performance.now() clock. */
  start(t0: number): Promise<void>;
  /** End of publishing at run time `atRunMs` (ms since t0); never later than setup.publishForMs. */
  stopPublishing(atRunMs: number): void;
  /** Counters summed over all clients (at most about a second old with workers). */
  stats(): LiveStats;
  /** p99 (µs) of the last completed second, or null. */
  lastSecondP99(): number | null;
  /** Delivery latencies so far in fixed buckets, per scheduled second, over all clients (live export; at most about a second old with workers). */
  latencyBuckets(): BucketSeconds;
  /** See LoadDriver.isQuiet. */
  isQuiet(quietMs: number): Promise<boolean>;
  /** Stops every client and hands over what they recorded. */
  finish(): Promise<EngineResult>;
  /** Stops everything (idempotent; for errors and Ctrl-C). */
  stop(): Promise<void>;
}

export function copyStats(s: DriverCounters & { holes?: number }): LiveStats {
  return {
    connected: s.connected, maxConnected: s.maxConnected, connects: s.connects, reconnects: s.reconnects,
    disconnects: s.disconnects, connectFailures: s.connectFailures, heartbeatTimeouts: s.heartbeatTimeouts,
    leaves: s.leaves, returns: s.returns,
    scheduled: s.scheduled, published: s.published, retries: s.retries, acked: s.acked, deliveries: s.deliveries, publishErrors: s.publishErrors,
    holes: s.holes ?? 0,
  };
}

/** All clients in this process: the default, and what each worker process runs inside. */
export class InProcessEngine implements LoadEngine {
  readonly workers = 1;
  private readonly ledger: IntegrityLedger;
  private latency: LatencyRecorder | null = null;
  private driver: LoadDriver | null = null;

  /** `onFailure`: a client was refused for good (certificate, credentials); the run stops, exit 3 */
  constructor(private readonly setup: EngineSetup, private readonly onFailure?: (err: UserError) => void) {
    this.ledger = new IntegrityLedger({ publishers: setup.publishers, filler: fillerFor(setup.spec.payloadBytes) });
  }

  async start(t0: number): Promise<void> {
    this.latency = new LatencyRecorder(t0);
    const s = this.setup;
    this.driver = new LoadDriver({
      spec: s.spec, plans: s.plans, nodeUrls: s.nodeUrls, ledger: this.ledger, latency: this.latency, seed: s.seed, adapter: s.adapter, publishForMs: s.publishForMs,
      onFatal: (reason, hint) => this.onFailure?.(infraError(reason, hint)),
    });
    this.driver.start(t0);
  }

  stopPublishing(atRunMs: number): void { this.driver?.stopPublishing(atRunMs); }
  stats(): LiveStats { return { ...copyStats(this.driver!.stats), holes: this.ledger.holesSoFar() }; }
  lastSecondP99(): number | null { return this.latency?.lastSecondP99() ?? null; }
  latencyBuckets(): BucketSeconds { return this.latency?.buckets.seconds ?? new Map(); }
  async isQuiet(quietMs: number): Promise<boolean> { return this.driver?.isQuiet(quietMs) ?? true; }

  async finish(): Promise<EngineResult> {
    this.driver!.stop();
    return { snapshots: [this.ledger.snapshot()], latency: this.latency!, stats: this.stats() };
  }

  async stop(): Promise<void> { this.driver?.stop(); }
}

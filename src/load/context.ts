// What every virtual client of one driver shares: the scenario's client settings, the
// integrity ledger and latency recorder it reports to, one scheduler, one RNG, the stats.
import type { ClientsSpec } from '../contracts/scenario';
import type { IntegrityLedger } from '../verify/ledger';
import type { LatencyRecorder } from '../verify/latency';
import type { Random } from './random';
import type { RateCurve } from './rate-curve';
import type { Scheduler } from './timer-heap';
import type { DriverStats } from './stats';

export interface LoadContext {
  spec: ClientsSpec;
  ledger: IntegrityLedger;
  latency: LatencyRecorder;
  scheduler: Scheduler;
  random: Random;
  stats: DriverStats;
  /** what every published padding ends with (protocol/envelope fillerFor) */
  filler: string;
  /** ms on the performance.now() clock */
  now: () => number;
  /** the run's time zero on the `now` clock: publish schedules are fixed on it */
  runStartMs: number;
  /**
   * Run time (ms since runStartMs) from which no message is scheduled: the end of the publishing
   * period (Infinity until stopPublishing says). Queued messages still go out after it.
   */
  publishEndRunMs: number;
  /** resend a publish that got no ack after this long (same idempotency key) */
  ackTimeoutMs: number;
  /** a client was refused for good (AdapterEvents.rejected): the run must stop, exit 3 */
  fatal: (reason: string, hint: string) => void;
  /** stages with publish rates: every publisher's rate over run time (null: clients.publishRate throughout) */
  rateCurve: RateCurve | null;
}

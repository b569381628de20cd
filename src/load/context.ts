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
  /** false once the publishing period is over: queued messages still go out, no new ones are scheduled */
  publishing: boolean;
  /** resend a publish that got no ack after this long (same idempotency key) */
  ackTimeoutMs: number;
  /** stages with publish rates: every publisher's rate over time (null: clients.publishRate throughout) */
  rateCurve: RateCurve | null;
  /** the start of the ramp (time zero of stages), on the now() clock; set by LoadDriver.start */
  rampStartMs: number;
}

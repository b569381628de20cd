// The load driver: creates the virtual clients of a plan, ramps them up, keeps them alive
// (heartbeats, publish retries) with one housekeeping sweep, stops publishing on time and
// tells when the system has gone quiet during the drain.
import type { ClientsSpec } from '../contracts/scenario';
import { fillerFor } from '../protocol/envelope';
import type { IntegrityLedger } from '../verify/ledger';
import type { LatencyRecorder } from '../verify/latency';
import type { ClientPlan } from './assignment';
import { VirtualClient } from './client';
import type { LoadContext } from './context';
import { seededRandom } from './random';
import { Scheduler } from './timer-heap';
import { DriverStats } from './stats';

const HOUSEKEEPING_MS = 100;
const DEFAULT_ACK_TIMEOUT_MS = 3000;

export interface DriverOptions {
  spec: ClientsSpec;
  plans: ClientPlan[];
  nodeUrls: string[];
  ledger: IntegrityLedger;
  latency: LatencyRecorder;
  seed: number;
  localAddresses?: string[];
  ackTimeoutMs?: number;
}

export class LoadDriver {
  readonly stats = new DriverStats();
  readonly clients: VirtualClient[];
  private readonly ctx: LoadContext;
  private readonly scheduler: Scheduler;
  private housekeeping: NodeJS.Timeout | null = null;
  private lastDeliveryCount = 0;
  private lastDeliveryChangeMs = 0;

  constructor(private readonly opts: DriverOptions) {
    const now = () => performance.now();
    this.scheduler = new Scheduler(now);
    const localAddresses = opts.localAddresses ?? [];
    this.ctx = {
      spec: opts.spec,
      ledger: opts.ledger,
      latency: opts.latency,
      scheduler: this.scheduler,
      random: seededRandom(opts.seed ^ 0x5bd1e995),
      stats: this.stats,
      filler: fillerFor(opts.spec.payloadBytes),
      now,
      publishing: true,
      ackTimeoutMs: opts.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
    };
    // Source addresses rotate per node: the port limit is per (source, destination) pair.
    const nthOfNode = new Map<number, number>();
    this.clients = opts.plans.map((plan) => {
      const nth = nthOfNode.get(plan.node) ?? 0;
      nthOfNode.set(plan.node, nth + 1);
      return new VirtualClient(plan.id, opts.nodeUrls[plan.node], plan.channels, plan.publishChannel, contextFor(this.ctx, plan),
        localAddresses.length ? localAddresses[nth % localAddresses.length] : undefined);
    });
  }

  /** Starts the ramp: client i connects at t0 + its plan's offset (t0 default: now; clients already due connect at once). */
  start(t0 = this.ctx.now()): void {
    this.opts.plans.forEach((plan, i) => this.scheduler.at(t0 + plan.startOffsetMs, this.clients[i], 1 /* connect */));
    this.scheduler.start();
    this.lastDeliveryChangeMs = t0;
    this.housekeeping = setInterval(() => this.sweep(), HOUSEKEEPING_MS);
  }

  /** End of the publishing period: no new messages are scheduled; queued ones still go out. */
  stopPublishing(): void {
    this.ctx.publishing = false;
  }

  /**
   * Quiet = nothing left to publish or to ack, every client connected and subscribed, and no
   * delivery for `quietMs`. The drain may end early then: nothing more can arrive.
   */
  isQuiet(quietMs: number): boolean {
    const now = this.ctx.now();
    if (this.stats.deliveries !== this.lastDeliveryCount) return false;
    if (now - this.lastDeliveryChangeMs < quietMs) return false;
    for (const c of this.clients) if (!c.idle || !c.fullySubscribed) return false;
    return true;
  }

  stop(): void {
    if (this.housekeeping) clearInterval(this.housekeeping);
    this.housekeeping = null;
    this.scheduler.stop();
    for (const c of this.clients) c.stop();
  }

  private sweep(): void {
    const now = this.ctx.now();
    if (this.stats.deliveries !== this.lastDeliveryCount) {
      this.lastDeliveryCount = this.stats.deliveries;
      this.lastDeliveryChangeMs = now;
    }
    for (const c of this.clients) {
      c.heartbeat(now);
      c.checkPublishDeadline(now);
    }
  }
}

/**
 * The context a client of `plan` sees: the shared one, except for a client group's own publish
 * rate. A prototype view, so every other field (the `publishing` flag, stats, scheduler) is
 * the one shared object, read live.
 */
function contextFor(ctx: LoadContext, plan: ClientPlan): LoadContext {
  if (plan.publishRate === undefined || plan.publishRate === ctx.spec.publishRate) return ctx;
  const view = Object.create(ctx) as LoadContext;
  Object.defineProperty(view, 'spec', { value: { ...ctx.spec, publishRate: plan.publishRate }, enumerable: true });
  return view;
}

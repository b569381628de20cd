// The load driver: creates the virtual clients of a plan, ramps them up, keeps them alive
// (heartbeats, publish retries) with one housekeeping sweep, stops publishing on time and
// tells when the system has gone quiet during the drain.
import { adapterOf, type AdapterConfig } from '../adapters';
import type { ClientsSpec } from '../contracts/scenario';
import { fillerFor } from '../protocol/envelope';
import type { IntegrityLedger } from '../verify/ledger';
import type { LatencyRecorder } from '../verify/latency';
import type { ClientPlan } from './assignment';
import { VirtualClient } from './client';
import type { LoadContext } from './context';
import { seededRandom } from './random';
import { rateCurveOf } from './rate-curve';
import { Scheduler } from './timer-heap';
import { DriverStats } from './stats';

const HOUSEKEEPING_MS = 100;
const DEFAULT_ACK_TIMEOUT_MS = 3000;
const LEAVE_GRACE_MS = 10_000;

export interface DriverOptions {
  spec: ClientsSpec;
  plans: ClientPlan[];
  nodeUrls: string[];
  ledger: IntegrityLedger;
  latency: LatencyRecorder;
  seed: number;
  localAddresses?: string[];
  ackTimeoutMs?: number;
  /** what the clients speak; default protocol v1 */
  adapter?: AdapterConfig;
}

export class LoadDriver {
  readonly stats = new DriverStats();
  readonly clients: VirtualClient[];
  private readonly ctx: LoadContext;
  private readonly scheduler: Scheduler;
  private housekeeping: NodeJS.Timeout | null = null;
  private lastDeliveryCount = 0;
  private lastDeliveryChangeMs = 0;
  /** stages: clients whose leave time has come (still finishing their publishes) or who left */
  private readonly leaving = new Map<VirtualClient, { sinceMs: number; left: boolean }>();
  private readonly stopsPublishing = new Map<VirtualClient, { stopped: boolean }>();

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
      rateCurve: rateCurveOf(opts.spec),
      rampStartMs: now(),
    };
    // Source addresses rotate per node: the port limit is per (source, destination) pair.
    const adapter = adapterOf(opts.adapter);
    const adapterOptions = opts.adapter?.options ?? {};
    const resume = opts.adapter?.resume ?? adapter.capabilities.resume;
    const nthOfNode = new Map<number, number>();
    this.clients = opts.plans.map((plan) => {
      const nth = nthOfNode.get(plan.node) ?? 0;
      nthOfNode.set(plan.node, nth + 1);
      const leaver = plan.leaveOffsetMs !== undefined && plan.publishChannel !== null ? { stopped: false } : undefined;
      const client = new VirtualClient(plan.id, opts.nodeUrls[plan.node], plan.channels, plan.publishChannel, contextFor(this.ctx, plan, leaver), adapter, adapterOptions, resume,
        localAddresses.length ? localAddresses[nth % localAddresses.length] : undefined);
      if (leaver) this.stopsPublishing.set(client, leaver);
      return client;
    });
  }

  /** Starts the ramp: client i connects at t0 + its plan's offset (t0 default: now; clients already due connect at once). */
  start(t0 = this.ctx.now()): void {
    this.ctx.rampStartMs = t0;
    this.opts.plans.forEach((plan, i) => this.scheduler.at(t0 + plan.startOffsetMs, this.clients[i], 1 /* connect */));
    this.leaveTimes = this.opts.plans.flatMap((plan, i) => plan.leaveOffsetMs === undefined ? [] : [{ atMs: t0 + plan.leaveOffsetMs, client: this.clients[i] }])
      .sort((a, b) => a.atMs - b.atMs);
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
    for (const c of this.clients) if (!this.leaving.get(c)?.left && (!c.idle || !c.fullySubscribed)) return false;
    return true;
  }

  stop(): void {
    if (this.housekeeping) clearInterval(this.housekeeping);
    this.housekeeping = null;
    this.scheduler.stop();
    for (const c of this.clients) c.stop();
  }

  private leaveTimes: Array<{ atMs: number; client: VirtualClient }> = [];
  private nextLeave = 0;

  /**
   * stages: a client whose time has come stops publishing, and leaves once its queued
   * messages are acked (or LEAVE_GRACE_MS later), so it leaves nothing unsent behind.
   */
  private leaveDue(now: number): void {
    while (this.nextLeave < this.leaveTimes.length && this.leaveTimes[this.nextLeave].atMs <= now) {
      const { client } = this.leaveTimes[this.nextLeave++];
      const publishing = this.stopsPublishing.get(client);
      if (publishing) publishing.stopped = true;
      this.leaving.set(client, { sinceMs: now, left: false });
    }
    for (const [client, state] of this.leaving) {
      if (state.left || (!client.idle && now - state.sinceMs < LEAVE_GRACE_MS)) continue;
      client.leave();
      state.left = true;
    }
  }

  private sweep(): void {
    const now = this.ctx.now();
    this.leaveDue(now);
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
 * rate and a leaving publisher's own end of publishing. A prototype view, so every other field (the `publishing` flag, stats, scheduler) is
 * the one shared object, read live.
 */
function contextFor(ctx: LoadContext, plan: ClientPlan, leaver?: { stopped: boolean }): LoadContext {
  const ownRate = plan.publishRate !== undefined && plan.publishRate !== ctx.spec.publishRate;
  if (!ownRate && !leaver) return ctx;
  const view = Object.create(ctx) as LoadContext;
  if (ownRate) Object.defineProperty(view, 'spec', { value: { ...ctx.spec, publishRate: plan.publishRate }, enumerable: true });
  // A publisher about to leave (stages) stops scheduling messages on its own, before the run does.
  if (leaver) Object.defineProperty(view, 'publishing', { get: () => ctx.publishing && !leaver.stopped, enumerable: true });
  return view;
}

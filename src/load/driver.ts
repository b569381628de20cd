// The load driver: creates the virtual clients of a plan, ramps them up, keeps them alive
// (heartbeats, publish retries) with one housekeeping sweep, stops publishing on time and
// tells when the system has gone quiet during the drain.
import { adapterOf, type AdapterConfig } from '../adapters';
import type { ConnectionSettings, ResumeMode } from '../adapters/types';
import type { ClientsSpec } from '../contracts/scenario';
import { fillerFor } from '../protocol/envelope';
import type { IntegrityLedger } from '../verify/ledger';
import type { LatencyRecorder } from '../verify/latency';
import type { ClientPlan } from './assignment';
import { VirtualClient } from './client';
import type { LoadContext } from './context';
import { seededRandom } from './random';
import { rateCurveOf } from './rate-curve';
import { Scheduler, type Timed } from './timer-heap';
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
  /** a client was refused for good (certificate, credentials): called once; the run must stop (exit 3) */
  onFatal?: (reason: string, hint: string) => void;
  /** the publishing period (run time, ms): no message is scheduled from then on; default until stopPublishing() */
  publishForMs?: number;
}

export class LoadDriver {
  readonly stats = new DriverStats();
  /** the first refusal for good (see DriverOptions.onFatal), if any */
  fatal: { reason: string; hint: string } | null = null;
  readonly clients: VirtualClient[];
  private readonly ctx: LoadContext;
  private readonly scheduler: Scheduler;
  /** the housekeeping sweep, due every HOUSEKEEPING_MS on the clients' scheduler (one timer per process) */
  private readonly housekeeping: Timed = { onTimer: (_kind, now) => this.sweep(now) };
  private lastDeliveryCount = 0;
  private lastDeliveryChangeMs = 0;
  /** stages, churn: clients whose leave time has come (still finishing their publishes) or who left (or are away) */
  private readonly leaving = new Map<VirtualClient, { sinceMs: number; left: boolean; away: boolean }>();

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
      runStartMs: 0,
      publishEndRunMs: opts.publishForMs ?? Infinity,
      ackTimeoutMs: opts.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
      fatal: (reason, hint) => {
        if (this.fatal) return;
        this.fatal = { reason, hint };
        opts.onFatal?.(reason, hint);
      },
      rateCurve: rateCurveOf(opts.spec),
    };
    // Source addresses rotate per node: the port limit is per (source, destination) pair.
    const adapter = adapterOf(opts.adapter);
    const nthOfNode = new Map<number, number>();
    this.clients = opts.plans.map((plan) => {
      const nth = nthOfNode.get(plan.node) ?? 0;
      nthOfNode.set(plan.node, nth + 1);
      const connection = connectionFor(opts.adapter, adapter.capabilities.resume, plan.node,
        localAddresses.length ? localAddresses[nth % localAddresses.length] : undefined);
      return new VirtualClient(plan.id, opts.nodeUrls[plan.node], plan.channels, plan.publishChannel, contextFor(this.ctx, plan), adapter, connection);
    });
  }

  /**
   * Starts the ramp: client i connects at t0 + its plan's offset (t0 default: now; clients
   * already due connect at once). Publishers' schedules are fixed on the same clock.
   */
  start(t0 = this.ctx.now()): void {
    this.ctx.runStartMs = t0;
    this.opts.plans.forEach((plan, i) => {
      this.scheduler.at(t0 + plan.startOffsetMs, this.clients[i], 1 /* connect */);
      if (plan.publishChannel !== null) this.clients[i].schedulePublishing(plan.startOffsetMs, plan.publishPhase ?? 0, plan.leaveOffsetMs);
    });
    this.leaveTimes = this.opts.plans.flatMap((plan, i) => leaveEvents(plan, this.clients[i], t0)).sort((a, b) => a.atMs - b.atMs);
    this.lastDeliveryChangeMs = t0;
    this.scheduler.at(this.ctx.now() + HOUSEKEEPING_MS, this.housekeeping, 0);
    this.scheduler.start();
  }

  /**
   * End of the publishing period at run time `atRunMs` (default: now): no message is scheduled
   * from then on; queued ones still go out. An earlier end given at the start (publishForMs)
   * stays: a late call does not add messages.
   */
  stopPublishing(atRunMs = this.ctx.now() - this.ctx.runStartMs): void {
    this.ctx.publishEndRunMs = Math.min(this.ctx.publishEndRunMs, atRunMs);
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
    this.scheduler.stop();
    for (const c of this.clients) c.stop();
  }

  private leaveTimes: LeaveEvent[] = [];
  private nextLeave = 0;

  /**
   * stages, churn: a client whose time has come (its schedule already stopped there) leaves
   * once its queued messages are acked and each of its subscriptions was confirmed once (or
   * LEAVE_GRACE_MS later), so it leaves nothing unsent or unconfirmed behind. churn with resume:
   * a client away comes back at its time (one that had not gone yet simply stays).
   */
  private leaveDue(now: number): void {
    while (this.nextLeave < this.leaveTimes.length && this.leaveTimes[this.nextLeave].atMs <= now) {
      const { client, kind } = this.leaveTimes[this.nextLeave++];
      if (kind === 'back') {
        if (this.leaving.get(client)?.left) {
          client.comeBack();
          this.stats.returns++;
        }
        this.leaving.delete(client);
      } else {
        this.leaving.set(client, { sinceMs: now, left: false, away: kind === 'away' });
      }
    }
    for (const [client, state] of this.leaving) {
      if (state.left || ((!client.idle || !client.everConfirmed) && now - state.sinceMs < LEAVE_GRACE_MS)) continue;
      if (state.away) client.goAway();
      else client.leave();
      this.stats.leaves++;
      state.left = true;
    }
  }

  private sweep(now: number): void {
    this.scheduler.at(now + HOUSEKEEPING_MS, this.housekeeping, 0);
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

/** A client leaving for good, leaving for a while (churn with resume), or coming back. */
interface LeaveEvent { atMs: number; client: VirtualClient; kind: 'leave' | 'away' | 'back' }

function leaveEvents(plan: ClientPlan, client: VirtualClient, t0: number): LeaveEvent[] {
  const events: LeaveEvent[] = [];
  for (const [goneMs, backMs] of plan.away ?? []) {
    events.push({ atMs: t0 + goneMs, client, kind: 'away' }, { atMs: t0 + backMs, client, kind: 'back' });
  }
  if (plan.leaveOffsetMs !== undefined) events.push({ atMs: t0 + plan.leaveOffsetMs, client, kind: 'leave' });
  return events;
}

/** What the clients of node `node` connect with (the adapter's options, auth, TLS, the node's origin). */
function connectionFor(config: AdapterConfig | undefined, canResume: ResumeMode, node: number, localAddress: string | undefined): ConnectionSettings {
  const origin = config?.origins?.[node];
  return {
    options: config?.options ?? {},
    resume: config?.resume ?? canResume,
    ...(localAddress ? { localAddress } : {}),
    ...(origin !== undefined ? { origin } : {}),
    ...(config?.auth ? { auth: config.auth } : {}),
    ...(config?.tls ? { tls: config.tls } : {}),
  };
}

/**
 * The context a client of `plan` sees: the shared one, except for a client group's own publish
 * rate. A prototype view, so every other field (the end of publishing, stats, scheduler) is the
 * one shared object, read live.
 */
function contextFor(ctx: LoadContext, plan: ClientPlan): LoadContext {
  if (plan.publishRate === undefined || plan.publishRate === ctx.spec.publishRate) return ctx;
  const view = Object.create(ctx) as LoadContext;
  Object.defineProperty(view, 'spec', { value: { ...ctx.spec, publishRate: plan.publishRate }, enumerable: true });
  return view;
}

// The fault timeline: turns the scenario's `faults:` into Fault objects, begins and ends
// each on time (faults overlap freely), labels the phases live (steady / fault / recovery, an
// estimate for the progress line: the final phases are judged at the end, see recovery.ts),
// records every start and end, and undoes whatever is still active when the run stops —
// also when it fails.
import type { TimelineEvent } from '../contracts/results';
import type { Cluster } from '../runtime/cluster';
import type { FaultSpec } from '../contracts/scenario';
import type { Fault } from './fault';
import { ProxiesDownFault, ToxicFault } from './network-faults';
import { KillFault, PauseFault } from './node-faults';
import { ProxyApis } from './proxy-apis';
import { ProxySwitch } from './proxy-switch';
import { partitionLinks, proxiesOf } from './proxy-targets';
import { formatTarget } from '../scenario/targets';

import type { Phase } from '../contracts/metrics';
import type { FaultWindow } from './recovery';
export type { Phase };

/** The live estimate of a recovery (the progress line); the judged one may be shorter or longer. */
const LIVE_RECOVERY_MS = 5000;

interface Planned {
  fault: Fault;
  startMs: number;
  endMs: number | null;        // null: lasts until the run stops
  event: TimelineEvent;
  state: 'pending' | 'active' | 'done';
}

export function describeFault(spec: FaultSpec): string {
  const target = spec.target ? formatTarget(spec.target) : `nodes ${spec.nodes?.join(',')}`;
  if (spec.toxic) {
    const attrs = Object.entries(spec.attributes ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
    const stream = spec.stream && spec.stream !== 'downstream' ? ` ${spec.stream}` : '';
    const toxicity = spec.toxicity !== undefined && spec.toxicity !== 1 ? ` toxicity=${spec.toxicity}` : '';
    return `${spec.toxic}${attrs ? ` ${attrs}` : ''}${stream}${toxicity} on ${target}`;
  }
  if (spec.action === 'partition') return `partition ${spec.nodes?.join(',')} from the rest`;
  return `${spec.action} ${target}`;
}

export class FaultTimeline {
  readonly events: TimelineEvent[] = [];
  private readonly planned: Planned[] = [];
  private timers: NodeJS.Timeout[] = [];
  private t0 = 0;
  private lastEndMs = -Infinity;
  private phaseNow: Phase = 'steady';
  private failures = 0;
  private readonly recoveryMs: number;

  constructor(
    specs: FaultSpec[],
    cluster: Cluster,
    recoveryMaxMs: number,
    private readonly log: (line: string) => void = () => {},
    /** dryRun: keep the schedule and phases but leave the faults to another process (a shard that is not the coordinator) */
    private readonly options: { dryRun?: boolean } = {},
  ) {
    this.recoveryMs = Math.min(recoveryMaxMs, LIVE_RECOVERY_MS);
    const apis = new ProxyApis(cluster.proxies);
    const switcher = new ProxySwitch(apis);
    specs.forEach((spec, i) => {
      const label = describeFault(spec);
      const fault = buildFault(spec, i, label, cluster, apis, switcher);
      const window = spec.forMs ?? spec.restartAfterMs;
      const endMs = window !== undefined ? spec.atMs + window : spec.action === 'restart' ? spec.atMs : null;
      const event: TimelineEvent = { atMs: spec.atMs, kind: 'fault', label, target: fault.target };
      this.planned.push({ fault, startMs: spec.atMs, endMs, event, state: 'pending' });
    });
  }

  /** Starts the clock: `t0` is the run start on the performance.now() clock. */
  start(t0: number): void {
    this.t0 = t0;
    this.events.push({ atMs: 0, kind: 'phase', label: 'steady', phase: 'steady' });
    for (const p of this.planned) {
      this.timers.push(setTimeout(() => void this.begin(p), Math.max(0, p.startMs)));
    }
  }

  private elapsed(): number {
    return performance.now() - this.t0;
  }

  private async begin(p: Planned): Promise<void> {
    p.state = 'active';
    p.event.atMs = Math.round(this.elapsed());
    this.events.push(p.event);
    this.updatePhase();
    this.log(`fault begins: ${p.fault.label}`);
    try {
      if (!this.options.dryRun) await p.fault.begin();
    } catch (err) {
      this.fail(p, 'begin', err);
    }
    if (p.endMs !== null) {
      const wait = Math.max(0, p.endMs - this.elapsed());
      this.timers.push(setTimeout(() => void this.end(p), wait));
    }
  }

  private async end(p: Planned): Promise<void> {
    if (p.state !== 'active') return;
    p.state = 'done';
    // The window closes when the undo is issued (as it opened when the fault was issued).
    p.event.endMs = Math.round(this.elapsed());
    this.lastEndMs = p.event.endMs;
    try {
      if (!this.options.dryRun) await p.fault.end();
    } catch (err) {
      this.fail(p, 'end', err);
    }
    this.log(`fault ends: ${p.fault.label}`);
    this.updatePhase();
    // The recovery window closes by itself; check again when it should be over.
    this.timers.push(setTimeout(() => this.updatePhase(), this.recoveryMs + 5));
  }

  private fail(p: Planned, step: string, err: unknown): void {
    this.failures++;
    const msg = `${step} failed: ${(err as Error)?.message ?? String(err)}`;
    p.event.error = p.event.error ? `${p.event.error}; ${msg}` : msg;
    this.log(`fault ${p.fault.label}: ${msg}`);
  }

  /** Recomputes the phase; records a phase event when it changes. */
  updatePhase(): Phase {
    const now = this.elapsed();
    const active = this.planned.some((p) => p.state === 'active');
    const phase: Phase = active ? 'fault' : now < this.lastEndMs + this.recoveryMs ? 'recovery' : 'steady';
    if (phase !== this.phaseNow) {
      const at = Math.round(now);
      const open = [...this.events].reverse().find((e) => e.kind === 'phase' && e.endMs === undefined);
      if (open) open.endMs = at;
      this.events.push({ atMs: at, kind: 'phase', label: phase, phase });
      this.phaseNow = phase;
    }
    return phase;
  }

  get phase(): Phase { return this.phaseNow; }

  activeFaults(): string[] {
    return this.planned.filter((p) => p.state === 'active').map((p) => p.fault.label);
  }

  /** Fault windows for attributing losses: [start, end) in ms since run start. */
  windows(runEndMs: number): Array<{ startMs: number; endMs: number; label: string }> {
    return this.planned
      .filter((p) => p.state !== 'pending')
      .map((p) => ({ startMs: p.event.atMs, endMs: p.event.endMs ?? runEndMs, label: p.fault.label }));
  }

  /** Every fault that began, as it really happened; endMs null when it was meant to last until the run stopped. */
  faultWindows(): FaultWindow[] {
    return this.planned
      .filter((p) => p.state !== 'pending')
      .map((p) => ({ startMs: p.event.atMs, endMs: p.endMs === null ? null : p.event.endMs ?? null, label: p.fault.label }));
  }

  get failed(): number { return this.failures; }

  /** Cancels what has not begun and undoes what is active (latest first). Never throws. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    const active = this.planned.filter((p) => p.state === 'active').reverse();
    for (const p of active) {
      // A node killed for good stays down: the cluster's stop() takes care of it.
      if (p.endMs === null && p.fault instanceof KillFault) {
        p.state = 'done';
        p.event.endMs = Math.round(this.elapsed());
        continue;
      }
      await this.end(p);
    }
    const at = Math.round(this.elapsed());
    for (const e of this.events) if (e.kind === 'phase' && e.endMs === undefined) e.endMs = at;
  }
}

function buildFault(spec: FaultSpec, i: number, label: string, cluster: Cluster, apis: ProxyApis, switcher: ProxySwitch): Fault {
  if (spec.action === 'partition') {
    const group = spec.nodes ?? [];
    return new ProxiesDownFault(label, `partition:${group.join(',')}`, switcher, partitionLinks(group, cluster.proxies));
  }
  const target = spec.target!;
  const name = formatTarget(target);
  if (spec.toxic) return new ToxicFault(label, name, apis, proxiesOf(target, cluster.proxies), spec, `chatbench_f${i}`);
  switch (spec.action) {
    case 'down': return new ProxiesDownFault(label, name, switcher, proxiesOf(target, cluster.proxies));
    case 'kill':
    case 'restart': return new KillFault(label, name, cluster, nodeOf(target));
    case 'pause': return new PauseFault(label, name, cluster, nodeOf(target));
    default: throw new Error(`unknown fault action ${String(spec.action)}`);
  }
}

function nodeOf(t: NonNullable<FaultSpec['target']>): string {
  if (t.kind !== 'node') throw new Error(`process faults need a node target, got ${formatTarget(t)}`);
  return t.node;
}

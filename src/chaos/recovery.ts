// Adaptive recovery (DESIGN.md "Latency"): `recovery` lasts from a fault's end until the
// per-second p99 and the reconnect rate are back within the steady baseline, or until the
// configured maximum. Judged at the end of the run from whole seconds, so the phase of every
// second is final before the phase histograms are built. Pure: no clock, no I/O.
//
// - Baseline: the steady seconds before the first fault, after the ramp-up (all seconds before
//   the first fault when the ramp-up leaves none): the median of their per-second p99 and of
//   their reconnects per second. No such second: p99 is held to the 100 ms target, reconnects to 0.
// - Back within baseline, for one second: it had deliveries, its p99 ≤ max(2 × baseline,
//   baseline + 20 ms) and its reconnects ≤ baseline + max(1, 0.1 % of the clients).
// - Recovered: three consecutive such seconds; recovery ends where the first of them begins
//   (one-second resolution). Not recovered by the maximum, the next fault or the end of
//   publishing: the window ends there and time to recover is null.
// - Faults that overlap (or touch) form one fault period, followed by one recovery window.
// - A second belongs to `fault` if a fault period touches it, else to `recovery` if a recovery
//   window does, else to `steady`: steady latency is never taken from a second a fault touched.
import type { Phase } from '../contracts/metrics';
import type { RecoveryBaseline, RecoveryWindow, TimelineEvent } from '../contracts/results';

export const TARGET_P99_US = 100_000;     // DESIGN.md: "The target is 100 ms"
export const HELD_SECONDS = 3;
const P99_FACTOR = 2;
const P99_SLACK_US = 20_000;
const RECONNECT_SLACK_SHARE = 0.001;

export interface FaultWindow {
  startMs: number;
  endMs: number | null;      // null: lasted until the run stopped (no recovery after it)
  label: string;
}

/** One second of the run: latency of the messages scheduled in it, reconnects completed in it. */
export interface SecondFigures {
  t: number;
  p99Us: number | null;      // null: no delivery of a message scheduled in this second
  reconnects: number;
}

export interface RecoveryInput {
  faults: FaultWindow[];
  seconds: SecondFigures[];
  rampUpMs: number;
  publishEndMs: number;      // when publishing stopped: later seconds schedule nothing
  runEndMs: number;
  maxMs: number;             // the scenario's `recovery:` (the longest a recovery may last)
  clients: number;
}

export interface RecoveryJudgement {
  baseline: RecoveryBaseline;
  periods: Array<{ startMs: number; endMs: number | null; labels: string[] }>;
  windows: RecoveryWindow[];
  phaseOfSecond(t: number): Phase;
  /** steady / fault / recovery phase events, in ms since run start, up to runEndMs */
  phaseEvents(): TimelineEvent[];
}

export function judgeRecovery(input: RecoveryInput): RecoveryJudgement {
  const periods = faultPeriods(input.faults);
  const firstFaultMs = periods.length ? periods[0].startMs : input.publishEndMs;
  const baseline = steadyBaseline(input.seconds, input.rampUpMs, Math.min(firstFaultMs, input.publishEndMs));
  const reconnectSlack = Math.max(1, Math.ceil(input.clients * RECONNECT_SLACK_SHARE));
  const p99LimitUs = Math.max(P99_FACTOR * baseline.p99Us, baseline.p99Us + P99_SLACK_US);
  const byT = new Map(input.seconds.map((s) => [s.t, s]));
  const good = (t: number): boolean => {
    const s = byT.get(t);
    return !!s && s.p99Us !== null && s.p99Us <= p99LimitUs && s.reconnects <= baseline.reconnectsPerSec + reconnectSlack;
  };

  const windows: RecoveryWindow[] = [];
  periods.forEach((period, i) => {
    if (period.endMs === null) return;
    const startMs = period.endMs;
    const nextFaultMs = periods[i + 1]?.startMs ?? Infinity;
    const limits: Array<[number, RecoveryWindow['endedBy']]> = [
      [startMs + input.maxMs, 'maximum'], [nextFaultMs, 'next fault'], [Math.max(startMs, input.publishEndMs), 'end of publishing'],
    ];
    const [limitMs, limitReason] = limits.reduce((a, b) => (b[0] < a[0] ? b : a));
    // The held seconds must lie wholly before the next fault and inside the publishing period.
    const confirmBeforeMs = Math.min(nextFaultMs, input.publishEndMs);
    let recoveredMs: number | null = null;
    for (let t = Math.ceil(startMs / 1000); t * 1000 <= limitMs && (t + HELD_SECONDS) * 1000 <= confirmBeforeMs; t++) {
      let held = 0;
      while (held < HELD_SECONDS && good(t + held)) held++;
      if (held === HELD_SECONDS) {
        recoveredMs = Math.max(startMs, t * 1000);
        break;
      }
      t += held; // the bad second at t + held cannot start a good run
    }
    windows.push(recoveredMs !== null
      ? { afterFaults: period.labels, startMs, endMs: recoveredMs, timeToRecoverMs: recoveredMs - startMs, endedBy: 'baseline' }
      : { afterFaults: period.labels, startMs, endMs: Math.min(limitMs, Math.max(startMs, input.runEndMs)), timeToRecoverMs: null, endedBy: limitReason });
  });

  const touches = (t: number, startMs: number, endMs: number | null) =>
    startMs < (t + 1) * 1000 && (endMs === null || endMs > t * 1000 || (endMs === startMs && startMs >= t * 1000));
  return {
    baseline,
    periods,
    windows,
    phaseOfSecond(t) {
      if (periods.some((p) => touches(t, p.startMs, p.endMs))) return 'fault';
      if (windows.some((w) => w.endMs > w.startMs && touches(t, w.startMs, w.endMs))) return 'recovery';
      return 'steady';
    },
    phaseEvents: () => phaseEvents(periods, windows, input.runEndMs),
  };
}

/** Overlapping or touching fault windows merged into periods, in start order. */
function faultPeriods(faults: FaultWindow[]): RecoveryJudgement['periods'] {
  const sorted = [...faults].sort((a, b) => a.startMs - b.startMs);
  const periods: RecoveryJudgement['periods'] = [];
  for (const f of sorted) {
    const last = periods[periods.length - 1];
    if (last && (last.endMs === null || f.startMs <= last.endMs)) {
      last.endMs = last.endMs === null || f.endMs === null ? null : Math.max(last.endMs, f.endMs);
      last.labels.push(f.label);
    } else {
      periods.push({ startMs: f.startMs, endMs: f.endMs, labels: [f.label] });
    }
  }
  return periods;
}

function steadyBaseline(seconds: SecondFigures[], rampUpMs: number, beforeMs: number): RecoveryBaseline {
  const before = seconds.filter((s) => (s.t + 1) * 1000 <= beforeMs);
  const afterRamp = before.filter((s) => s.t * 1000 >= rampUpMs);
  const chosen = afterRamp.some((s) => s.p99Us !== null) ? afterRamp : before;
  const p99s = chosen.flatMap((s) => (s.p99Us === null ? [] : [s.p99Us]));
  if (p99s.length === 0) return { p99Us: TARGET_P99_US, reconnectsPerSec: 0, seconds: 0, fromTarget: true };
  return {
    p99Us: median(p99s),
    reconnectsPerSec: median(chosen.map((s) => s.reconnects)),
    seconds: chosen.length,
    fromTarget: false,
  };
}

/** Per-second figures for judgeRecovery: p99 by scheduled second, reconnects by the run's samples. */
export function secondFigures(scheduled: Array<{ t: number; latency: { count: number; p99Us: number } }>, samples: Array<{ t: number; reconnects: number }>): SecondFigures[] {
  const byT = new Map<number, SecondFigures>();
  for (const s of samples) byT.set(s.t, { t: s.t, p99Us: null, reconnects: s.reconnects });
  for (const s of scheduled) {
    const f = byT.get(s.t) ?? { t: s.t, p99Us: null, reconnects: 0 };
    if (s.latency.count > 0) f.p99Us = s.latency.p99Us;
    byT.set(s.t, f);
  }
  return [...byT.values()].sort((a, b) => a.t - b.t);
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function phaseEvents(periods: RecoveryJudgement['periods'], windows: RecoveryWindow[], runEndMs: number): TimelineEvent[] {
  const spans: Array<{ startMs: number; endMs: number; phase: Phase; timeToRecoverMs?: number | null }> = [];
  for (const p of periods) spans.push({ startMs: p.startMs, endMs: p.endMs ?? runEndMs, phase: 'fault' });
  for (const w of windows) if (w.endMs > w.startMs) spans.push({ startMs: w.startMs, endMs: w.endMs, phase: 'recovery', timeToRecoverMs: w.timeToRecoverMs });
  spans.sort((a, b) => a.startMs - b.startMs);
  const events: TimelineEvent[] = [];
  let at = 0;
  for (const s of spans) {
    if (s.startMs > at) events.push({ atMs: at, endMs: s.startMs, kind: 'phase', label: 'steady', phase: 'steady' });
    const e: TimelineEvent = { atMs: s.startMs, endMs: s.endMs, kind: 'phase', label: s.phase, phase: s.phase };
    if (s.phase === 'recovery') e.timeToRecoverMs = s.timeToRecoverMs ?? null;
    events.push(e);
    at = Math.max(at, s.endMs);
  }
  if (at < runEndMs || events.length === 0) events.push({ atMs: at, endMs: Math.max(at, runEndMs), kind: 'phase', label: 'steady', phase: 'steady' });
  return events;
}

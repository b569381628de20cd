// What a run tells the outside while it runs (the --events file, the --metrics endpoint):
// one call per second, one per fault start and end, and the verdict at the end.
import type { ResultsV1, SecondSample, TimelineEvent } from '../contracts/results';
import type { LiveStats } from '../load/engine';
import type { BucketSeconds } from '../verify/latency-buckets';

export interface LiveSecond {
  sample: SecondSample;          // the same per-second sample results.json's series gets
  totals: LiveStats;             // running counters since the start
  activeFaults: string[];
  phase: string;
  p99LastSecUs: number | null;  // live p99 of the last completed second
  /** delivery latencies so far in fixed buckets, per scheduled second (cumulative) */
  latencyBuckets?: BucketSeconds;
  /** the live phase of a run second (the final phases are judged at the end, results.json) */
  phaseOfSecond?: (t: number) => string;
}

/**
 * The live phase in force at `atMs` (ms since the start) by the timeline's phase events; the
 * phase now for a moment not reached yet.
 */
export function livePhaseAt(events: readonly TimelineEvent[], atMs: number, now: string): string {
  let phase: string | null = null;
  for (const e of events) {
    if (e.kind !== 'phase' || e.atMs > atMs) continue;
    if (e.endMs === undefined || e.endMs > atMs) phase = e.phase ?? e.label;
  }
  return phase ?? now;
}

export interface FaultEdge { edge: 'start' | 'end'; atMs: number; label: string; target?: string; error?: string }

export interface RunObserver {
  second?(s: LiveSecond): void;
  fault?(f: FaultEdge): void;
  verdict?(results: ResultsV1): void | Promise<void>;
  close?(): Promise<void>;
}

/** Fault starts and ends that appeared in a timeline since the last call. */
export class FaultEdgeTracker {
  private readonly started = new Set<TimelineEvent>();
  private readonly ended = new Set<TimelineEvent>();

  poll(events: readonly TimelineEvent[]): FaultEdge[] {
    const out: FaultEdge[] = [];
    for (const e of events) {
      if (e.kind !== 'fault') continue;
      if (!this.started.has(e)) {
        this.started.add(e);
        out.push({ edge: 'start', atMs: e.atMs, label: e.label, target: e.target });
      }
      if (e.endMs !== undefined && !this.ended.has(e)) {
        this.ended.add(e);
        out.push({ edge: 'end', atMs: e.endMs, label: e.label, target: e.target, ...(e.error ? { error: e.error } : {}) });
      }
    }
    return out;
  }
}

/** Several observers as one. */
export function allOf(observers: RunObserver[]): RunObserver {
  return {
    second: (s) => { for (const o of observers) o.second?.(s); },
    fault: (f) => { for (const o of observers) o.fault?.(f); },
    verdict: async (r) => { for (const o of observers) await o.verdict?.(r); },
    close: async () => { for (const o of observers) await o.close?.(); },
  };
}

// Latency recorder: HDR histograms in integer µs, 1 µs … 1 h, 3 significant digits
// (DESIGN.md "Latency"). One for the run; one per second by *receive* time (the time series);
// one per second by *scheduled* time (the envelope's ts = receive − latency), from which the
// phase histograms are built at the end, once the phase windows are final: a delivery belongs
// to the phase its message was scheduled in, so a backlog replayed after a fault is fault
// latency, not steady latency. Separate ones for connect / reconnect / continuity times.
// Every histogram can be encoded (compressed base64) and summed exactly in the parent process
// of a multi-worker run.
//
// Hot path: record() writes one value into a small "staging" histogram (≈ 0.2 µs, JS Int32),
// folded into the run / second histograms when the receive second changes (2 adds ≈ 0.3 ms,
// once a second), and one value into the live histogram of its scheduled second (SecondHistograms).
// Closed seconds are kept encoded (a sparse second is ~0.1–2 KB) instead of as live histograms
// (~95 KB each).
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { LatencySummary, ResultsV1 } from '../contracts/results';
import { usageError } from '../util/errors';
import { SecondHistograms } from './second-histograms';
import { LatencyBuckets } from './latency-buckets';
import { withFastIndex } from './fast-index';

export const LOWEST_US = 1;
export const HIGHEST_US = 3_600_000_000; // 1 hour

/** A histogram with the run's fixed parameters (plain JS, 32-bit counts, no auto-resize). */
export function newHistogram(): Histogram {
  return withFastIndex(build({
    bitBucketSize: 32,
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  }));
}

/** Percentiles from getValueAtPercentile (exact to the histogram's resolution, not toJSON's rounding). */
export function summarize(h: Histogram): LatencySummary {
  const count = h.totalCount;
  if (count === 0) return emptySummary();
  return {
    count,
    minUs: h.getValueAtPercentile(0),
    p50Us: h.getValueAtPercentile(50),
    p90Us: h.getValueAtPercentile(90),
    p99Us: h.getValueAtPercentile(99),
    p999Us: h.getValueAtPercentile(99.9),
    maxUs: h.getValueAtPercentile(100), // bucket-based like the rest: same value after encode/decode (maxValue is not)
    meanUs: Math.round(h.mean * 10) / 10,
  };
}

export const emptySummary = (): LatencySummary => ({ count: 0, minUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0, meanUs: 0 });

/** Points of the percentile curve in the report (denser towards the tail). */
export const CURVE_PERCENTILES = [
  0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96.25, 97.5, 98.75, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999, 100,
];

const clampUs = (v: number): number => (v > HIGHEST_US ? HIGHEST_US : v >= 0 ? v : 0);

export class LatencyRecorder {
  readonly overall = newHistogram();
  readonly connect = newHistogram();
  readonly reconnect = newHistogram();
  readonly continuity = newHistogram();
  private readonly phases = new Map<string, Histogram>();     // filled by assignPhases()
  private readonly closedSeconds = new Map<number, string>(); // receive second → encoded histogram
  private readonly scheduled = new SecondHistograms(newHistogram); // by scheduled second
  /** the same deliveries in fixed buckets by scheduled second, for live export (/metrics) */
  readonly buckets = new LatencyBuckets();

  private readonly staging = newHistogram();   // values of the current receive second not yet folded
  private stagingCount = 0;
  private readonly secondAcc = newHistogram(); // folded values of the current receive second
  private second = -1;

  /** runStartMs: the same clock as record()'s nowMs (performance.now() of this process). */
  constructor(readonly runStartMs: number) {}

  /** One delivery's latency, received at nowMs (its receive second); its message was scheduled
   * at nowMs − latency (its scheduled second, never after the receive second). */
  record(latencyUs: number, nowMs: number): void {
    const sinceStartMs = nowMs - this.runStartMs;
    let sec = Math.floor(sinceStartMs / 1000);
    if (sec < 0) sec = 0;
    if (sec !== this.second) this.moveToSecond(sec);
    const value = clampUs(latencyUs);
    this.staging.recordValue(value);
    this.stagingCount++;
    let scheduledSec = Math.floor((sinceStartMs - value / 1000) / 1000);
    if (scheduledSec > sec) scheduledSec = sec;
    else if (scheduledSec < 0) scheduledSec = 0;
    this.scheduled.record(scheduledSec, value);
    this.buckets.record(scheduledSec, value);
  }

  recordConnect(us: number): void {
    this.connect.recordValue(clampUs(us));
  }

  recordReconnect(us: number): void {
    this.reconnect.recordValue(clampUs(us));
  }

  recordContinuity(us: number): void {
    this.continuity.recordValue(clampUs(us));
  }

  /**
   * Builds the phase histograms from the scheduled seconds: second t's deliveries go to phase
   * `phaseOf(t)` (null: to no phase). Call once the phase windows are final; calling again
   * replaces the previous assignment.
   */
  assignPhases(phaseOf: (second: number) => string | null): void {
    this.phases.clear();
    this.scheduled.forEach((t, h) => {
      const phase = phaseOf(t);
      if (phase !== null) this.phaseOf(phase).add(h);
    });
  }

  /** Per scheduled second: the latency of the deliveries of messages scheduled in it, ascending. */
  perScheduledSecond(): Array<{ t: number; latency: LatencySummary }> {
    const out: Array<{ t: number; latency: LatencySummary }> = [];
    this.scheduled.forEach((t, h) => out.push({ t, latency: summarize(h) }));
    return out;
  }

  /** The histogram of one phase (an empty one, not kept, if the phase never had deliveries). */
  phaseHistogram(name: string): Histogram {
    this.fold();
    return this.phases.get(name) ?? newHistogram();
  }

  /** Summary of any histogram (see summarize()); folds pending values first. */
  summary(h: Histogram): LatencySummary {
    this.fold();
    return summarize(h);
  }

  phaseSummaries(): Record<string, LatencySummary> {
    this.fold();
    const out: Record<string, LatencySummary> = {};
    for (const name of [...this.phases.keys()].sort()) out[name] = summarize(this.phases.get(name)!);
    return out;
  }

  /** The whole run's percentile curve (for the report's chart). */
  percentileCurve(h: Histogram = this.overall): Array<{ percentile: number; valueUs: number }> {
    this.fold();
    if (h.totalCount === 0) return [];
    return CURVE_PERCENTILES.map((percentile) => ({
      percentile,
      valueUs: h.getValueAtPercentile(percentile),
    }));
  }

  /** Per-second summaries, ascending, only seconds with at least one delivery. */
  perSecond(): Array<{ t: number; latency: LatencySummary }> {
    this.fold();
    const out: Array<{ t: number; latency: LatencySummary }> = [];
    for (const [t, encoded] of this.closedSeconds) out.push({ t, latency: summarize(decode(encoded, `second:${t}`)) });
    if (this.secondAcc.totalCount > 0) out.push({ t: this.second, latency: summarize(this.secondAcc) });
    return out.sort((a, b) => a.t - b.t);
  }

  /** p99 of the last completed second with deliveries, in µs (live progress); null if none yet. */
  lastSecondP99(): number | null {
    let last: [number, string] | null = null;
    for (const entry of this.closedSeconds) if (!last || entry[0] > last[0]) last = entry;
    return last ? decode(last[1], `second:${last[0]}`).getValueAtPercentile(99) : null;
  }

  /** results.json's `latency` block. */
  results(): ResultsV1['latency'] {
    this.fold();
    return {
      overall: summarize(this.overall),
      phases: this.phaseSummaries(),
      connect: summarize(this.connect),
      reconnect: summarize(this.reconnect),
      continuity: summarize(this.continuity),
      percentiles: this.percentileCurve(),
    };
  }

  /**
   * Every histogram, compressed base64, by name: overall, connect, reconnect, continuity,
   * phase:<name> (once assigned), second:<t> (by receive time), sched:<t> (by scheduled time).
   * Input of LatencyRecorder.merge (results.json `histograms`).
   */
  encode(): Record<string, string> {
    this.fold();
    const out: Record<string, string> = {
      overall: encodeIntoCompressedBase64(this.overall),
      connect: encodeIntoCompressedBase64(this.connect),
      reconnect: encodeIntoCompressedBase64(this.reconnect),
      continuity: encodeIntoCompressedBase64(this.continuity),
    };
    for (const name of [...this.phases.keys()].sort()) out[`phase:${name}`] = encodeIntoCompressedBase64(this.phases.get(name)!);
    const seconds = new Map(this.closedSeconds);
    if (this.secondAcc.totalCount > 0) seconds.set(this.second, encodeIntoCompressedBase64(this.secondAcc));
    for (const t of [...seconds.keys()].sort((a, b) => a - b)) out[`second:${t}`] = seconds.get(t)!;
    for (const [t, b64] of this.scheduled.encoded()) out[`sched:${t}`] = b64;
    return out;
  }

  /** Sums the encoded histograms of several recorders (e.g. one per worker) into a new one. Exact. */
  static merge(encoded: Array<Record<string, string>>, runStartMs = 0): LatencyRecorder {
    const merged = new LatencyRecorder(runStartMs);
    const seconds = new Map<number, Histogram>();
    for (const set of encoded) {
      for (const [name, b64] of Object.entries(set)) {
        if (/^second:\d+$/.test(name)) {
          const t = Number(name.slice('second:'.length));
          const h = decode(b64, name);
          const acc = seconds.get(t);
          if (acc) acc.add(h);
          else seconds.set(t, h);
          continue;
        }
        if (/^sched:\d+$/.test(name)) {
          merged.scheduled.add(Number(name.slice('sched:'.length)), decode(b64, name));
          continue;
        }
        const into = name === 'overall' ? merged.overall
          : name === 'connect' ? merged.connect
            : name === 'reconnect' ? merged.reconnect
              : name === 'continuity' ? merged.continuity
                : name.startsWith('phase:') && name.length > 'phase:'.length ? merged.phaseOf(name.slice('phase:'.length))
                  : null;
        if (!into) throw usageError(`unknown latency histogram "${name}"`, 'expected overall, connect, reconnect, continuity, phase:<name>, second:<t> or sched:<t>');
        into.add(decode(b64, name));
      }
    }
    for (const [t, h] of seconds) merged.closedSeconds.set(t, encodeIntoCompressedBase64(h));
    return merged;
  }

  // ------------------------------------------------------------------- internals

  private phaseOf(name: string): Histogram {
    let h = this.phases.get(name);
    if (!h) {
      h = newHistogram();
      this.phases.set(name, h);
    }
    return h;
  }

  /** Moves staged values into the run and current-second histograms. */
  private fold(): void {
    if (this.stagingCount === 0) return;
    this.overall.add(this.staging);
    this.secondAcc.add(this.staging);
    this.staging.reset();
    this.stagingCount = 0;
  }

  /** Closes the current second (encoded) and starts `sec`. */
  private moveToSecond(sec: number): void {
    this.fold();
    if (this.secondAcc.totalCount > 0) {
      this.closedSeconds.set(this.second, encodeIntoCompressedBase64(this.secondAcc));
      this.secondAcc.reset();
    }
    this.second = sec;
    // Values for a second that was already closed (clock went back) reopen it.
    const reopened = this.closedSeconds.get(sec);
    if (reopened !== undefined) {
      this.secondAcc.add(decode(reopened, `second:${sec}`));
      this.closedSeconds.delete(sec);
    }
  }
}

function decode(b64: string, name: string): Histogram {
  try {
    return decodeFromCompressedBase64(b64, 32, false);
  } catch (err) {
    throw usageError(`latency histogram "${name}" cannot be decoded: ${(err as Error).message}`, 'the results file may be damaged');
  }
}

// The names a threshold can measure, shared by the scenario (which parses thresholds) and
// verify (which evaluates them). One list each; the report reads them too.

/** The phases of a run, in the order a run goes through them (DESIGN.md "Latency"). */
export const PHASES = ['steady', 'fault', 'recovery'] as const;
export type Phase = (typeof PHASES)[number];

export type LatencyKind = 'latency' | 'connect' | 'reconnect' | 'continuity';
/** 'min' | 'max' | 'mean' | 'p50', 'p99', 'p99.9' … (the number after p is the percentile). */
export type LatencyStat = string;

export const LATENCY_KINDS: readonly LatencyKind[] = ['latency', 'connect', 'reconnect', 'continuity'];

/** Counter names a threshold (and MetricSource.counter) may use; `expected` feeds the rates. */
export const COUNTERS = [
  'loss', 'loss.silent', 'loss.announced', 'loss.in_session', 'not_delivered', 'duplicates', 'reorders',
  'reorders.publisher', 'phantoms', 'protocol_errors', 'serial_conflicts', 'unconfirmed_streams', 'reconnects',
  'delivered', 'scheduled', 'published', 'acked', 'in_doubt', 'unsent', 'connects', 'expected',
] as const;
export type CounterName = (typeof COUNTERS)[number];

/**
 * What the system under test promises (DESIGN.md "Guarantees"); the checker holds it to that
 * even when `thresholds:` says nothing. The first is the default.
 */
export const GUARANTEES = ['exactly-once-ordered', 'at-least-once', 'at-most-once'] as const;
export type Guarantee = (typeof GUARANTEES)[number];

/** How a subscription continues after a reconnect (src/adapters/types.ts). Here, beside
 * Guarantee, so that the published adapter types (chat-bench/adapter) import nothing else. */
export type ResumeMode = 'serial' | 'session' | 'none';

/** Rates are a counter divided by `expected`. */
export const RATES: Record<string, CounterName> = { 'loss.rate': 'loss', 'duplicates.rate': 'duplicates' };


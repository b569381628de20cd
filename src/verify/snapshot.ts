// The integrity ledger's state as plain JSON: what one process saw. Workers send theirs to
// the parent, which passes all of them to account() (src/verify/accounting.ts). Nothing in
// here is derived: every count is recomputed from these facts, so merging is exact.

export const LEDGER_SNAPSHOT_VERSION = 2;

/** End time of an interval or session that is still open. */
export const NO_END = -1;

/** One publisher on one channel: its publish log. Arrays are indexed by n − 1 and delta-coded (see deltaEncode). */
export interface PublisherSnapshot {
  channel: string;
  publisher: string;
  scheduled: number;       // messages created (n = 1 … scheduled)
  sent: number[];          // IntervalSet (flat ranges) of the n values sent at least once
  scheduledUs: number[];   // delta-coded; decoded 0 = unknown
  firstSendUs: number[];   // delta-coded; decoded 0 = never sent
  ackUs: number[];         // delta-coded; decoded 0 = never acked
  ackSerial: number[];     // delta-coded; decoded 0 = never acked, or acked without a serial
}

/** A delivery worth showing as an example (kept for the first few per stream and kind). */
export interface StreamExample {
  s: number;               // serial of the msg frame
  p?: string;              // publisher and n, when the envelope was readable
  n?: number;
  why?: string;            // phantom: which check failed
}

/** One subscriber stream = one client × one channel subscription. Times in µs of the envelopes' clock. */
export interface StreamSnapshot {
  client: string;
  channel: string;
  /** covered intervals, flat [startUs, endUs (NO_END: open), startSerial (subd at), maxSerial received] … ; [] = never confirmed */
  intervals: number[];
  /** confirmed sessions (one connection each), flat [startUs, endUs (NO_END: open)] … */
  sessions: number[];
  received: number[];      // IntervalSet of serials received (phantoms excluded)
  publishers: Array<{ p: string; n: number[] }>; // per publisher, IntervalSet of n received
  announced: number[];     // IntervalSet of serials inside announced breaks (resumed:false): (last, at]
  deliveriesTotal: number;
  duplicated: number;
  reordered: number;
  reorderedN: number;      // of the reordered, those where a publisher's n went back
  phantom: number;
  examples: { duplicated: StreamExample[]; reordered: StreamExample[]; phantom: StreamExample[] };
}

export interface LedgerSnapshot {
  version: typeof LEDGER_SNAPSHOT_VERSION;
  publishers: PublisherSnapshot[];
  streams: StreamSnapshot[];
  protocolErrors: number;
  protocolErrorReasons: string[];
}

/** [a, b, c] → [a, b − a, c − b]: serials and scheduled times grow steadily, so deltas are short in JSON. */
export function deltaEncode(values: readonly number[]): number[] {
  const out = new Array<number>(values.length);
  let prev = 0;
  for (let i = 0; i < values.length; i++) {
    out[i] = values[i] - prev;
    prev = values[i];
  }
  return out;
}

export function deltaDecode(deltas: readonly number[]): number[] {
  const out = new Array<number>(deltas.length);
  let acc = 0;
  for (let i = 0; i < deltas.length; i++) {
    acc += deltas[i];
    out[i] = acc;
  }
  return out;
}

// The integrity ledger's state as plain JSON: what one process saw. Workers send theirs to
// the parent, which passes all of them to account() (src/verify/accounting.ts). Nothing in
// here is derived: every count is recomputed from these facts, so merging is exact.

export const LEDGER_SNAPSHOT_VERSION = 1;

/** One publisher on one channel. Arrays are indexed by n − 1 and delta-coded (see deltaEncode). */
export interface PublisherSnapshot {
  channel: string;
  publisher: string;
  sent: number[];          // IntervalSet (flat ranges) of the n values sent at least once
  ackSerial: number[];     // delta-coded; decoded value 0 = never acked
  scheduledUs: number[];   // delta-coded; decoded value 0 = unknown (ack without a recorded send)
}

/** A delivery worth showing as an example (kept for the first few per stream and kind). */
export interface StreamExample {
  s: number;               // serial of the msg frame
  p?: string;              // publisher and n, when the envelope was readable
  n?: number;
  why?: string;            // phantom: which check failed
}

/** One subscriber stream = one client × one channel subscription. */
export interface StreamSnapshot {
  client: string;
  channel: string;
  start: number;           // serial of the first subd's `at`; -1 if never subscribed
  received: number[];      // IntervalSet of serials received (phantoms excluded)
  publishers: Array<{ p: string; n: number[] }>; // per publisher, IntervalSet of n received
  gaps: number[];          // IntervalSet of serials inside closed announced gaps
  openGapAfter: number;    // -1, or an announced gap (openGapAfter, channel's final serial] still open at the end
  deliveriesTotal: number;
  duplicated: number;
  reordered: number;
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

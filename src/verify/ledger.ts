// The integrity ledger: one per process, fed from the load driver's hot path. It records
// FACTS (what was sent, acked, received, announced) in interval form and classifies each
// delivery as it arrives; the verdict (expected, lost …) needs every process's facts and is
// computed later by account() from snapshot(), so a run split over workers merges exactly.
//
// Cost per delivery: O(1) amortised, no allocation in the healthy case (a stream's serials
// and each publisher's n values extend the last range of an IntervalSet).
import { readEnvelope } from '../protocol/envelope';
import { IntervalSet } from './intervals';
import { deltaEncode, LEDGER_SNAPSHOT_VERSION } from './snapshot';
import type { LedgerSnapshot, PublisherSnapshot, StreamExample, StreamSnapshot } from './snapshot';

/** What deliver() returns when the delivery must not be recorded as a latency sample. */
export const NOT_RECORDED = -1;

export interface LedgerOptions {
  /**
   * Every publisher id of the run, across ALL worker processes. With it, "unknown publisher"
   * means "not one of these" (required when publishers and subscribers live in different
   * processes). Without it, a publisher is known once this ledger saw it send on that channel.
   */
  publishers?: Iterable<string>;
  /** Examples kept per stream and kind (duplicated, reordered, phantom). Default 10. */
  examplesPerStream?: number;
  /** Distinct protocol-error reasons kept. Default 10. */
  protocolReasonsKept?: number;
}

/** One publisher on one channel, as seen by the process that runs it. */
class PublisherRecord {
  readonly sent = new IntervalSet();
  readonly ackSerial: number[] = [];   // index n − 1; 0 = not acked yet
  readonly scheduledUs: number[] = []; // index n − 1; 0 = unknown
  constructor(readonly channel: string, readonly publisher: string) {}
}

/** What one stream received from one publisher. */
class PublisherProgress {
  readonly n = new IntervalSet();
  maxN = 0;
}

/**
 * One subscriber stream (client × channel subscription). The driver keeps this handle and
 * passes it back; its fields belong to the ledger.
 */
export class Stream {
  start = -1;                 // first subd's `at`; -1 until then
  last = -1;                  // max(start, highest serial received): what to resume `from`
  readonly received = new IntervalSet();
  readonly gaps = new IntervalSet();
  openGapAfter = -1;          // an announced gap (openGapAfter, next delivered serial − 1] is open
  deliveriesTotal = 0;
  duplicated = 0;
  reordered = 0;
  phantom = 0;
  readonly pubs = new Map<string, PublisherProgress>();
  readonly examples: { duplicated: StreamExample[]; reordered: StreamExample[]; phantom: StreamExample[] } = {
    duplicated: [],
    reordered: [],
    phantom: [],
  };
  constructor(
    readonly clientId: string,
    readonly channel: string,
    /** This ledger's publishers on the channel (shared with the ledger). */
    readonly channelPublishers: Map<string, PublisherRecord>,
  ) {}
}

const COLON = 58;
const ZERO = 48;

/**
 * id === `${p}:${channel}:${n}` without building the string: compares the pieces in place
 * (no allocation, stops at the first differing character). n is a safe integer >= 1, so its
 * decimal form has no sign, exponent or leading zero.
 */
export function idMatches(id: string, p: string, channel: string, n: number): boolean {
  const pl = p.length;
  const nStart = pl + channel.length + 2;
  const digits = id.length - nStart;
  if (digits < 1 || digits > 16) return false;
  if (id.charCodeAt(pl) !== COLON || id.charCodeAt(nStart - 1) !== COLON) return false;
  if (!id.startsWith(p) || !id.startsWith(channel, pl + 1)) return false;
  if (id.charCodeAt(nStart) === ZERO) return false;
  let v = 0;
  for (let i = nStart; i < id.length; i++) {
    const c = id.charCodeAt(i) - ZERO;
    if (c < 0 || c > 9) return false;
    v = v * 10 + c;
  }
  return v === n;
}

export class IntegrityLedger {
  private readonly channels = new Map<string, Map<string, PublisherRecord>>();
  private readonly streams: Stream[] = [];
  private readonly knownPublishers: Set<string> | null;
  private readonly examplesPerStream: number;
  private readonly reasonsKept: number;
  private protocolErrors = 0;
  private readonly protocolReasons: string[] = [];

  constructor(options: LedgerOptions = {}) {
    this.knownPublishers = options.publishers ? new Set(options.publishers) : null;
    this.examplesPerStream = options.examplesPerStream ?? 10;
    this.reasonsKept = options.protocolReasonsKept ?? 10;
  }

  // ---------------------------------------------------------------- publisher side

  /**
   * Live estimate for the progress line: serials missing below each stream's highest one,
   * outside announced gaps. Not the verdict (a reordered message may still fill a hole, and
   * losses above the last serial show only at the end): account() decides.
   */
  holesSoFar(): number {
    let holes = 0;
    for (const st of this.streams) {
      if (st.start < 0 || st.last <= st.start) continue;
      const span = st.last - st.start;
      holes += span - st.received.countIn(st.start + 1, st.last) - st.gaps.countIn(st.start + 1, st.last);
    }
    return Math.max(0, holes);
  }

  /** First send of (publisher, n) on channel; retries must not be reported again. */
  publishSent(channel: string, publisher: string, n: number, scheduledUs: number): void {
    const rec = this.publisherRecord(channel, publisher);
    if (!rec.sent.add(n)) return;
    setAt(rec.scheduledUs, n - 1, scheduledUs);
  }

  /** The broker acked (publisher, n) as `serial`. A later, different ack for the same n is ignored. */
  publishAcked(channel: string, publisher: string, n: number, serial: number): void {
    const rec = this.publisherRecord(channel, publisher);
    const i = n - 1;
    if (i < rec.ackSerial.length && rec.ackSerial[i] !== 0) return;
    setAt(rec.ackSerial, i, serial);
  }

  // ---------------------------------------------------------------- subscriber side

  /** A new subscription of clientId to channel (once per subscription, NOT per connection). */
  openStream(clientId: string, channel: string): Stream {
    const stream = new Stream(clientId, channel, this.channelPublishers(channel));
    this.streams.push(stream);
    return stream;
  }

  /**
   * Every subd for the stream. The first sets its start serial; a later one with
   * resumed === false announces a gap after lastSerial(stream), closed by the next delivered
   * serial (or by the end of the run).
   */
  subscribed(stream: Stream, at: number, resumed: boolean | undefined): void {
    if (stream.start < 0) {
      stream.start = at;
      if (stream.last < at) stream.last = at;
      return;
    }
    if (resumed === false && stream.openGapAfter < 0) stream.openGapAfter = stream.last;
  }

  /** What the client sends as `from` when it resubscribes; undefined before the first subd. */
  lastSerial(stream: Stream): number | undefined {
    return stream.start < 0 ? undefined : stream.last;
  }

  /**
   * One msg frame on the stream. Returns the latency (µs, >= 0) to record for a valid first
   * delivery, or NOT_RECORDED (-1) for duplicates and phantoms.
   */
  deliver(stream: Stream, serial: number, id: string, d: unknown, recvUs: number): number {
    stream.deliveriesTotal++;
    const env = readEnvelope(d);
    if (env === null) return this.phantom(stream, serial, undefined, undefined, 'bad envelope');
    const p = env.p;
    const n = env.n;
    if (!idMatches(id, p, stream.channel, n)) return this.phantom(stream, serial, p, n, 'id mismatch');
    let progress = stream.pubs.get(p);
    if (progress === undefined) {
      const known = this.knownPublishers ? this.knownPublishers.has(p) : stream.channelPublishers.has(p);
      if (!known) return this.phantom(stream, serial, p, n, 'unknown publisher');
      progress = new PublisherProgress();
      stream.pubs.set(p, progress);
    }

    if (!stream.received.add(serial)) {
      stream.duplicated++;
      this.example(stream.examples.duplicated, serial, p, n);
      return NOT_RECORDED;
    }
    const serialWentBack = serial <= stream.last;
    if (!serialWentBack) stream.last = serial;
    if (stream.openGapAfter >= 0 && serial > stream.openGapAfter) {
      stream.gaps.addRange(stream.openGapAfter + 1, serial - 1);
      stream.openGapAfter = -1;
    }

    // A new serial carrying a (publisher, n) already received: the broker stored it twice.
    if (!progress.n.add(n)) {
      stream.duplicated++;
      this.example(stream.examples.duplicated, serial, p, n);
      return NOT_RECORDED;
    }
    if (serialWentBack || n < progress.maxN) {
      stream.reordered++;
      this.example(stream.examples.reordered, serial, p, n);
    }
    if (n > progress.maxN) progress.maxN = n;
    const latency = recvUs - env.ts;
    return latency > 0 ? latency : 0;
  }

  /** A frame from the target that broke protocol v1. */
  protocolError(reason: string): void {
    this.protocolErrors++;
    if (this.protocolReasons.length < this.reasonsKept && !this.protocolReasons.includes(reason)) {
      this.protocolReasons.push(reason);
    }
  }

  // ---------------------------------------------------------------- state

  /** Everything this ledger saw, as plain JSON (input of account()). */
  snapshot(): LedgerSnapshot {
    const publishers: PublisherSnapshot[] = [];
    for (const byPublisher of this.channels.values()) {
      for (const rec of byPublisher.values()) {
        const length = Math.max(rec.sent.max, rec.ackSerial.length, rec.scheduledUs.length);
        publishers.push({
          channel: rec.channel,
          publisher: rec.publisher,
          sent: rec.sent.toJSON(),
          ackSerial: deltaEncode(padded(rec.ackSerial, length)),
          scheduledUs: deltaEncode(padded(rec.scheduledUs, length)),
        });
      }
    }
    const streams: StreamSnapshot[] = this.streams.map((s) => ({
      client: s.clientId,
      channel: s.channel,
      start: s.start,
      received: s.received.toJSON(),
      publishers: [...s.pubs].map(([p, prog]) => ({ p, n: prog.n.toJSON() })),
      gaps: s.gaps.toJSON(),
      openGapAfter: s.openGapAfter,
      deliveriesTotal: s.deliveriesTotal,
      duplicated: s.duplicated,
      reordered: s.reordered,
      phantom: s.phantom,
      examples: {
        duplicated: s.examples.duplicated.map((e) => ({ ...e })),
        reordered: s.examples.reordered.map((e) => ({ ...e })),
        phantom: s.examples.phantom.map((e) => ({ ...e })),
      },
    }));
    return {
      version: LEDGER_SNAPSHOT_VERSION,
      publishers,
      streams,
      protocolErrors: this.protocolErrors,
      protocolErrorReasons: this.protocolReasons.slice(),
    };
  }

  // ---------------------------------------------------------------- internals

  private phantom(stream: Stream, serial: number, p: string | undefined, n: number | undefined, why: string): number {
    stream.phantom++;
    const list = stream.examples.phantom;
    if (list.length < this.examplesPerStream) {
      const e: StreamExample = { s: serial, why };
      if (p !== undefined) e.p = p;
      if (n !== undefined) e.n = n;
      list.push(e);
    }
    return NOT_RECORDED;
  }

  private example(list: StreamExample[], s: number, p: string, n: number): void {
    if (list.length < this.examplesPerStream) list.push({ s, p, n });
  }

  private channelPublishers(channel: string): Map<string, PublisherRecord> {
    let m = this.channels.get(channel);
    if (m === undefined) {
      m = new Map();
      this.channels.set(channel, m);
    }
    return m;
  }

  private publisherRecord(channel: string, publisher: string): PublisherRecord {
    const m = this.channelPublishers(channel);
    let rec = m.get(publisher);
    if (rec === undefined) {
      rec = new PublisherRecord(channel, publisher);
      m.set(publisher, rec);
    }
    return rec;
  }
}

/** arr[i] = v, filling any hole before i with 0 (n values normally arrive in order: a push). */
function setAt(arr: number[], i: number, v: number): void {
  while (arr.length < i) arr.push(0);
  arr[i] = v;
}

function padded(arr: readonly number[], length: number): number[] {
  const out = arr.slice();
  while (out.length < length) out.push(0);
  return out;
}

// The integrity ledger: one per process, fed from the load driver's hot path. It records
// FACTS in interval form: the publish log of the publishers this process runs (scheduled,
// first sent, acked: when and as which serial), and for each subscriber stream what it
// received, when its subscription was confirmed, dropped, resumed or announced broken. It
// classifies each delivery as it arrives (duplicate, reorder, phantom); what a stream OWES is
// decided later by account() from every process's snapshot(), from the publish log and the
// confirmations (DESIGN.md "What the checker counts (v2)"): never from the target's serials
// alone, which are checked in addition.
//
// Cost per delivery: O(1) amortised, no allocation in the healthy case (a stream's serials
// and each publisher's n values extend the last range of an IntervalSet).
import { paddingMatches, readEnvelope, type EnvelopeView } from '../protocol/envelope';
import { IntervalSet } from './intervals';
import { deltaEncode, LEDGER_SNAPSHOT_VERSION, NO_END } from './snapshot';
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
  /**
   * The filler every published padding ends with (protocol/envelope fillerFor). With it, a
   * delivered payload must be byte for byte the published one (seal and filler); without it
   * only the envelope's shape is checked (unit tests of other rules).
   */
  filler?: string;
  /** Examples kept per stream and kind (duplicated, reordered, phantom). Default 10. */
  examplesPerStream?: number;
  /** Distinct protocol-error reasons kept. Default 10. */
  protocolReasonsKept?: number;
}

/** One publisher on one channel, as seen by the process that runs it: its publish log. */
class PublisherRecord {
  scheduled = 0;                       // messages created: n = 1 … scheduled
  readonly sent = new IntervalSet();
  readonly scheduledUs: number[] = []; // index n − 1
  readonly firstSendUs: number[] = []; // index n − 1; 0 = never sent
  readonly ackUs: number[] = [];       // index n − 1; 0 = not acked
  readonly ackSerial: number[] = [];   // index n − 1; 0 = not acked (or acked without a serial)
  constructor(readonly channel: string, readonly publisher: string) {}
}

/** One channel as this process knows it: the logs of the publishers it runs. */
class ChannelLog {
  readonly publishers = new Map<string, PublisherRecord>();
}

/** What one stream received from one publisher. */
class PublisherProgress {
  readonly n = new IntervalSet();
  maxN = 0;
}

/** A stream's first examples of each problem (kept only once it has one). */
export interface StreamExamples { duplicated: StreamExample[]; reordered: StreamExample[]; phantom: StreamExample[] }

/**
 * One subscriber stream (client × channel subscription). The driver keeps this handle and
 * passes it back; its fields belong to the ledger. There is one per subscription (100,000 at
 * 50,000 clients), held for the whole run: what most streams never need (examples, announced
 * gaps) or need only once messages flow (the publisher map) is created on first use.
 */
export class Stream {
  last = -1;                  // resume position: max(subd `at`s, highest serial received); -1 before any
  maxSerial = -1;             // highest serial received
  connected = false;          // a confirmed session is open on the current connection
  readonly received = new IntervalSet();
  /** Covered intervals, flat: [startUs, endUs (NO_END = open), startSerial, maxSerial] per interval. */
  intervals: number[] = [];
  /** Confirmed sessions (one connection each), flat: [startUs, endUs (NO_END = open)]. */
  sessions: number[] = [];
  /** serials the target said it could no longer deliver (null: none so far) */
  announced: IntervalSet | null = null;
  deliveriesTotal = 0;
  duplicated = 0;
  reordered = 0;              // deliveries out of order (serial went back, or a publisher's n did)
  reorderedN = 0;             // of those, a publisher's n went back
  phantom = 0;
  /** each publisher heard on this stream and its progress (null until the first delivery) */
  pubs: Map<string, PublisherProgress> | null = null;
  /** the publisher of the last accepted delivery and its progress: most streams hear one publisher at a time (no map lookup) */
  lastP = '';
  lastProgress: PublisherProgress | null = null;
  examples: StreamExamples | null = null;
  constructor(
    readonly clientId: string,
    readonly channel: string,
    /** This ledger's view of the channel (shared with the ledger). */
    readonly log: ChannelLog,
  ) {}

  /** Index in `intervals` of the current (last) interval, or -1. */
  get current(): number {
    return this.intervals.length - 4;
  }

  /** The examples lists, created on the first problem. */
  problems(): StreamExamples {
    return (this.examples ??= { duplicated: [], reordered: [], phantom: [] });
  }
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
  private readonly channels = new Map<string, ChannelLog>();
  private readonly streams: Stream[] = [];
  private readonly knownPublishers: Set<string> | null;
  private readonly filler: string | null;
  private readonly examplesPerStream: number;
  private readonly reasonsKept: number;
  private protocolErrors = 0;
  private readonly protocolReasons: string[] = [];

  constructor(options: LedgerOptions = {}) {
    this.knownPublishers = options.publishers ? new Set(options.publishers) : null;
    this.filler = options.filler ?? null;
    this.examplesPerStream = options.examplesPerStream ?? 10;
    this.reasonsKept = options.protocolReasonsKept ?? 10;
  }

  /**
   * Live estimate for the progress line: serials missing below each stream's highest one,
   * outside announced gaps. Not the verdict (a reordered message may still fill a hole, and
   * losses above the last serial show only at the end): account() decides.
   */
  holesSoFar(): number {
    let holes = 0;
    for (const st of this.streams) {
      if (st.intervals.length === 0) continue;
      const from = st.intervals[2] + 1;
      if (st.last < from) continue;
      holes += st.last - from + 1 - st.received.countIn(from, st.last) - (st.announced?.countIn(from, st.last) ?? 0);
    }
    return Math.max(0, holes);
  }

  // ---------------------------------------------------------------- publish log

  /** Message n of publisher on channel was created for its scheduled time (n = 1, 2, 3 …). */
  publishScheduled(channel: string, publisher: string, n: number, scheduledUs: number): void {
    const rec = this.publisherRecord(channel, publisher);
    if (n > rec.scheduled) rec.scheduled = n;
    setAt(rec.scheduledUs, n - 1, scheduledUs);
  }

  /** First send of (publisher, n) on channel at sendUs; retries must not be reported again. */
  publishSent(channel: string, publisher: string, n: number, scheduledUs: number, sendUs: number): void {
    const rec = this.publisherRecord(channel, publisher);
    if (!rec.sent.add(n)) return;
    if (n > rec.scheduled) rec.scheduled = n;
    setAt(rec.scheduledUs, n - 1, scheduledUs);
    setAt(rec.firstSendUs, n - 1, sendUs);
  }

  /** The target acked (publisher, n) as `serial` (0: no serial) at ackUs. A later ack for the same n is ignored. */
  publishAcked(channel: string, publisher: string, n: number, serial: number, ackUs: number): void {
    const rec = this.publisherRecord(channel, publisher);
    const i = n - 1;
    if (i < rec.ackUs.length && rec.ackUs[i] !== 0) return;
    setAt(rec.ackUs, i, ackUs);
    setAt(rec.ackSerial, i, serial);
  }

  // ---------------------------------------------------------------- subscriber side

  /** A new subscription of clientId to channel (once per subscription, NOT per connection). */
  openStream(clientId: string, channel: string): Stream {
    const stream = new Stream(clientId, channel, this.channelLog(channel));
    this.streams.push(stream);
    return stream;
  }

  /**
   * The target confirmed the subscription on the current connection (subd) at nowUs.
   * The first confirmation opens the stream's first covered interval at `at`. After a drop:
   * resumed === true (continuity claimed) keeps the interval going across the outage;
   * otherwise the old interval stays closed at the drop and a new one starts now, and
   * resumed === false announces that serials (last, at] will never come.
   */
  subscribed(stream: Stream, at: number, resumed: boolean | undefined, nowUs: number): void {
    if (stream.connected) return; // a second confirmation on one connection adds nothing
    stream.connected = true;
    // A first entry gets an array of its own size (a push would reserve 16 slots; most streams keep one).
    if (stream.sessions.length === 0) stream.sessions = [nowUs, NO_END];
    else stream.sessions.push(nowUs, NO_END);
    const cur = stream.current;
    if (cur >= 0 && resumed === true) {
      stream.intervals[cur + 1] = NO_END;
    } else {
      if (cur >= 0 && resumed === false && at > stream.last) (stream.announced ??= new IntervalSet()).addRange(stream.last + 1, at);
      if (cur < 0) stream.intervals = [nowUs, NO_END, at, at];
      else stream.intervals.push(nowUs, NO_END, at, at);
    }
    if (at > stream.last) stream.last = at;
  }

  /** The connection carrying the stream closed at nowUs: its session (and, unless resumed later, its interval) ends. */
  dropped(stream: Stream, nowUs: number): void {
    if (!stream.connected) return;
    stream.connected = false;
    stream.sessions[stream.sessions.length - 1] = nowUs;
    stream.intervals[stream.current + 1] = nowUs;
  }

  /** What the client sends as `from` when it resubscribes; undefined before the first subd. */
  lastSerial(stream: Stream): number | undefined {
    return stream.intervals.length === 0 ? undefined : stream.last;
  }

  /**
   * One msg frame on the stream (also before its subd: a target may replay first). Returns
   * the latency (µs, >= 0) to record for a valid first delivery, or NOT_RECORDED (-1) for
   * duplicates and phantoms.
   */
  deliver(stream: Stream, serial: number, id: string, d: unknown, recvUs: number): number {
    stream.deliveriesTotal++;
    const env = readEnvelope(d);
    if (env === null) return this.phantom(stream, serial, undefined, undefined, 'bad envelope');
    const p = env.p;
    const n = env.n;
    if (!idMatches(id, p, stream.channel, n)) return this.phantom(stream, serial, p, n, 'id mismatch');
    if (this.filler !== null && !paddingMatches(env.x, p, n, env.ts, this.filler)) {
      return this.phantom(stream, serial, p, n, 'payload differs from what was published');
    }
    return this.accept(stream, serial, p, n, env.ts, recvUs);
  }

  /** deliver() for a message an adapter's fast path read in place: the same checks, through the view. */
  deliverView(stream: Stream, serial: number, view: EnvelopeView, recvUs: number): number {
    stream.deliveriesTotal++;
    const p = view.p;
    const n = view.n;
    if (!view.keyMatches(stream.channel)) return this.phantom(stream, serial, p, n, 'id mismatch');
    if (this.filler !== null && !view.paddingMatches(this.filler)) {
      return this.phantom(stream, serial, p, n, 'payload differs from what was published');
    }
    return this.accept(stream, serial, p, n, view.ts, recvUs);
  }

  /** The rules every well-formed, untampered delivery goes through (publisher, duplicates, order). */
  private accept(stream: Stream, serial: number, p: string, n: number, ts: number, recvUs: number): number {
    let progress = stream.lastProgress;
    if (progress === null || p !== stream.lastP) {
      const pubs = (stream.pubs ??= new Map());
      progress = pubs.get(p) ?? null;
      if (progress === null) {
        const known = this.knownPublishers ? this.knownPublishers.has(p) : stream.log.publishers.has(p);
        if (!known) return this.phantom(stream, serial, p, n, 'unknown publisher');
        progress = new PublisherProgress();
        pubs.set(p, progress);
      }
    }
    stream.lastP = p;
    stream.lastProgress = progress;

    if (!stream.received.add(serial)) {
      stream.duplicated++;
      this.example(stream.problems().duplicated, serial, p, n);
      return NOT_RECORDED;
    }
    const serialWentBack = serial < stream.maxSerial;
    if (serial > stream.maxSerial) stream.maxSerial = serial;
    if (serial > stream.last) stream.last = serial;
    const cur = stream.current;
    if (cur >= 0 && serial > stream.intervals[cur + 3]) stream.intervals[cur + 3] = serial;

    // A new serial carrying a (publisher, n) already received: the target stored it twice.
    if (!progress.n.add(n)) {
      stream.duplicated++;
      this.example(stream.problems().duplicated, serial, p, n);
      return NOT_RECORDED;
    }
    const nWentBack = n < progress.maxN;
    if (serialWentBack || nWentBack) {
      stream.reordered++;
      if (nWentBack) stream.reorderedN++;
      this.example(stream.problems().reordered, serial, p, n);
    }
    if (n > progress.maxN) progress.maxN = n;
    const latency = recvUs - ts;
    return latency > 0 ? latency : 0;
  }

  /** A frame from the target that broke the protocol. */
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
    for (const channel of this.channels.values()) {
      for (const rec of channel.publishers.values()) {
        const length = Math.max(rec.scheduled, rec.sent.max, rec.ackUs.length, rec.scheduledUs.length);
        publishers.push({
          channel: rec.channel,
          publisher: rec.publisher,
          scheduled: rec.scheduled,
          sent: rec.sent.toJSON(),
          scheduledUs: deltaEncode(padded(rec.scheduledUs, length)),
          firstSendUs: deltaEncode(padded(rec.firstSendUs, length)),
          ackUs: deltaEncode(padded(rec.ackUs, length)),
          ackSerial: deltaEncode(padded(rec.ackSerial, length)),
        });
      }
    }
    const streams: StreamSnapshot[] = this.streams.map((s) => ({
      client: s.clientId,
      channel: s.channel,
      intervals: s.intervals.slice(),
      sessions: s.sessions.slice(),
      received: s.received.toJSON(),
      publishers: [...(s.pubs ?? [])].map(([p, prog]) => ({ p, n: prog.n.toJSON() })),
      announced: s.announced?.toJSON() ?? [],
      deliveriesTotal: s.deliveriesTotal,
      duplicated: s.duplicated,
      reordered: s.reordered,
      reorderedN: s.reorderedN,
      phantom: s.phantom,
      examples: {
        duplicated: copyExamples(s.examples?.duplicated),
        reordered: copyExamples(s.examples?.reordered),
        phantom: copyExamples(s.examples?.phantom),
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
    const list = stream.problems().phantom;
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

  private channelLog(channel: string): ChannelLog {
    let log = this.channels.get(channel);
    if (log === undefined) {
      log = new ChannelLog();
      this.channels.set(channel, log);
    }
    return log;
  }

  private publisherRecord(channel: string, publisher: string): PublisherRecord {
    const m = this.channelLog(channel).publishers;
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

function copyExamples(list: readonly StreamExample[] | undefined): StreamExample[] {
  return list ? list.map((e) => ({ ...e })) : [];
}

function padded(arr: readonly number[], length: number): number[] {
  const out = arr.slice();
  while (out.length < length) out.push(0);
  return out;
}

// The verdict of the integrity check (DESIGN.md "What the checker counts (v2)"), computed once
// at the end from every process's ledger snapshot. What a stream OWES comes from chat-bench's
// own publish log and from when the target confirmed each subscription; the target's serials
// only ADD obligations (a resumed range it promised) and are checked for conflicts. A pure
// function of the snapshots' facts: splitting publishers and streams over several snapshots
// gives exactly the same answer as one snapshot holding everything.
import type { ChannelIntegrity, IntegrityExample, IntegrityTotals } from '../contracts/results';
import { usageError } from '../util/errors';
import { IntervalSet } from './intervals';
import { deltaDecode, LEDGER_SNAPSHOT_VERSION, NO_END } from './snapshot';
import type { LedgerSnapshot, StreamExample, StreamSnapshot } from './snapshot';

export interface FaultWindow { startMs: number; endMs: number; label: string }

export interface AccountOptions {
  faultWindows: FaultWindow[];   // ms since run start; an example inside one is labelled with it
  runStartUs: number;            // same clock as the envelopes' ts
  maxExamples?: number;          // per kind; default 20
  /** The run was cut short: what is still owed is "not delivered yet", not lost. */
  interrupted?: boolean;
  /**
   * When the drain ended (µs). A message acked less than the edge allowance before it, still
   * owed to a stream open at the end, had no time to arrive: not delivered yet, not lost (a
   * drain that ends early because everything went quiet leaves no such message).
   */
  endUs?: number;
  /**
   * How long before endUs a message may have been acked and still be on its way (µs; default
   * the edge allowance). The run passes its observed p99.9 delivery latency: a slow but working
   * target is not charged with messages it had no time to deliver, and a quiet drain (1 s
   * without a delivery before it ends) still counts a dropped last message as lost.
   */
  endAllowanceUs?: number;
  /**
   * A message acked less than this before a session ended, when no resume followed, may have
   * been in flight towards the subscriber when it left: may-receive, not owed (and for
   * at-most-once, its delivery window counts as overlapping the disconnect). Default 2 s.
   */
  edgeAllowanceUs?: number;
}

export interface IntegrityAccount {
  totals: IntegrityTotals;
  channels: ChannelIntegrity[];  // worst first
  examples: IntegrityExample[];  // lost, duplicated, reordered, phantom (each at most maxExamples)
  /** Lost deliveries per second of SCHEDULED send time (index = second since run start); for SecondSample.lost. */
  lostBySecond: number[];
  protocolErrorReasons: string[];
}

export const DEFAULT_EDGE_ALLOWANCE_US = 2_000_000;
const CLIENTS_PER_EXAMPLE = 5;

/** A publisher's log on one channel, merged over snapshots. Arrays are indexed by n − 1. */
interface PublishLog {
  publisher: string;
  scheduled: number;
  sent: IntervalSet;
  scheduledUs: number[];
  firstSendUs: number[];   // 0 = never sent
  ackUs: number[];         // 0 = never acked
  ackSerial: number[];     // 0 = never acked / no serial
  acked: IntervalSet;      // n values acked
  sendsInOrder: boolean;   // firstSendUs non-decreasing over the sent n (stop-and-wait): binary search works
  ackedNs: number[];       // the acked n with a serial, ascending …
  ackedSerials: number[];  // … and their serials
  serialsInOrder: boolean; // ackedSerials strictly increasing (a correct sequencer): binary search works
}

interface ChannelFacts {
  channel: string;
  publishers: Map<string, PublishLog>;
  streams: StreamSnapshot[];
}

export function emptyTotals(): IntegrityTotals {
  return {
    scheduled: 0, published: 0, acked: 0, inDoubt: 0, unsent: 0, expected: 0, delivered: 0, deliveriesTotal: 0,
    lost: 0, lostSilent: 0, lostAnnounced: 0, lostInSession: 0, notDelivered: 0, duplicated: 0, reordered: 0,
    reorderedN: 0, phantom: 0, unackedDelivered: 0, serialConflicts: 0, unconfirmedStreams: 0, protocolErrors: 0,
  };
}

export function account(snapshots: LedgerSnapshot[], opts: AccountOptions): IntegrityAccount {
  const maxExamples = opts.maxExamples ?? 20;
  const facts = gatherFacts(snapshots);
  const lostBySecond: number[] = [];
  const candidates: Candidate[] = [];
  const channels: ChannelIntegrity[] = [];
  const ctx: ChannelContext = {
    runStartUs: opts.runStartUs, maxExamples, candidates, lostBySecond,
    interrupted: opts.interrupted === true, edgeUs: opts.edgeAllowanceUs ?? DEFAULT_EDGE_ALLOWANCE_US,
    endUs: opts.endUs ?? Infinity,
    endAllowanceUs: opts.endAllowanceUs ?? opts.edgeAllowanceUs ?? DEFAULT_EDGE_ALLOWANCE_US,
  };
  for (const name of [...facts.keys()].sort()) channels.push(accountChannel(facts.get(name)!, ctx));
  channels.sort(worstFirst);

  const totals = emptyTotals();
  for (const c of channels) {
    for (const k of Object.keys(totals) as Array<keyof IntegrityTotals>) if (k !== 'protocolErrors') totals[k] += c[k];
  }
  const reasons = new Set<string>();
  for (const s of snapshots) {
    totals.protocolErrors += s.protocolErrors;
    for (const r of s.protocolErrorReasons) reasons.add(r);
  }
  for (let i = 0; i < lostBySecond.length; i++) lostBySecond[i] ??= 0;
  return { totals, channels, examples: pickExamples(candidates, maxExamples, opts), lostBySecond, protocolErrorReasons: [...reasons].sort().slice(0, 10) };
}

// ------------------------------------------------------------------------- gathering

function gatherFacts(snapshots: LedgerSnapshot[]): Map<string, ChannelFacts> {
  const channels = new Map<string, ChannelFacts>();
  const channelOf = (name: string): ChannelFacts => {
    let c = channels.get(name);
    if (!c) {
      c = { channel: name, publishers: new Map(), streams: [] };
      channels.set(name, c);
    }
    return c;
  };
  for (const snap of snapshots) {
    if (snap?.version !== LEDGER_SNAPSHOT_VERSION) {
      throw usageError(`ledger snapshot version ${String(snap?.version)} is not supported (expected ${LEDGER_SNAPSHOT_VERSION})`,
        'merge results produced by the same chat-bench version');
    }
    for (const p of snap.publishers) {
      const incoming = {
        scheduled: p.scheduled,
        sent: IntervalSet.fromJSON(p.sent),
        scheduledUs: deltaDecode(p.scheduledUs),
        firstSendUs: deltaDecode(p.firstSendUs),
        ackUs: deltaDecode(p.ackUs),
        ackSerial: deltaDecode(p.ackSerial),
      };
      const c = channelOf(p.channel);
      const existing = c.publishers.get(p.publisher);
      if (!existing) c.publishers.set(p.publisher, { publisher: p.publisher, ...incoming, acked: new IntervalSet(), sendsInOrder: true, ackedNs: [], ackedSerials: [], serialsInOrder: true });
      else {
        existing.scheduled = Math.max(existing.scheduled, incoming.scheduled);
        existing.sent = existing.sent.union(incoming.sent);
        existing.scheduledUs = mergeNonZero(existing.scheduledUs, incoming.scheduledUs);
        existing.firstSendUs = mergeNonZero(existing.firstSendUs, incoming.firstSendUs);
        existing.ackUs = mergeNonZero(existing.ackUs, incoming.ackUs);
        existing.ackSerial = mergeNonZero(existing.ackSerial, incoming.ackSerial);
      }
    }
    for (const s of snap.streams) channelOf(s.channel).streams.push(s);
  }
  for (const c of channels.values()) {
    for (const log of c.publishers.values()) {
      log.ackUs.forEach((t, i) => {
        if (t === 0) return;
        log.acked.add(i + 1);
        const serial = log.ackSerial[i] ?? 0;
        if (serial === 0) return;
        const prev = log.ackedSerials[log.ackedSerials.length - 1];
        if (prev !== undefined && serial <= prev) log.serialsInOrder = false;
        log.ackedNs.push(i + 1);
        log.ackedSerials.push(serial);
      });
      let prev = 0;
      log.sent.forEachRange((lo, hi) => {
        for (let n = lo; n <= hi; n++) {
          const t = log.firstSendUs[n - 1] ?? 0;
          if (t < prev) log.sendsInOrder = false;
          prev = t;
        }
      });
    }
  }
  return channels;
}

/** Element-wise: the non-zero value, the smaller one when both are set (order-independent). */
function mergeNonZero(a: number[], b: number[]): number[] {
  const out = new Array<number>(Math.max(a.length, b.length));
  for (let i = 0; i < out.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    out[i] = x === 0 ? y : y === 0 ? x : Math.min(x, y);
  }
  return out;
}

// ------------------------------------------------------------------------- obligations

interface Interval { startUs: number; endUs: number; startSerial: number; maxSerial: number; resumedLater: boolean }

/** The stream's covered intervals; `endUs` is Infinity while open at the end of the drain. */
function intervalsOf(s: StreamSnapshot): Interval[] {
  const out: Interval[] = [];
  for (let i = 0; i + 3 < s.intervals.length; i += 4) {
    out.push({
      startUs: s.intervals[i], endUs: s.intervals[i + 1] === NO_END ? Infinity : s.intervals[i + 1],
      startSerial: s.intervals[i + 2], maxSerial: s.intervals[i + 3], resumedLater: false,
    });
  }
  // An interval followed by another one ended with an announced or unannounced break, and the
  // client did come back; the last closed interval was never followed by anything.
  for (let i = 0; i + 1 < out.length; i++) out[i].resumedLater = true;
  return out;
}

/** First n (1-based) in [1, last] whose first send is at or after t, or last + 1. */
function firstSentFrom(log: PublishLog, last: number, t: number): number {
  if (!log.sendsInOrder) {
    for (let n = 1; n <= last; n++) if ((log.firstSendUs[n - 1] ?? 0) >= t) return n;
    return last + 1;
  }
  let lo = 1;
  let hi = last + 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((log.firstSendUs[mid - 1] ?? 0) >= t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The n values of one publisher that one interval owes: acked, first sent inside the interval
 * and acked before it ended (for a closed interval no resume followed: before it ended by more
 * than the edge allowance); plus, with serials, every acked n whose serial lies in the range
 * the target delivered in that interval (startSerial, maxSerial].
 */
function owedBy(log: PublishLog, iv: Interval, edgeUs: number): IntervalSet {
  const owed = new IntervalSet();
  const last = log.sent.max;
  if (last < 1 || log.acked.isEmpty) return owed;
  const from = firstSentFrom(log, last, iv.startUs);
  if (iv.endUs === Infinity) {
    if (from <= last) return log.acked.intersectRange(from, last);
  } else {
    const ackBy = iv.resumedLater ? iv.endUs : iv.endUs - edgeUs;
    for (let n = from; n <= last; n++) {
      const sentAt = log.firstSendUs[n - 1] ?? 0;
      if (log.sendsInOrder && sentAt > ackBy) break; // acks come after sends: none later qualifies
      const ackAt = log.ackUs[n - 1] ?? 0;
      if (sentAt >= iv.startUs && ackAt !== 0 && ackAt <= ackBy) owed.add(n);
    }
  }
  if (iv.maxSerial > iv.startSerial) addBySerial(log, iv.startSerial, iv.maxSerial, owed);
  return owed;
}

/** Adds the acked n whose serial lies in (after, upTo]. */
function addBySerial(log: PublishLog, after: number, upTo: number, into: IntervalSet): void {
  const serials = log.ackedSerials;
  if (!log.serialsInOrder) {
    for (let i = 0; i < serials.length; i++) if (serials[i] > after && serials[i] <= upTo) into.add(log.ackedNs[i]);
    return;
  }
  const firstAbove = (v: number): number => {
    let lo = 0;
    let hi = serials.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (serials[mid] > v) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const from = firstAbove(after);
  const to = firstAbove(upTo); // exclusive
  if (from >= to) return;
  // n ascending with the serials: the acked n between the two ends (refused ones have no serial)
  log.acked.intersectRange(log.ackedNs[from], log.ackedNs[to - 1]).forEachRange((lo, hi) => into.addRange(lo, hi));
}

/** Whether [fromUs, toUs] lies inside one of the stream's confirmed sessions. */
function insideOneSession(sessions: readonly number[], fromUs: number, toUs: number): boolean {
  for (let i = 0; i + 1 < sessions.length; i += 2) {
    const end = sessions[i + 1] === NO_END ? Infinity : sessions[i + 1];
    if (sessions[i] <= fromUs && toUs <= end) return true;
  }
  return false;
}

// ------------------------------------------------------------------------- one channel

interface Candidate {
  kind: IntegrityExample['kind'];
  channel: string;
  serial?: number;
  publisher?: string;
  n?: number;
  clients: string[];
  scheduledUs?: number;
  sentUs?: number;
  ackedUs?: number;
  announced?: boolean;
}

interface ChannelContext {
  runStartUs: number;
  maxExamples: number;
  candidates: Candidate[];
  lostBySecond: number[];
  interrupted: boolean;
  edgeUs: number;
  endUs: number;
  endAllowanceUs: number;
}

function accountChannel(c: ChannelFacts, ctx: ChannelContext): ChannelIntegrity {
  const logs = [...c.publishers.values()].sort((a, b) => cmp(a.publisher, b.publisher));
  const streams = c.streams.slice().sort((a, b) => cmp(a.client, b.client));
  const out: ChannelIntegrity = {
    channel: c.channel, streams: streams.length, lastSerial: 0, ...emptyTotals(),
  };
  delete (out as Partial<IntegrityTotals>).protocolErrors;

  // Publish health, from the publish log alone.
  const serialOwner = new Map<number, string>();
  const conflicts = new IntervalSet();
  for (const log of logs) {
    out.scheduled += log.scheduled;
    out.published += log.sent.count;
    out.acked += log.acked.count;
    out.inDoubt += log.sent.subtract(log.acked).count;
    out.unsent += Math.max(0, log.scheduled - log.sent.count);
    log.acked.forEachRange((lo, hi) => {
      for (let n = lo; n <= hi; n++) {
        const s = log.ackSerial[n - 1];
        if (!s) continue;
        if (s > out.lastSerial) out.lastSerial = s;
        const owner = `${log.publisher}\u0000${n}`;
        const prev = serialOwner.get(s);
        if (prev === undefined) serialOwner.set(s, owner);
        else if (prev !== owner) conflicts.add(s); // two messages acked as one serial
      }
    });
  }

  const lostExamples: Array<{ p: string; n: number; announced: boolean; client: string }> = [];
  const inDoubtDelivered = new Map<string, IntervalSet>();
  const neverSent = new Map<string, { n: number; clients: string[] }>();
  for (const s of streams) {
    out.deliveriesTotal += s.deliveriesTotal;
    out.duplicated += s.duplicated;
    out.reordered += s.reordered;
    out.reorderedN += s.reorderedN;
    out.phantom += s.phantom;
    const received = IntervalSet.fromJSON(s.received);
    if (received.max > out.lastSerial) out.lastSerial = received.max;
    const receivedN = new Map(s.publishers.map(({ p, n }) => [p, IntervalSet.fromJSON(n)]));

    // Deliveries of messages chat-bench never sent; delivered although never acked.
    for (const [p, got] of receivedN) {
      const log = c.publishers.get(p);
      const bogus = log ? got.subtract(log.sent) : got;
      out.phantom += bogus.count;
      for (const bad of bogus.first(ctx.maxExamples)) {
        const key = `${p}\u0000${bad}`;
        const entry = neverSent.get(key) ?? { n: bad, clients: [] };
        if (entry.clients.length < CLIENTS_PER_EXAMPLE) entry.clients.push(s.client);
        neverSent.set(key, entry);
      }
      if (log) inDoubtDelivered.set(p, (inDoubtDelivered.get(p) ?? new IntervalSet()).union(got.intersect(log.sent).subtract(log.acked)));
    }

    const intervals = intervalsOf(s);
    if (intervals.length === 0) {
      out.unconfirmedStreams++;
      continue;
    }
    const announced = IntervalSet.fromJSON(s.announced);
    for (const log of logs) {
      let owed = new IntervalSet();
      for (const iv of intervals) owed = owed.union(owedBy(log, iv, ctx.edgeUs));
      if (owed.isEmpty) continue;
      const got = receivedN.get(log.publisher) ?? new IntervalSet();
      const missing = owed.subtract(got);
      out.expected += owed.count;
      out.delivered += owed.count - missing.count;
      if (missing.isEmpty) continue;
      if (ctx.interrupted) {
        out.notDelivered += missing.count;
        continue;
      }
      const openAtEnd = intervals[intervals.length - 1].endUs === Infinity;
      missing.forEachRange((lo, hi) => {
        for (let n = lo; n <= hi; n++) {
          if (openAtEnd && log.ackUs[n - 1] > ctx.endUs - ctx.endAllowanceUs) {
            out.notDelivered++;
            continue;
          }
          const serial = log.ackSerial[n - 1];
          const isAnnounced = serial > 0 && announced.has(serial);
          if (isAnnounced) out.lostAnnounced++;
          else out.lostSilent++;
          const ackAt = log.ackUs[n - 1];
          if (insideOneSession(s.sessions, log.firstSendUs[n - 1], ackAt + ctx.edgeUs)) out.lostInSession++;
          const t = log.scheduledUs[n - 1];
          if (t && t >= ctx.runStartUs) {
            const sec = Math.floor((t - ctx.runStartUs) / 1e6);
            ctx.lostBySecond[sec] = (ctx.lostBySecond[sec] ?? 0) + 1;
          }
          if (lostExamples.length < ctx.maxExamples * 4) lostExamples.push({ p: log.publisher, n, announced: isAnnounced, client: s.client });
        }
      });
    }
  }
  out.lost = out.lostSilent + out.lostAnnounced;
  out.serialConflicts = conflicts.count;
  for (const set of inDoubtDelivered.values()) out.unackedDelivered += set.count;

  collectExamples(c, streams, lostExamples, neverSent, serialOwner, ctx);
  return out;
}

function collectExamples(
  c: ChannelFacts, streams: StreamSnapshot[], lost: Array<{ p: string; n: number; announced: boolean; client: string }>,
  neverSent: Map<string, { n: number; clients: string[] }>, serialOwner: Map<number, string>, ctx: ChannelContext,
): void {
  const scheduledOf = (p: string | undefined, n: number | undefined): number | undefined => {
    if (p === undefined || n === undefined) return undefined;
    const t = c.publishers.get(p)?.scheduledUs[n - 1];
    return t ? t : undefined;
  };
  const byMessage = new Map<string, Candidate>();
  for (const l of lost) {
    const key = `lost\u0000${l.p}\u0000${l.n}`;
    let cand = byMessage.get(key);
    if (!cand) {
      const serial = c.publishers.get(l.p)?.ackSerial[l.n - 1];
      cand = {
        kind: 'lost', channel: c.channel, publisher: l.p, n: l.n, clients: [], announced: l.announced,
        scheduledUs: scheduledOf(l.p, l.n), ...(serial ? { serial } : {}),
        sentUs: c.publishers.get(l.p)?.firstSendUs[l.n - 1], ackedUs: c.publishers.get(l.p)?.ackUs[l.n - 1],
      };
      byMessage.set(key, cand);
    }
    if (cand.clients.length < CLIENTS_PER_EXAMPLE && !cand.clients.includes(l.client)) cand.clients.push(l.client);
  }
  for (const s of streams) {
    for (const kind of ['duplicated', 'reordered', 'phantom'] as const) {
      for (const e of s.examples[kind]) addStreamExample(byMessage, kind, c.channel, s.client, e);
    }
  }
  for (const cand of byMessage.values()) {
    cand.scheduledUs ??= scheduledOf(cand.publisher, cand.n);
    if (cand.scheduledUs === undefined && cand.serial !== undefined) {
      // a phantom is placed in time by the message acked as its serial
      const owner = serialOwner.get(cand.serial);
      if (owner !== undefined) {
        const cut = owner.indexOf('\u0000');
        cand.scheduledUs = scheduledOf(owner.slice(0, cut), Number(owner.slice(cut + 1)));
      }
    }
    ctx.candidates.push(cand);
  }
  for (const [key, { n, clients }] of neverSent) {
    ctx.candidates.push({ kind: 'phantom', channel: c.channel, publisher: key.slice(0, key.indexOf('\u0000')), n, clients });
  }
}

function addStreamExample(
  into: Map<string, Candidate>, kind: 'duplicated' | 'reordered' | 'phantom', channel: string, client: string, e: StreamExample,
): void {
  const key = `${kind}\u0000${e.s}`;
  let cand = into.get(key);
  if (!cand) {
    cand = { kind, channel, serial: e.s, clients: [] };
    if (e.p !== undefined) cand.publisher = e.p;
    if (e.n !== undefined) cand.n = e.n;
    into.set(key, cand);
  }
  if (cand.clients.length < CLIENTS_PER_EXAMPLE && !cand.clients.includes(client)) cand.clients.push(client);
}

// ------------------------------------------------------------------------- ordering

function pickExamples(candidates: Candidate[], maxExamples: number, opts: AccountOptions): IntegrityExample[] {
  const out: IntegrityExample[] = [];
  for (const kind of ['lost', 'duplicated', 'reordered', 'phantom'] as const) {
    const ofKind = candidates.filter((c) => c.kind === kind).sort(earliestFirst);
    for (const c of ofKind.slice(0, maxExamples)) {
      const ex: IntegrityExample = { kind, channel: c.channel, clients: c.clients };
      if (c.serial !== undefined) ex.serial = c.serial;
      if (c.publisher !== undefined) ex.publisher = c.publisher;
      if (c.n !== undefined) ex.n = c.n;
      if (c.scheduledUs !== undefined) {
        const atMs = (c.scheduledUs - opts.runStartUs) / 1000;
        ex.atMs = Math.round(atMs * 1000) / 1000;
        const w = opts.faultWindows.find((f) => atMs >= f.startMs && atMs < f.endMs);
        if (w) ex.fault = w.label;
      }
      const sinceStart = (us: number) => Math.round((us - opts.runStartUs) / 1000);
      if (c.sentUs) ex.sentAtMs = sinceStart(c.sentUs);
      if (c.ackedUs) ex.ackedAtMs = sinceStart(c.ackedUs);
      if (kind === 'lost') ex.announced = c.announced === true;
      out.push(ex);
    }
  }
  return out;
}

/** Silent losses before announced ones; then by scheduled time (unknown last), channel, serial, publisher, n. */
function earliestFirst(a: Candidate, b: Candidate): number {
  return (Number(a.announced === true) - Number(b.announced === true))
    || (a.scheduledUs ?? Infinity) - (b.scheduledUs ?? Infinity) // NaN (both unknown) is falsy: next key
    || cmp(a.channel, b.channel)
    || (a.serial ?? Infinity) - (b.serial ?? Infinity)
    || cmp(a.publisher ?? '', b.publisher ?? '')
    || (a.n ?? 0) - (b.n ?? 0);
}

const silentErrors = (c: ChannelIntegrity) => c.lostSilent + c.duplicated + c.reordered + c.phantom + c.serialConflicts;

function worstFirst(a: ChannelIntegrity, b: ChannelIntegrity): number {
  return silentErrors(b) - silentErrors(a) || b.lostAnnounced - a.lostAnnounced || cmp(a.channel, b.channel);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// The verdict of the integrity check (DESIGN.md "What the checker counts"), computed once at
// the end from every process's ledger snapshot. A pure function of the snapshots' facts:
// splitting publishers and streams over several snapshots gives exactly the same answer as
// one snapshot holding everything (sets are unioned, counters summed, lists sorted).
import type { ChannelIntegrity, IntegrityExample, IntegrityTotals } from '../contracts/results';
import { usageError } from '../util/errors';
import { IntervalSet } from './intervals';
import { deltaDecode, LEDGER_SNAPSHOT_VERSION } from './snapshot';
import type { LedgerSnapshot, StreamExample, StreamSnapshot } from './snapshot';

export interface FaultWindow { startMs: number; endMs: number; label: string }

export interface AccountOptions {
  faultWindows: FaultWindow[];   // ms since run start; an example inside one is labelled with it
  runStartUs: number;            // same clock as the envelopes' ts
  maxExamples?: number;          // per kind; default 20
}

export interface IntegrityAccount {
  totals: IntegrityTotals;
  channels: ChannelIntegrity[];  // worst first
  examples: IntegrityExample[];  // lost, duplicated, reordered, phantom (each at most maxExamples)
  /** Lost deliveries per second of SCHEDULED send time (index = second since run start); for SecondSample.lost. */
  lostBySecond: number[];
  protocolErrorReasons: string[];
}

const CLIENTS_PER_EXAMPLE = 5;

/** A publisher's facts on one channel, merged over snapshots. */
interface MergedPublisher {
  publisher: string;
  sent: IntervalSet;
  ackSerial: number[];     // index n − 1, 0 = not acked
  scheduledUs: number[];   // index n − 1, 0 = unknown
}

interface ChannelFacts {
  channel: string;
  publishers: Map<string, MergedPublisher>;
  streams: StreamSnapshot[];
}

export function account(snapshots: LedgerSnapshot[], opts: AccountOptions): IntegrityAccount {
  const maxExamples = opts.maxExamples ?? 20;
  const facts = gatherFacts(snapshots);
  const lostBySecond: number[] = [];
  const candidates: Candidate[] = [];
  const channels: ChannelIntegrity[] = [];
  for (const name of [...facts.keys()].sort()) {
    channels.push(accountChannel(facts.get(name)!, opts.runStartUs, maxExamples, candidates, lostBySecond));
  }
  channels.sort(worstFirst);

  const totals: IntegrityTotals = {
    published: 0, acked: 0, expected: 0, delivered: 0, deliveriesTotal: 0, lost: 0, lostSilent: 0, lostAnnounced: 0,
    duplicated: 0, reordered: 0, phantom: 0, unackedDelivered: 0, serialConflicts: 0, protocolErrors: 0,
  };
  for (const c of channels) {
    for (const k of Object.keys(totals) as Array<keyof IntegrityTotals>) if (k !== 'protocolErrors') totals[k] += c[k];
  }
  // A sample, sorted so that it does not depend on the order of the snapshots.
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
      const incoming: MergedPublisher = {
        publisher: p.publisher,
        sent: IntervalSet.fromJSON(p.sent),
        ackSerial: deltaDecode(p.ackSerial),
        scheduledUs: deltaDecode(p.scheduledUs),
      };
      const c = channelOf(p.channel);
      const existing = c.publishers.get(p.publisher);
      if (!existing) c.publishers.set(p.publisher, incoming);
      else {
        existing.sent = existing.sent.union(incoming.sent);
        existing.ackSerial = mergeNonZero(existing.ackSerial, incoming.ackSerial);
        existing.scheduledUs = mergeNonZero(existing.scheduledUs, incoming.scheduledUs);
      }
    }
    for (const s of snap.streams) channelOf(s.channel).streams.push(s);
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

// ------------------------------------------------------------------------- one channel

/** Which (publisher, n) each acked serial belongs to; notes serials acked for two messages. */
class SerialOwners {
  private readonly densePub: Int32Array | null;
  private readonly denseN: Float64Array | null;
  private readonly sparse: Map<number, [number, number]> | null;
  readonly conflicts = new Set<number>();

  constructor(maxSerial: number, ackCount: number) {
    // Dense arrays for the normal case (serials 1…final); a map if the target sent absurd serials.
    const dense = maxSerial <= 4 * ackCount + 1_000_000;
    this.densePub = dense ? new Int32Array(maxSerial + 1).fill(-1) : null;
    this.denseN = dense ? new Float64Array(maxSerial + 1) : null;
    this.sparse = dense ? null : new Map();
  }

  set(serial: number, pub: number, n: number): void {
    const cur = this.pubOf(serial);
    if (cur < 0) {
      if (this.densePub) {
        this.densePub[serial] = pub;
        this.denseN![serial] = n;
      } else this.sparse!.set(serial, [pub, n]);
    } else if (cur !== pub || this.nOf(serial) !== n) this.conflicts.add(serial);
  }

  pubOf(serial: number): number {
    if (this.densePub) return serial < this.densePub.length ? this.densePub[serial] : -1;
    return this.sparse!.get(serial)?.[0] ?? -1;
  }

  nOf(serial: number): number {
    if (this.denseN) return serial < this.denseN.length ? this.denseN[serial] : 0;
    return this.sparse!.get(serial)?.[1] ?? 0;
  }
}

interface Candidate {
  kind: IntegrityExample['kind'];
  channel: string;
  serial?: number;
  publisher?: string;
  n?: number;
  clients: string[];
  scheduledUs?: number;
  announced?: boolean;
}

function accountChannel(
  c: ChannelFacts, runStartUs: number, maxExamples: number, candidates: Candidate[], lostBySecond: number[],
): ChannelIntegrity {
  const pubs = [...c.publishers.values()].sort((a, b) => cmp(a.publisher, b.publisher));
  const streams = c.streams.slice().sort((a, b) => cmp(a.client, b.client));

  // Known messages: serials acked to any publisher ∪ serials delivered to any stream.
  let published = 0;
  let acked = 0;
  for (const p of pubs) {
    published += p.sent.count;
    for (const s of p.ackSerial) if (s !== 0) acked++;
  }
  const ackSerials = new Float64Array(acked);
  let k = 0;
  for (const p of pubs) for (const s of p.ackSerial) if (s !== 0) ackSerials[k++] = s;
  ackSerials.sort();
  let known = IntervalSet.fromSorted(ackSerials);
  const received = streams.map((s) => IntervalSet.fromJSON(s.received));
  for (const r of received) known = known.union(r);
  const final = Math.max(0, known.max);

  const owners = new SerialOwners(acked > 0 ? ackSerials[acked - 1] : 0, acked);
  pubs.forEach((p, pi) => p.ackSerial.forEach((s, i) => { if (s !== 0) owners.set(s, pi, i + 1); }));
  const scheduledOf = (serial: number): number | undefined => {
    const pi = owners.pubOf(serial);
    if (pi < 0) return undefined;
    const t = pubs[pi].scheduledUs[owners.nOf(serial) - 1];
    return t ? t : undefined;
  };

  const out: ChannelIntegrity = {
    channel: c.channel, streams: streams.length, lastSerial: final,
    published, acked, expected: 0, delivered: 0, deliveriesTotal: 0, lost: 0, lostSilent: 0, lostAnnounced: 0,
    duplicated: 0, reordered: 0, phantom: 0, unackedDelivered: 0, serialConflicts: owners.conflicts.size,
  };

  // Per stream: expected, delivered, lost (silent / announced).
  const silentSets: IntervalSet[] = [];
  const announcedSets: IntervalSet[] = [];
  streams.forEach((s, i) => {
    out.deliveriesTotal += s.deliveriesTotal;
    out.duplicated += s.duplicated;
    out.reordered += s.reordered;
    out.phantom += s.phantom;
    const empty = new IntervalSet();
    if (s.start < 0) {
      silentSets.push(empty);
      announcedSets.push(empty);
      return;
    }
    const window = known.intersectRange(s.start + 1, final);
    let gaps = IntervalSet.fromJSON(s.gaps);
    if (s.openGapAfter >= 0 && s.openGapAfter < final) gaps = gaps.union(IntervalSet.fromJSON([s.openGapAfter + 1, final]));
    const expected = window.subtract(gaps);
    const delivered = expected.intersect(received[i]);
    const silent = expected.subtract(received[i]);
    const announced = window.intersect(gaps).subtract(received[i]);
    out.expected += expected.count;
    out.delivered += delivered.count;
    out.lostSilent += silent.count;
    out.lostAnnounced += announced.count;
    silentSets.push(silent);
    announcedSets.push(announced);
    for (const lost of [silent, announced]) {
      lost.forEachRange((lo, hi) => {
        for (let serial = lo; serial <= hi; serial++) {
          const t = scheduledOf(serial);
          if (t === undefined || t < runStartUs) continue;
          const sec = Math.floor((t - runStartUs) / 1e6);
          lostBySecond[sec] = (lostBySecond[sec] ?? 0) + 1;
        }
      });
    }
  });
  out.lost = out.lostSilent + out.lostAnnounced;

  // Per publisher: delivered but never acked; delivered but never sent (phantom).
  const deliveredN = new Map<string, IntervalSet>();
  const neverSent = new Map<string, { n: number; clients: string[] }>();
  for (const s of streams) {
    for (const { p, n } of s.publishers) {
      const got = IntervalSet.fromJSON(n);
      deliveredN.set(p, (deliveredN.get(p) ?? new IntervalSet()).union(got));
      const rec = c.publishers.get(p);
      const bogus = rec ? got.subtract(rec.sent) : got;
      out.phantom += bogus.count;
      for (const bad of bogus.first(maxExamples)) {
        const key = `${p}\u0000${bad}`;
        const entry = neverSent.get(key) ?? { n: bad, clients: [] };
        if (entry.clients.length < CLIENTS_PER_EXAMPLE) entry.clients.push(s.client);
        neverSent.set(key, entry);
      }
    }
  }
  for (const [p, got] of deliveredN) {
    const rec = c.publishers.get(p);
    if (!rec) continue;
    const ackedN = new IntervalSet();
    rec.ackSerial.forEach((s, i) => { if (s !== 0) ackedN.add(i + 1); });
    out.unackedDelivered += got.intersect(rec.sent).subtract(ackedN).count;
  }

  // Example candidates (pickExamples keeps the earliest maxExamples per kind over all channels).
  for (const [sets, announced] of [[silentSets, false], [announcedSets, true]] as const) {
    let all = new IntervalSet();
    for (const set of sets) all = all.union(set);
    for (const serial of all.first(maxExamples)) {
      const clients: string[] = [];
      for (let i = 0; i < streams.length && clients.length < CLIENTS_PER_EXAMPLE; i++) {
        if (sets[i].has(serial)) clients.push(streams[i].client);
      }
      const pi = owners.pubOf(serial);
      candidates.push({
        kind: 'lost', channel: c.channel, serial, clients, announced, scheduledUs: scheduledOf(serial),
        ...(pi >= 0 ? { publisher: pubs[pi].publisher, n: owners.nOf(serial) } : {}),
      });
    }
  }
  const bySerial = new Map<string, Candidate>();
  for (const s of streams) {
    for (const kind of ['duplicated', 'reordered', 'phantom'] as const) {
      for (const e of s.examples[kind]) addStreamExample(bySerial, kind, c.channel, s.client, e);
    }
  }
  for (const cand of bySerial.values()) {
    if (cand.kind === 'phantom') cand.scheduledUs = scheduledOf(cand.serial!);
    else if (cand.publisher !== undefined && cand.n !== undefined) {
      const t = c.publishers.get(cand.publisher)?.scheduledUs[cand.n - 1];
      if (t) cand.scheduledUs = t;
    }
    candidates.push(cand);
  }
  for (const [key, { n, clients }] of neverSent) {
    candidates.push({ kind: 'phantom', channel: c.channel, publisher: key.slice(0, key.indexOf('\u0000')), n, clients });
  }
  return out;
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

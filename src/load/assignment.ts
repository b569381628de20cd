// Who connects where, subscribes to what and publishes where: a pure function of the
// scenario and its seed, so the same seed gives the same run plan.
import type { ChannelDistribution, ChurnSpec, ClientsSpec, SessionSpec, StageSpec } from '../contracts/scenario';
import { MinHeap } from '../util/min-heap';
import { randomInt, seededRandom, type Random } from './random';
import { drawPoissonGap, drawResidual, drawSession } from './sessions';

export interface ClientPlan {
  id: string;
  node: number;               // index into the cluster's nodes
  channels: string[];         // channels it subscribes to
  publishChannel: string | null;
  startOffsetMs: number;      // when it connects, relative to the start of the ramp
  group?: string;             // clients.groups: the group it belongs to
  publishRate?: number;       // clients.groups: its group's rate (else clients.publishRate)
  leaveOffsetMs?: number;     // stages, churn: when it leaves for good (relative to the start of the ramp)
  /** churn with resume: the times it is away, [leaves, comes back] (relative to the start of the ramp), in order */
  away?: Array<[number, number]>;
  /** publishers: where in its publish interval its schedule starts, 0 ≤ phase < 1 (see publishPhase) */
  publishPhase?: number;
}

export const channelName = (runTag: string, k: number): string => `${runTag}.ch${k}`;
export const roomName = (runTag: string, r: number): string => `${runTag}.room${r}`;

/** One client's place in its group: how many channels it picks, whether it publishes, at what rate. */
interface Role { group?: string; subscriptions: number; publishes: boolean; publishRate?: number }

function rolesOf(spec: ClientsSpec): Role[] {
  if (!spec.groups) {
    return Array.from({ length: spec.count }, (_, i) => ({ subscriptions: spec.subscriptionsPerClient, publishes: i < spec.publishers }));
  }
  return spec.groups.flatMap((g) => Array.from({ length: g.count }, (_, i) =>
    ({ group: g.name, subscriptions: g.subscriptionsPerClient, publishes: i < g.publishers, publishRate: g.publishRate })));
}

export function planClients(spec: ClientsSpec, nodeCount: number, seed: number, runTag: string): ClientPlan[] {
  const random = seededRandom(seed);
  const pick = channelPicker(spec.channelDistribution, spec.channels, random);
  const roles = rolesOf(spec);
  const plans: ClientPlan[] = [];
  let publisherIndex = 0;
  roles.forEach((role, i) => {
    const chosen = new Set<number>();
    // Publishers subscribe to the channel they publish on, so every published channel has readers.
    const publishK = role.publishes ? publisherIndex++ % spec.channels : -1;
    if (publishK >= 0) chosen.add(publishK);
    while (chosen.size < role.subscriptions) chosen.add(pick(chosen));
    const plan: ClientPlan = {
      id: `c${i}`,
      node: i % nodeCount,
      channels: [...chosen].sort((a, b) => a - b).map((k) => channelName(runTag, k)),
      publishChannel: publishK >= 0 ? channelName(runTag, publishK) : null,
      startOffsetMs: spec.count > 1 ? (spec.rampUpMs * i) / spec.count : 0,
    };
    if (role.group !== undefined) plan.group = role.group;
    if (role.publishRate !== undefined) plan.publishRate = role.publishRate;
    plans.push(plan);
  });
  if (spec.rooms) addRooms(spec, plans, random, runTag);
  if (spec.stages) applyStages(spec.stages, plans);
  if (spec.churn?.session) addSessionChurn(spec.churn, spec.churn.session, plans, nodeCount, seed);
  else if (spec.churn) addChurn(spec.churn, plans, nodeCount);
  plans.forEach((p, i) => { if (p.publishChannel !== null) p.publishPhase = publishPhase(seed, i); });
  return plans;
}

/**
 * A publisher's phase: a pure function of (seed, client index), drawn apart from the plan's
 * other draws, so it is the same whichever process (shard, worker) runs the client. Spreads
 * publishers over the interval instead of firing in lockstep.
 */
export function publishPhase(seed: number, clientIndex: number): number {
  return seededRandom((Math.imul(clientIndex + 1, 0x9e3779b1) ^ Math.imul(seed >>> 0, 0x85ebca6b) ^ 0x27d4eb2f) >>> 0)();
}

/**
 * Leave k happens at from + k / rate (for every k before `until`): the subscribe-only client
 * connected longest leaves, and a fresh client (new id, same channels, fresh subscribe) joins
 * at that moment on the next node in turn.
 */
function addChurn(churn: ChurnSpec, plans: ClientPlan[], nodeCount: number): void {
  const queue = plans.filter((p) => p.publishChannel === null);
  let head = 0;
  for (let k = 0; ; k++) {
    const atMs = churn.fromMs + (k * 1000) / churn.ratePerSecond;
    if (atMs >= churn.untilMs) break;
    const leaver = queue[head++];
    leaver.leaveOffsetMs = atMs;
    const i = plans.length;
    const joiner: ClientPlan = { id: `c${i}`, node: i % nodeCount, channels: [...leaver.channels], publishChannel: null, startOffsetMs: atMs };
    if (leaver.group !== undefined) joiner.group = leaver.group;
    plans.push(joiner);
    queue.push(joiner);
  }
}

/**
 * churn.session, the open model: joins at from + k / rate (or a Poisson process of that rate)
 * until `until`; each joiner stays for a drawn session, and the subscribe-only clients
 * already connected at `from` for a drawn residual session (drawResidual). A fresh joiner is a
 * new client taking the channels (and group) of the subscribe-only clients in turn.
 * With resume, a leaver is away for at least `awayMs`; a join slot goes to the leaver that
 * became ready first (it comes back as itself), and to a fresh client when none is ready. A
 * leaver not back by `until` has left for good. Drawn from its own seeded stream, so the rest
 * of the plan is the same with or without churn.
 */
function addSessionChurn(churn: ChurnSpec, session: SessionSpec, plans: ClientPlan[], nodeCount: number, seed: number): void {
  const random = seededRandom((seed ^ 0x3c6ef372) >>> 0);
  const templates = plans.filter((p) => p.publishChannel === null);
  const awayMs = churn.awayMs ?? 0;
  // resume: leavers by the time they are ready to come back (ties: the earlier leaver first)
  const ready = new MinHeap<{ readyMs: number; leftMs: number; plan: ClientPlan }>((a, b) => a.readyMs < b.readyMs || (a.readyMs === b.readyMs && a.leftMs < b.leftMs));
  const leaves = (plan: ClientPlan, atMs: number): void => {
    if (atMs >= churn.untilMs) return;
    if (churn.resume) ready.push({ readyMs: atMs + awayMs, leftMs: atMs, plan });
    else plan.leaveOffsetMs = atMs;
  };
  for (const plan of templates) leaves(plan, churn.fromMs + drawResidual(session, random));
  let fresh = 0;
  const poisson = churn.arrivals === 'poisson';
  let poissonMs = churn.fromMs;
  for (let k = 0; ; k++) {
    // even: join k at from + k / rate, exactly (as the one-for-one model's leaves)
    const atMs = poisson ? (poissonMs += drawPoissonGap(churn.ratePerSecond, random)) : churn.fromMs + (k * 1000) / churn.ratePerSecond;
    if (atMs >= churn.untilMs) break;
    const back = ready.peek();
    if (back && back.readyMs <= atMs) {
      ready.pop();
      (back.plan.away ??= []).push([back.leftMs, atMs]);
      leaves(back.plan, atMs + drawSession(session, random));
      continue;
    }
    const template = templates[fresh++ % templates.length];
    const i = plans.length;
    const joiner: ClientPlan = { id: `c${i}`, node: i % nodeCount, channels: [...template.channels], publishChannel: null, startOffsetMs: atMs };
    if (template.group !== undefined) joiner.group = template.group;
    plans.push(joiner);
    leaves(joiner, atMs + drawSession(session, random));
  }
  for (const { leftMs, plan } of ready.values()) plan.leaveOffsetMs = leftMs;
}

/**
 * Client i (0-based) is connected while the stage curve is above i: it joins when a rise
 * reaches i + 1 and leaves when a fall reaches i (the last to join leaves first).
 */
function applyStages(stages: StageSpec[], plans: ClientPlan[]): void {
  plans.forEach((plan, i) => {
    const level = i + 1;
    let t = 0;
    let from = 0;
    let joined = false;
    delete plan.leaveOffsetMs;
    for (const { durationMs, clients: to } of stages) {
      if (!joined && to > from && level > from && level <= to) {
        plan.startOffsetMs = t + ((level - from) / (to - from)) * durationMs;
        joined = true;
      } else if (joined && to < from && level > to && level <= from) {
        // it leaves as the curve reaches level - 1: the last one leaves as the stage ends at 0
        plan.leaveOffsetMs = t + ((from - (level - 1)) / (from - to)) * durationMs;
        return;
      }
      t += durationMs;
      from = to;
    }
  });
}

/**
 * Each room channel gets its publishers first (clients that publish nowhere else, taken in
 * turn) and then random distinct subscribers up to its size: a partial Fisher–Yates shuffle of
 * one index array, which stays a uniform draw however often it is reused.
 */
function addRooms(spec: ClientsSpec, plans: ClientPlan[], random: Random, runTag: string): void {
  const free = plans.filter((p) => p.publishChannel === null);
  let nextFree = 0;
  const order = plans.map((_, i) => i);
  let room = 0;
  for (const r of spec.rooms!) {
    for (let c = 0; c < r.channels; c++, room++) {
      const name = roomName(runTag, room);
      const members = new Set<ClientPlan>();
      for (let k = 0; k < r.publishers; k++) {
        const p = free[nextFree++];
        p.publishChannel = name;
        if (p.publishRate === undefined && spec.groups) p.publishRate = spec.publishRate;
        members.add(p);
      }
      for (let k = 0; members.size < r.subscribers && k < order.length; k++) {
        const j = k + randomInt(random, order.length - k);
        [order[k], order[j]] = [order[j], order[k]];
        members.add(plans[order[k]]);
      }
      for (const p of members) p.channels.push(name);
    }
  }
}

/** A draw of one channel not in `taken`; zipf draws by inverse CDF, retried a bounded number of times. */
function channelPicker(distribution: ChannelDistribution | undefined, channels: number, random: Random): (taken: Set<number>) => number {
  if (!distribution || distribution.kind === 'uniform') return () => randomInt(random, channels);
  const cdf = zipfCdf(channels, distribution.s);
  return (taken) => {
    for (let attempt = 0; attempt < 64; attempt++) {
      const k = lowerBound(cdf, random());
      if (!taken.has(k)) return k;
    }
    // Many channels already taken (a client subscribing to most of them): the hottest free one.
    let k = 0;
    while (taken.has(k)) k++;
    return k;
  };
}

/** Cumulative zipf(s) probabilities over channels 0..n-1 (channel 0 the hottest). */
export function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) cdf[k] = sum += (k + 1) ** -s;
  for (let k = 0; k < n; k++) cdf[k] /= sum;
  cdf[n - 1] = 1;
  return cdf;
}

function lowerBound(cdf: Float64Array, x: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// Workload shapes under clients: channel popularity (channelDistribution), big rooms beside
// the small channels (rooms), and client groups with their own counts and rates (groups).
// Read field by field like the rest of the scenario; planned in src/load/assignment.ts.
import { CHURN_ARRIVALS, MAX_SESSION_SIGMA, SESSION_DISTRIBUTIONS, type ChannelDistribution, type ChurnSpec, type ClientGroupSpec, type ClientsSpec, type RoomSpec, type SessionSpec, type StageSpec } from '../contracts/scenario';
import { formatDuration } from './units';
import { collecting, FieldError, Fields, type Path } from './fields';
import { LIMITS } from './limits';
import { shown } from './problem';

/** "uniform" or "zipf(s)" with 0 < s ≤ 10. */
export function readChannelDistribution(f: Fields): ChannelDistribution | undefined {
  const v = f.raw('channelDistribution');
  if (v === undefined) return undefined;
  if (v === 'uniform') return { kind: 'uniform' };
  const m = typeof v === 'string' ? /^\s*zipf\s*\(\s*(\d+(?:\.\d+)?|\.\d+)\s*\)\s*$/.exec(v) : null;
  if (!m) f.fail('channelDistribution', `${shown(v)} is not uniform or zipf(s)`, 'write "uniform" or e.g. "zipf(1.1)"');
  const s = Number(m[1]);
  if (!(s > 0 && s <= 10)) f.fail('channelDistribution', `zipf exponent ${m[1]} is not more than 0 and at most 10`, 'real popularity is usually zipf(0.8) to zipf(1.5)');
  return { kind: 'zipf', s };
}

/** At most this many room channels in all: each is planned subscriber by subscriber. */
export const MAX_ROOM_CHANNELS = 1000;

export function readRooms(f: Fields, count: number, freeClients: number): RoomSpec[] | undefined {
  const list = f.array('rooms');
  if (list === undefined) return undefined;
  const rooms = list.map((raw, i) => {
    const r = Fields.open(raw, [...f.at('rooms'), i], ['channels', 'subscribers', 'publishers']);
    const subscribers = r.required('subscribers', (k) => r.integer(k, { min: 1, max: count, hint: `subscribers are some of the ${count} clients` }), 'write how many clients join each room, e.g. "subscribers: 10000"');
    const publishers = r.integer('publishers', { min: 0, max: subscribers, hint: 'room publishers are some of its subscribers' }) ?? 1;
    return { channels: r.integer('channels', { min: 1, max: MAX_ROOM_CHANNELS }) ?? 1, subscribers, publishers };
  });
  const channels = rooms.reduce((n, r) => n + r.channels, 0);
  if (channels > MAX_ROOM_CHANNELS) f.fail('rooms', `has ${channels} room channels, more than ${MAX_ROOM_CHANNELS}`, 'use clients.channels for many small channels');
  const publishers = rooms.reduce((n, r) => n + r.channels * r.publishers, 0);
  if (publishers > freeClients) {
    f.fail('rooms', `needs ${publishers} room publishers but only ${freeClients} clients publish nowhere else`, 'a client publishes into one channel: lower clients.publishers or the rooms\' publishers');
  }
  return rooms;
}

const GROUP = ['name', 'count', 'subscriptionsPerClient', 'publishers', 'publishRate'];

export interface GroupDefaults { channels: number; subscriptionsPerClient: number; publishRate: number }

/** The groups of clients; each defaults to the clients-level settings, publishers to 0. */
export function readGroups(list: unknown[], path: Path, defaults: GroupDefaults): ClientGroupSpec[] {
  if (list.length === 0) throw new FieldError(path, 'is empty', 'leave groups out, or give each group a count');
  const names = new Set<string>();
  return list.map((raw, i) => {
    const g = Fields.open(raw, [...path, i], GROUP);
    const name = g.string('name') ?? `group${i + 1}`;
    if (names.has(name)) g.fail('name', `${shown(name)} is used by another group`);
    names.add(name);
    const count = g.required('count', (k) => g.integer(k, { min: 1 }), 'write the number of clients in the group, e.g. "count: 5000"');
    const subscriptionsPerClient = g.integer('subscriptionsPerClient', {
      min: 1, max: Math.min(defaults.channels, LIMITS.subscriptionsPerClient), hint: `a client subscribes to distinct channels (channels: ${defaults.channels})`,
    }) ?? defaults.subscriptionsPerClient;
    const publishers = g.integer('publishers', { min: 0, max: count, hint: `publishers are some of the group's ${count} clients` }) ?? 0;
    const publishRate = readPublishRate(g, 'write "publishers: 0" for a group that only subscribes') ?? defaults.publishRate;
    return { name, count, subscriptionsPerClient, publishers, publishRate };
  });
}

/**
 * k6-style `stages:` of connected clients: from 0, each stage moves linearly to its target.
 * Clients join in order and leave in reverse order (the last to join leaves first), and a
 * client that left does not come back, so targets may rise and then fall, not rise again.
 */
export function readStages(top: Fields, clients: ClientsSpec, durationMs: number): StageSpec[] | undefined {
  const list = top.array('stages');
  if (list === undefined) return undefined;
  if (list.length === 0) top.fail('stages', 'is empty', 'leave stages out, or write e.g. [{ duration: 10s, clients: 100 }]');
  if (clients.rampUpMs > 0) top.fail('stages', 'replaces clients.rampUp', 'leave clients.rampUp out when stages: is given');
  let total = 0;
  let fell = false;
  let previous = 0;
  let peak = 0;
  const stages = list.map((raw, i) => {
    const st = Fields.open(raw, [...top.at('stages'), i], ['duration', 'clients', 'publishRate']);
    const stageMs = st.required('duration', st.durationMs, 'write how long the stage lasts, e.g. "duration: 10s"');
    if (stageMs <= 0) st.fail('duration', `${shown(st.raw('duration'))} is not a positive duration`);
    const target = st.required('clients', (k) => st.integer(k, { min: 0, max: clients.count, hint: `stages move between 0 and clients.count (${clients.count})` }), 'write the connected clients to reach, e.g. "clients: 100"');
    if (target > previous && fell) st.fail('clients', `${target} rises again after a ramp-down`, 'a client that left does not come back; ramp up, hold, then ramp down once');
    if (target < previous) fell = true;
    previous = target;
    peak = Math.max(peak, target);
    total += stageMs;
    const stage: StageSpec = { durationMs: stageMs, clients: target };
    const rate = readStageRate(st, clients);
    if (rate !== undefined) stage.publishRate = rate;
    return stage;
  });
  // A stage without publishRate holds the rate reached so far: written down, so each stage says it.
  if (stages.some((s) => s.publishRate !== undefined)) {
    let rate = clients.publishRate;
    for (const s of stages) rate = s.publishRate ??= rate;
  }
  if (total > durationMs) top.fail('stages', `last ${formatDuration(total)}, longer than the run (duration ${formatDuration(durationMs)})`, 'stages happen within "duration"');
  if (peak !== clients.count) top.fail('stages', `reach at most ${peak} clients but clients.count is ${clients.count}`, `write clients.count: ${peak}, or a stage that reaches ${clients.count}`);
  return stages;
}

/** stages[i].publishRate: per publisher, like clients.publishRate; 0 allowed (a ramp down to silence). */
function readStageRate(st: Fields, clients: ClientsSpec): number | undefined {
  const rate = readPublishRate(st, null);
  if (rate !== undefined && clients.groups) st.fail('publishRate', 'cannot be combined with clients.groups (each group has its own rate)', 'leave publishRate out of stages, or the groups out');
  return rate;
}

/**
 * The publishRate of clients, a group or a stage: messages per second per publisher, at most
 * LIMITS.publishRate. 0 is refused with `zeroHint`, or allowed when it is null (a stage's ramp
 * down to silence). A negative rate never gets here: the rate parser refuses it.
 */
export function readPublishRate(f: Fields, zeroHint: string | null): number | undefined {
  const rate = f.ratePerSecond('publishRate');
  if (rate === undefined) return undefined;
  if (rate === 0 && zeroHint !== null) f.fail('publishRate', `${shown(f.raw('publishRate'))} publishes nothing`, zeroHint);
  if (rate > LIMITS.publishRate) f.fail('publishRate', `${shown(f.raw('publishRate'))} is more than ${LIMITS.publishRate}/s per publisher`, 'use more publishers at a lower rate');
  return rate;
}

/** At most this many clients joining by churn in one run: each is planned up front. */
export const MAX_CHURN_JOINS = 100_000;
/** Default churn.away: the least time a leaver stays away before it comes back (resume: true). */
export const DEFAULT_AWAY_MS = 1000;

const CHURN = ['rate', 'session', 'arrivals', 'resume', 'away'];
const SESSION = ['distribution', 'mean', 'min', 'max', 'sigma'];

/**
 * `churn:` from the end of the ramp to the end of publishing (docs/scenario-format.md "churn").
 * `{ rate: 5/s }`: subscribe-only clients leave at `rate` (the longest-connected first) and
 * each is replaced at once by a fresh client subscribing to the same channels. With `session`:
 * clients join at `rate` (`arrivals` even or poisson) and stay for a drawn session; with
 * `resume: true` a leaver comes back as itself after at least `away`. Publishers stay.
 * Every wrong field is added to `errors` (validate lists them all).
 */
export function readChurn(top: Fields, clients: ClientsSpec, durationMs: number, errors: FieldError[]): ChurnSpec | undefined {
  const c = top.raw('churn') === undefined ? undefined : Fields.openCollecting(top.raw('churn'), top.at('churn'), CHURN, errors);
  if (!c) return undefined;
  const collect = collectingInto(errors);
  const before = errors.length;
  collect(() => {
    if (clients.stages) top.fail('churn', 'cannot be combined with stages: yet', 'use one of them');
    if (clients.count - clients.publishers <= 0) top.fail('churn', 'has no subscribe-only client to replace', 'publishers stay; lower clients.publishers');
  });
  const fromMs = clients.rampUpMs;
  const ratePerSecond = collect(() => {
    const rate = c.required('rate', c.ratePerSecond, 'write how many clients leave (and join) per second, e.g. "rate: 5/s"');
    if (rate <= 0) c.fail('rate', `${shown(c.raw('rate'))} is not a positive rate`, 'leave churn out for no churn');
    const joins = Math.ceil(((durationMs - fromMs) * rate) / 1000);
    if (joins > MAX_CHURN_JOINS) c.fail('rate', `makes ${joins} clients join over the run, more than ${MAX_CHURN_JOINS}`, 'lower the rate or shorten the run');
    return rate;
  });
  const session = c.has('session') ? collect(() => readSession(c, errors)) : undefined;
  const arrivals = collect(() => c.oneOf('arrivals', CHURN_ARRIVALS));
  const resume = collect(() => c.boolean('resume'));
  const awayMs = collect(() => {
    const ms = c.durationMs('away');
    if (ms !== undefined && resume !== true) c.fail('away', 'is only for "resume: true"', 'write "resume: true", or leave away out');
    return ms;
  });
  if (!c.has('session')) {
    for (const key of ['arrivals', 'resume', 'away']) {
      if (c.has(key)) collect(() => c.fail(key, 'needs churn.session (the open model)', 'add e.g. "session: { distribution: exponential, mean: 30s }"'));
    }
  }
  if (errors.length > before || ratePerSecond === undefined) return undefined;
  const spec: ChurnSpec = { ratePerSecond, fromMs, untilMs: durationMs };
  if (session) {
    spec.session = session;
    spec.arrivals = arrivals ?? 'even';
    spec.resume = resume ?? false;
    if (spec.resume) spec.awayMs = awayMs ?? DEFAULT_AWAY_MS;
  }
  return spec;
}

/** A reader that adds a FieldError to `errors` (and gives undefined) so the next field is still checked. */
const collectingInto = (errors: FieldError[]) => <T>(read: () => T): T | undefined => collecting(errors, read);

/** churn.session: a distribution and its mean (uniform: or min and max; lognormal: and sigma). */
function readSession(c: Fields, errors: FieldError[]): SessionSpec | undefined {
  const s = Fields.openCollecting(c.raw('session'), c.at('session'), SESSION, errors);
  const before = errors.length;
  const collect = collectingInto(errors);
  const positive = (key: string): number | undefined => {
    const ms = s.durationMs(key);
    if (ms !== undefined && ms <= 0) s.fail(key, `${shown(s.raw(key))} is not a positive duration`);
    return ms;
  };
  const distribution = collect(() => s.required('distribution', (k) => s.oneOf(k, SESSION_DISTRIBUTIONS), `write one of ${SESSION_DISTRIBUTIONS.join(', ')}, e.g. "distribution: exponential"`));
  const uniform = distribution === 'uniform';
  const minMs = collect(() => {
    if (s.has('min') && distribution !== undefined && !uniform) s.fail('min', 'is only for distribution uniform', 'leave min out');
    const ms = s.durationMs('min');
    if (ms !== undefined && ms < 0) s.fail('min', `${shown(s.raw('min'))} is negative`);
    return ms;
  });
  const maxMs = collect(() => {
    if (s.has('max') && distribution !== undefined && !uniform) s.fail('max', 'is only for distribution uniform', 'leave max out');
    return positive('max');
  });
  const sigma = collect(() => {
    if (s.has('sigma') && distribution !== undefined && distribution !== 'lognormal') s.fail('sigma', 'is only for distribution lognormal', 'leave sigma out');
    const v = s.number('sigma', { min: 0, max: MAX_SESSION_SIGMA, hint: `sigma is the spread of the log of the session length, above 0 and at most ${MAX_SESSION_SIGMA}` });
    if (v === 0) s.fail('sigma', 'is 0', 'for sessions all of one length write "distribution: fixed"');
    return v;
  });
  const bounds = s.has('min') || s.has('max');
  const meanMs = collect(() => {
    if (uniform && bounds && s.has('mean')) s.fail('mean', 'is given with min and max', 'give the mean (the range is mean ± 50 %), or min and max (the mean is their midpoint)');
    if (uniform && bounds) return undefined;
    return s.required('mean', positive, 'write the mean session length, e.g. "mean: 30s"');
  });
  if (uniform && bounds) {
    collect(() => {
      if (!s.has('min') || !s.has('max')) s.fail(s.has('min') ? 'max' : 'min', 'is required with the other bound', 'give both min and max, or only the mean');
      if (minMs !== undefined && maxMs !== undefined && minMs >= maxMs) s.fail('max', `${shown(s.raw('max'))} is not more than min (${shown(s.raw('min'))})`);
    });
  }
  if (errors.length > before || distribution === undefined) return undefined;
  if (uniform && bounds) return { distribution, meanMs: (minMs! + maxMs!) / 2, minMs: minMs!, maxMs: maxMs! };
  const spec: SessionSpec = { distribution, meanMs: meanMs! };
  if (uniform) Object.assign(spec, { minMs: spec.meanMs / 2, maxMs: (spec.meanMs * 3) / 2 });
  if (distribution === 'lognormal') spec.sigma = sigma ?? 1;
  return spec;
}

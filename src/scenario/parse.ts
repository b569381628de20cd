// The scenario as written (YAML/JSON already parsed) → the normalised Scenario of types.ts:
// defaults filled, durations in ms, rates per second, every refusal one line naming its field.
import { UserErrors, usageError } from '../util/errors';
import { fromK6 } from './k6-thresholds';
import { parseThreshold, ThresholdError } from './thresholds';
import { GUARANTEES } from '../contracts/metrics';
import { checkCapacity } from './capacity';
import { readFaultList, type FaultList, type FaultListContext } from './fault-list';
import { readFault } from './faults';
import { collecting, FieldError, Fields, isPlainObject, pathText, type Path } from './fields';
import { LIMITS, MAX_NODES } from './limits';
import { readChannelDistribution, readChurn, readGroups, readPublishRate, readRooms, readStages } from './workload';
import { shown } from './problem';
import { MISBEHAVIOUR_MODES } from '../../reference-broker/misbehaviour';
import type { ClientsSpec, ClusterSpec, RuntimeKind, Scenario, ThresholdSpec } from '../contracts/scenario';
import { nodeIds } from '../contracts/scenario';
import { formatDuration } from './units';
import { defaultGuaranteeFor } from './plugin-adapter';
import { checkUrlSchemes, readAdapterChoice } from './adapter-fields';
import { readAuth, readHosts, readTls } from './connection-fields';

/** Where a field sits in the source file, e.g. ":14" (line); undefined when unknown. */
export type Locate = (path: Path) => string | undefined;

export interface ParseOptions {
  /** when given, clients.count must fit this open-files limit (see capacity.ts) */
  openFilesLimit?: number;
  /** the folder relative file names (cluster.tls.ca, a plug-in adapter's path) start from: the scenario file's; default the working folder */
  baseDir?: string;
}

export const TOP = ['name', 'description', 'cluster', 'clients', 'duration', 'drain', 'recovery', 'faults', 'thresholds', 'guarantee', 'seed', 'stages', 'churn'];
export const CLUSTER = ['runtime', 'nodes', 'durable', 'history', 'historyAge', 'urls', 'faultProxy', 'misbehaviour', 'nodeImage', 'toxiproxyImage', 'system', 'adapter', 'resume', 'options',
  'hosts', 'tls', 'auth'];
export const CLIENTS = ['count', 'rampUp', 'channels', 'subscriptionsPerClient', 'publishers', 'publishRate', 'payloadBytes', 'reconnect', 'heartbeat',
  'channelDistribution', 'rooms', 'groups'];
const RUNTIMES: readonly RuntimeKind[] = ['local', 'docker', 'external'];
export { MAX_NODES } from './limits';
export const MAX_PAYLOAD_BYTES = 60_000;

/**
 * Validates and normalises a parsed scenario. `source` names it in errors ("scenario
 * <source>: clients.count: is required"); `locate` may add the line of the offending field.
 * Throws UserError (exit 2): every problem found, one line each (UserErrors.lines()); its
 * message is the first one's.
 */
export function parseScenario(raw: unknown, source: string, locate?: Locate, options: ParseOptions = {}): Scenario {
  const asUserError = (e: FieldError) => usageError(`scenario ${source}${locate?.(e.path) ?? ''}: ${pathText(e.path)}: ${e.problem}`, e.hint);
  try {
    const errors: FieldError[] = [];
    const scenario = readScenario(raw, errors, options.baseDir ?? process.cwd());
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new UserErrors(errors.map(asUserError));
    if (options.openFilesLimit !== undefined) checkCapacity(scenario, options.openFilesLimit);
    return scenario;
  } catch (e) {
    if (e instanceof FieldError) throw asUserError(e);
    throw e;
  }
}


/**
 * Reads section by section; the first problem of each top-level section (and of each fault
 * and each threshold) is added to `errors`. A section that needs another one that failed
 * (faults need cluster and duration) is not checked, so no error is a consequence of another.
 */
function readScenario(raw: unknown, errors: FieldError[], baseDir: string): Scenario {
  if (raw === undefined || raw === null) throw new FieldError([], 'is empty', 'start from an example in scenarios/ or docs/scenario-format.md');
  const top = Fields.openCollecting(raw, [], TOP, errors, { rampUp: 'rampUp belongs under clients:', runtime: 'runtime belongs under cluster:' });
  const name = collecting(errors, () => {
    const n = top.required('name', top.string, 'give the scenario a name, e.g. "name: smoke"');
    if (/[\r\n]/.test(n)) top.fail('name', 'must be one line');
    if (n.length > LIMITS.nameChars) top.fail('name', `is ${n.length} characters long, more than ${LIMITS.nameChars}`, 'put the details in "description"');
    return n;
  });
  const durationMs = collecting(errors, () => {
    const ms = top.required('duration', top.durationMs, 'write how long clients publish, e.g. "duration: 60s"');
    if (ms <= 0) top.fail('duration', `${shown(top.raw('duration'))} is not a positive duration`);
    return ms;
  });
  // Checks that depend on the duration use the longest one when it is wrong: no false refusals.
  const durationForChecks = durationMs ?? LIMITS.durationMs;

  const cluster = collecting(errors, () => readCluster(baseDir, top.object('cluster', CLUSTER, { historySeconds: 'write "historyAge: 1h"', fault: 'the broker\'s own misbehaviour is "misbehaviour: { mode: drop }"; injected faults go under the top-level faults:' })));
  const clients = collecting(errors, () => readClients(top.object('clients', CLIENTS), top, durationForChecks));
  if (clients) collecting(errors, () => { const stages = readStages(top, clients, durationForChecks); if (stages) clients.stages = stages; });
  if (clients) collecting(errors, () => { const churn = readChurn(top, clients, durationForChecks, errors); if (churn) clients.churn = churn; });
  if (clients?.churn?.resume && cluster?.resume === 'none') {
    errors.push(new FieldError(['churn', 'resume'], 'true needs a target that resumes, but cluster.resume is none', 'leave cluster.resume out, or write "resume: false" (fresh subscribes)'));
  }
  const seed = collecting(errors, () => top.integer('seed', { min: 0, max: 0xffff_ffff, hint: 'the seed is a 32-bit unsigned integer' }) ?? 1);
  const faultList = cluster && clients && durationMs !== undefined && seed !== undefined
    ? readFaults(top, { nodes: nodeIds(cluster.nodes), runtime: cluster.runtime, durationMs, rampUpMs: clients.rampUpMs, seed }, errors)
    : { faults: [] };

  const drainMs = collecting(errors, () => top.durationMs('drain') ?? 10_000);
  const recoveryMs = collecting(errors, () => top.durationMs('recovery') ?? 30_000); // the longest a recovery may last (it ends when back within the baseline)
  // Not written: what the adapter's system documents (exactly-once-ordered for the reference broker).
  const guarantee = collecting(errors, () => top.oneOf('guarantee', GUARANTEES) ?? defaultGuaranteeFor(cluster));
  const thresholds = readThresholds(top, errors);
  const description = collecting(errors, () => top.string('description'));
  if (errors.length > 0) return undefined as never; // parseScenario throws them

  const scenario: Scenario = {
    name: name!, cluster: cluster!, clients: clients!, durationMs: durationMs!, drainMs: drainMs!, recoveryMs: recoveryMs!,
    faults: faultList.faults, guarantee: guarantee!, thresholds, seed: seed!,
  };
  if (faultList.randomFaults) Object.assign(scenario, { randomFaults: faultList.randomFaults, generatedFaults: faultList.generatedFaults });
  if (description !== undefined) scenario.description = description;
  return scenario;
}

/**
 * A plain list: each fault is first checked on its own, so every wrong fault is reported; only
 * when all are valid does readFaultList check the list as a whole (overlaps). The random
 * nemesis form reports its first problem.
 */
function readFaults(top: Fields, ctx: FaultListContext, errors: FieldError[]): FaultList {
  const raw = top.raw('faults');
  if (Array.isArray(raw) && raw.length <= LIMITS.faults) {
    const before = errors.length;
    raw.forEach((f, i) => collecting(errors, () => readFault(f, [...top.at('faults'), i], ctx)));
    if (errors.length > before) return { faults: [] };
  }
  return collecting(errors, () => readFaultList(top, ctx)) ?? { faults: [] };
}

function readCluster(baseDir: string, f: Fields | undefined): ClusterSpec {
  const runtime = f?.oneOf('runtime', RUNTIMES) ?? 'local';
  const spec: ClusterSpec = {
    runtime,
    nodes: 3,
    durable: f?.boolean('durable') ?? true,
    history: f?.integer('history', { min: 1, hint: 'messages of history kept per channel' }) ?? 10_000,
    historySeconds: 3600,
    urls: [],
  };
  const choice = readAdapterChoice(f, runtime, baseDir);
  if (choice.system !== 'reference') spec.system = choice.system;
  if (choice.adapter !== 'v1') spec.adapter = choice.adapter;
  if (choice.resume) spec.resume = choice.resume;
  if (choice.options) spec.adapterOptions = choice.options;
  if (choice.module) spec.adapterModule = choice.module;
  if (choice.system !== 'reference' && runtime !== 'external') spec.nodes = 1;
  if (!f) return spec;
  const ageMs = f.durationMs('historyAge');
  if (ageMs !== undefined) {
    if (ageMs < 1000) f.fail('historyAge', `${formatDuration(ageMs)} is less than 1s`, 'history age is kept in whole seconds');
    spec.historySeconds = Math.floor(ageMs / 1000);
  }
  const nodes = f.integer('nodes', { min: 1, max: MAX_NODES });
  if (runtime === 'external') {
    const urls = f.required('urls', f.array, 'runtime external needs the ws:// URL of each node');
    if (urls.length === 0) f.fail('urls', 'is empty', 'runtime external needs the ws:// URL of each node');
    if (urls.length > MAX_NODES) f.fail('urls', `has ${urls.length} URLs, more than ${MAX_NODES} nodes`, `chat-bench drives at most ${MAX_NODES} nodes`);
    checkUrlSchemes(f, urls, choice);
    if (nodes !== undefined && nodes !== urls.length) f.fail('nodes', `is ${nodes} but ${urls.length} urls are given`, 'leave nodes out with runtime external');
    spec.urls = urls as string[];
    spec.nodes = urls.length;
    const faultProxy = f.string('faultProxy');
    if (faultProxy !== undefined) {
      if (!/^https?:\/\/[^/\s]+\/?$/.test(faultProxy)) f.fail('faultProxy', `${shown(faultProxy)} is not the http:// URL of a Toxiproxy API`, 'e.g. faultProxy: http://toxiproxy:8474');
      spec.faultProxy = faultProxy.replace(/\/$/, '');
    }
  } else {
    if (f.has('urls')) f.fail('urls', `is only used with runtime external (runtime is ${runtime})`, 'write "runtime: external" to test a system you already run');
    if (f.has('faultProxy')) f.fail('faultProxy', `is only used with runtime external (runtime is ${runtime}): the ${runtime} runtime starts its own`, 'write "runtime: external" and list the proxy\'s listeners in urls');
    spec.nodes = nodes ?? spec.nodes;
  }
  const misbehaviour = f.object('misbehaviour', ['mode', 'rate']);
  if (misbehaviour) {
    if (runtime === 'external') f.fail('misbehaviour', 'is a mode of the reference broker, not possible on runtime external');
    if (choice.system !== 'reference') f.fail('misbehaviour', `is a mode of the reference broker, not of ${choice.system}`);
    const mode = misbehaviour.required('mode', (k) => misbehaviour.oneOf(k, MISBEHAVIOUR_MODES), `one of ${MISBEHAVIOUR_MODES.join(', ')}`);
    spec.misbehaviour = { mode, rate: misbehaviour.fraction('rate') ?? 0.05 };
  }
  for (const key of ['nodeImage', 'toxiproxyImage'] as const) {
    const image = f.string(key);
    if (image !== undefined) spec[key] = image;
  }
  const hosts = readHosts(f, runtime, spec.urls);
  if (hosts) spec.hosts = hosts;
  const tls = readTls(f, runtime, spec.urls, choice.adapter, choice.entry, baseDir);
  if (tls) spec.tls = tls;
  const auth = readAuth(f, choice.adapter, choice.entry);
  if (auth) spec.auth = auth;
  return spec;
}

function readClients(f: Fields | undefined, top: Fields, durationMs: number): ClientsSpec {
  if (!f) top.fail('clients', 'is required', 'write at least "clients: { count: 100 }"');
  const rawGroups = f.array('groups');
  for (const key of ['count', 'publishers']) {
    if (rawGroups && f.has(key)) f.fail(key, 'is the sum over groups when groups: is given', `leave ${key} out, and give each group its own`);
  }
  const count = rawGroups ? groupTotal(rawGroups)
    : f.required('count', (k) => f.integer(k, { min: 1, hint: 'the number of virtual clients' }), 'write the number of virtual clients, e.g. "count: 100"');
  const rampUpMs = f.durationMs('rampUp') ?? 0;
  if (rampUpMs > durationMs) f.fail('rampUp', `${formatDuration(rampUpMs)} is longer than the run (duration ${formatDuration(durationMs)})`, 'ramp-up happens within "duration"');
  const channels = f.integer('channels', { min: 1, max: LIMITS.channels }) ?? 10;
  const subscriptionsPerClient = f.integer('subscriptionsPerClient', {
    min: 1, max: Math.min(channels, LIMITS.subscriptionsPerClient), hint: `a client subscribes to distinct channels (channels: ${channels}), at most ${LIMITS.subscriptionsPerClient}`,
  }) ?? 1;
  let publishers = rawGroups ? 0 : f.integer('publishers', { min: 0, max: count, hint: `publishers are some of the ${count} clients` }) ?? Math.min(count, channels);
  const publishRate = readPublishRate(f, 'write "publishers: 0" for clients that only subscribe') ?? 1;
  const payloadBytes = f.integer('payloadBytes', { min: 0, max: MAX_PAYLOAD_BYTES }) ?? 128;

  const r = f.object('reconnect', ['initial', 'max', 'multiplier', 'jitter']);
  const reconnect = {
    initialMs: r?.durationMs('initial') ?? 100,
    maxMs: r?.durationMs('max') ?? 5000,
    multiplier: r?.number('multiplier', { min: 1, hint: 'each retry waits multiplier times longer' }) ?? 2,
    jitter: r?.oneOf('jitter', ['full', 'equal', 'none'] as const) ?? 'full',
  };
  if (r && reconnect.initialMs <= 0) r.fail('initial', `${shown(r.raw('initial'))} is not a positive duration`, 'reconnecting with no wait hammers a failing broker');
  if (r && reconnect.maxMs < reconnect.initialMs) {
    r.fail(r.has('max') ? 'max' : 'initial', `max ${formatDuration(reconnect.maxMs)} is less than initial ${formatDuration(reconnect.initialMs)}`);
  }

  const h = f.object('heartbeat', ['interval', 'timeout']);
  const heartbeat = { intervalMs: h?.durationMs('interval') ?? 5000, timeoutMs: h?.durationMs('timeout') ?? 10_000 };
  if (h && heartbeat.intervalMs <= 0) h.fail('interval', `${shown(h.raw('interval'))} is not a positive duration`);
  if (h && heartbeat.timeoutMs <= 0) h.fail('timeout', `${shown(h.raw('timeout'))} is not a positive duration`);

  const shapes: Partial<ClientsSpec> = {};
  if (rawGroups) {
    shapes.groups = readGroups(rawGroups, f.at('groups'), { channels, subscriptionsPerClient, publishRate });
    publishers = shapes.groups.reduce((n, g) => n + g.publishers, 0);
  }
  const channelDistribution = readChannelDistribution(f);
  if (channelDistribution) shapes.channelDistribution = channelDistribution;
  const rooms = readRooms(f, count, count - publishers);
  if (rooms) shapes.rooms = rooms;
  return { count, rampUpMs, channels, subscriptionsPerClient, publishers, publishRate, payloadBytes, reconnect, heartbeat, ...shapes };
}

/** clients.count when groups: is given: the sum of their counts (each one checked in readGroups). */
function groupTotal(groups: unknown[]): number {
  let total = 0;
  for (const g of groups) {
    const n = isPlainObject(g) ? g.count : undefined;
    if (typeof n === 'number' && Number.isSafeInteger(n) && n > 0) total += n;
  }
  return Math.max(total, 1);
}

function readThresholds(top: Fields, errors: FieldError[]): ThresholdSpec[] {
  const raw = collecting(errors, () => top.mapping('thresholds', 'write it like { "latency.p99": "< 100ms", loss: "== 0" }'));
  if (raw === undefined) return [];
  const specs: ThresholdSpec[] = [];
  let conditionCount = 0;
  for (const value of Object.values(raw)) conditionCount += Array.isArray(value) ? value.length : 1;
  if (conditionCount > LIMITS.thresholds) {
    errors.push(new FieldError(top.at('thresholds'), `has more than ${LIMITS.thresholds} conditions`, 'keep the ones the run must meet'));
    return [];
  }
  for (const [expression, value] of Object.entries(raw)) {
    collecting(errors, () => specs.push(...readThreshold(top, expression, value)));
  }
  return specs;
}

/** One key of `thresholds`: its condition or list of conditions, k6 spellings rewritten (k6-thresholds.ts). */
function readThreshold(top: Fields, expression: string, value: unknown): ThresholdSpec[] {
  const path = [...top.at('thresholds'), expression];
  const conditions = Array.isArray(value) ? value : [value];
  if (conditions.length === 0) throw new FieldError(path, 'has no condition', 'write it like "< 100ms"');
  return conditions.map((condition, i) => {
    const at = Array.isArray(value) ? [...path, i] : path;
    if (typeof condition !== 'string') {
      throw new FieldError(at, `${shown(condition)} is not a condition`, `write it as text with an operator, e.g. "== ${typeof condition === 'number' ? condition : 0}"`);
    }
    const spelled = fromK6(expression, condition);
    try {
      parseThreshold(spelled.expression, spelled.condition);
    } catch (e) {
      if (e instanceof ThresholdError) throw new FieldError(at, e.problem, e.hint);
      throw e;
    }
    return { expression: spelled.expression.trim(), condition: spelled.condition.trim() };
  });
}

// The scenario as written (YAML/JSON already parsed) → the normalised Scenario of types.ts:
// defaults filled, durations in ms, rates per second, every refusal one line naming its field.
import { usageError } from '../util/errors';
import { parseThreshold, ThresholdError } from './thresholds';
import { GUARANTEES } from '../contracts/metrics';
import { checkCapacity } from './capacity';
import { readFaultList } from './fault-list';
import { FieldError, Fields, isPlainObject, pathText, type Path } from './fields';
import { LIMITS, MAX_NODES } from './limits';
import { shown } from './problem';
import { MISBEHAVIOUR_MODES } from '../../reference-broker/misbehaviour';
import type { ClientsSpec, ClusterSpec, RuntimeKind, Scenario, ThresholdSpec } from '../contracts/scenario';
import { nodeIds } from '../contracts/scenario';
import { formatDuration } from './units';

/** Where a field sits in the source file, e.g. ":14" (line); undefined when unknown. */
export type Locate = (path: Path) => string | undefined;

export interface ParseOptions {
  /** when given, clients.count must fit this open-files limit (see capacity.ts) */
  openFilesLimit?: number;
}

export const TOP = ['name', 'description', 'cluster', 'clients', 'duration', 'drain', 'recovery', 'faults', 'thresholds', 'guarantee', 'seed'];
export const CLUSTER = ['runtime', 'nodes', 'durable', 'history', 'historyAge', 'urls', 'misbehaviour', 'nodeImage', 'toxiproxyImage'];
export const CLIENTS = ['count', 'rampUp', 'channels', 'subscriptionsPerClient', 'publishers', 'publishRate', 'payloadBytes', 'reconnect', 'heartbeat'];
const RUNTIMES: readonly RuntimeKind[] = ['local', 'docker', 'external'];
export { MAX_NODES } from './limits';
export const MAX_PAYLOAD_BYTES = 60_000;

/**
 * Validates and normalises a parsed scenario. `source` names it in errors ("scenario
 * <source>: clients.count: is required"); `locate` may add the line of the offending field.
 * Throws UserError (exit 2).
 */
export function parseScenario(raw: unknown, source: string, locate?: Locate, options: ParseOptions = {}): Scenario {
  try {
    const scenario = readScenario(raw);
    if (options.openFilesLimit !== undefined) checkCapacity(scenario, options.openFilesLimit);
    return scenario;
  } catch (e) {
    if (e instanceof FieldError) {
      throw usageError(`scenario ${source}${locate?.(e.path) ?? ''}: ${pathText(e.path)}: ${e.problem}`, e.hint);
    }
    throw e;
  }
}

function readScenario(raw: unknown): Scenario {
  if (raw === undefined || raw === null) throw new FieldError([], 'is empty', 'start from an example in scenarios/ or docs/scenario-format.md');
  const top = Fields.open(raw, [], TOP, { rampUp: 'rampUp belongs under clients:', runtime: 'runtime belongs under cluster:' });
  const name = top.required('name', top.string, 'give the scenario a name, e.g. "name: smoke"');
  if (/[\r\n]/.test(name)) top.fail('name', 'must be one line');
  if (name.length > LIMITS.nameChars) top.fail('name', `is ${name.length} characters long, more than ${LIMITS.nameChars}`, 'put the details in "description"');
  const durationMs = top.required('duration', top.durationMs, 'write how long clients publish, e.g. "duration: 60s"');
  if (durationMs <= 0) top.fail('duration', `${shown(top.raw('duration'))} is not a positive duration`);

  const cluster = readCluster(top.object('cluster', CLUSTER, { historySeconds: 'write "historyAge: 1h"', fault: 'the broker\'s own misbehaviour is "misbehaviour: { mode: drop }"; injected faults go under the top-level faults:' }));
  const clients = readClients(top.object('clients', CLIENTS), top, durationMs);
  const nodes = nodeIds(cluster.nodes);
  const seed = top.integer('seed', { min: 0, max: 0xffff_ffff, hint: 'the seed is a 32-bit unsigned integer' }) ?? 1;
  const { faults, randomFaults, generatedFaults } = readFaultList(top, { nodes, runtime: cluster.runtime, durationMs, rampUpMs: clients.rampUpMs, seed });

  const scenario: Scenario = {
    name,
    cluster,
    clients,
    durationMs,
    drainMs: top.durationMs('drain') ?? 10_000,
    recoveryMs: top.durationMs('recovery') ?? 30_000, // the longest a recovery may last (it ends when back within the baseline)
    faults,
    guarantee: top.oneOf('guarantee', GUARANTEES) ?? 'exactly-once-ordered',
    thresholds: readThresholds(top),
    seed,
  };
  if (randomFaults) Object.assign(scenario, { randomFaults, generatedFaults });
  const description = top.string('description');
  if (description !== undefined) scenario.description = description;
  return scenario;
}

function readCluster(f: Fields | undefined): ClusterSpec {
  const runtime = f?.oneOf('runtime', RUNTIMES) ?? 'local';
  const spec: ClusterSpec = {
    runtime,
    nodes: 3,
    durable: f?.boolean('durable') ?? true,
    history: f?.integer('history', { min: 1, hint: 'messages of history kept per channel' }) ?? 10_000,
    historySeconds: 3600,
    urls: [],
  };
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
    urls.forEach((url, i) => {
      if (typeof url !== 'string' || !/^wss?:\/\/[^\s/]+/.test(url)) {
        throw new FieldError([...f.at('urls'), i], `${shown(url)} is not a ws:// or wss:// URL`, 'write it like ws://chat.example.com:8080/ws');
      }
    });
    if (nodes !== undefined && nodes !== urls.length) f.fail('nodes', `is ${nodes} but ${urls.length} urls are given`, 'leave nodes out with runtime external');
    spec.urls = urls as string[];
    spec.nodes = urls.length;
  } else {
    if (f.has('urls')) f.fail('urls', `is only used with runtime external (runtime is ${runtime})`, 'write "runtime: external" to test a system you already run');
    spec.nodes = nodes ?? 3;
  }
  const misbehaviour = f.object('misbehaviour', ['mode', 'rate']);
  if (misbehaviour) {
    if (runtime === 'external') f.fail('misbehaviour', 'is a mode of the reference broker, not possible on runtime external');
    const mode = misbehaviour.required('mode', (k) => misbehaviour.oneOf(k, MISBEHAVIOUR_MODES), `one of ${MISBEHAVIOUR_MODES.join(', ')}`);
    spec.misbehaviour = { mode, rate: misbehaviour.fraction('rate') ?? 0.05 };
  }
  for (const key of ['nodeImage', 'toxiproxyImage'] as const) {
    const image = f.string(key);
    if (image !== undefined) spec[key] = image;
  }
  return spec;
}

function readClients(f: Fields | undefined, top: Fields, durationMs: number): ClientsSpec {
  if (!f) top.fail('clients', 'is required', 'write at least "clients: { count: 100 }"');
  const count = f.required('count', (k) => f.integer(k, { min: 1, hint: 'the number of virtual clients' }), 'write the number of virtual clients, e.g. "count: 100"');
  const rampUpMs = f.durationMs('rampUp') ?? 0;
  if (rampUpMs > durationMs) f.fail('rampUp', `${formatDuration(rampUpMs)} is longer than the run (duration ${formatDuration(durationMs)})`, 'ramp-up happens within "duration"');
  const channels = f.integer('channels', { min: 1, max: LIMITS.channels }) ?? 10;
  const subscriptionsPerClient = f.integer('subscriptionsPerClient', {
    min: 1, max: Math.min(channels, LIMITS.subscriptionsPerClient), hint: `a client subscribes to distinct channels (channels: ${channels}), at most ${LIMITS.subscriptionsPerClient}`,
  }) ?? 1;
  const publishers = f.integer('publishers', { min: 0, max: count, hint: `publishers are some of the ${count} clients` }) ?? Math.min(count, channels);
  const publishRate = f.ratePerSecond('publishRate') ?? 1;
  if (publishRate <= 0) f.fail('publishRate', `${shown(f.raw('publishRate'))} publishes nothing`, 'write "publishers: 0" for clients that only subscribe');
  if (publishRate > LIMITS.publishRate) f.fail('publishRate', `${shown(f.raw('publishRate'))} is more than ${LIMITS.publishRate}/s per publisher`, 'use more publishers at a lower rate');
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

  return { count, rampUpMs, channels, subscriptionsPerClient, publishers, publishRate, payloadBytes, reconnect, heartbeat };
}

function readThresholds(top: Fields): ThresholdSpec[] {
  const raw = top.raw('thresholds');
  if (raw === undefined) return [];
  if (!isPlainObject(raw)) top.fail('thresholds', `${shown(raw)} is not a mapping`, 'write it like { "latency.p99": "< 100ms", loss: "== 0" }');
  const specs: ThresholdSpec[] = [];
  for (const [expression, value] of Object.entries(raw)) {
    const path = [...top.at('thresholds'), expression];
    const conditions = Array.isArray(value) ? value : [value];
    if (specs.length + conditions.length > LIMITS.thresholds) {
      top.fail('thresholds', `has more than ${LIMITS.thresholds} conditions`, 'keep the ones the run must meet');
    }
    if (conditions.length === 0) throw new FieldError(path, 'has no condition', 'write it like "< 100ms"');
    conditions.forEach((condition, i) => {
      const at = Array.isArray(value) ? [...path, i] : path;
      if (typeof condition !== 'string') {
        throw new FieldError(at, `${shown(condition)} is not a condition`, `write it as text with an operator, e.g. "== ${typeof condition === 'number' ? condition : 0}"`);
      }
      try {
        parseThreshold(expression, condition);
      } catch (e) {
        if (e instanceof ThresholdError) throw new FieldError(at, e.problem, e.hint);
        throw e;
      }
      specs.push({ expression: expression.trim(), condition: condition.trim() });
    });
  }
  return specs;
}

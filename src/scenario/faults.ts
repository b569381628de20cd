// One entry of `faults:`: when, where, and either a Toxiproxy toxic or an action (proxy
// down, partition, process kill/pause/restart). Every combination that the chaos timeline
// could not carry out is refused here, naming the field.
import { Fields, FieldError, type Path } from './fields';
import { LIMITS } from './limits';
import { Problem, shown } from './problem';
import { describeNodes, parseTarget } from './targets';
import { attributeUnit, TOXIC_ATTRIBUTES } from './toxics';
import { FAULT_ACTIONS, TOXIC_TYPES, type FaultAction, type FaultSpec, type FaultTarget, type RuntimeKind, type ToxicType } from '../contracts/scenario';
import { formatDuration } from './units';

const FAULT_FIELDS = ['at', 'for', 'target', 'toxic', 'attributes', 'stream', 'toxicity', 'action', 'nodes', 'restartAfter'];
const RENAMED: Record<string, string> = {
  type: 'write "toxic: <type>" for a toxic or "action: <action>" for an action',
  duration: 'write "for: 10s"',
  node: 'write "target: node:node-2"',
  restart_after: 'write "restartAfter: 3s"',
};

export interface FaultContext {
  nodes: readonly string[];    // node-1 … node-N
  runtime: RuntimeKind;
  durationMs: number;
}

export function readFault(value: unknown, path: Path, ctx: FaultContext): FaultSpec {
  const f = Fields.open(value, path, FAULT_FIELDS, RENAMED);
  const atMs = f.required('at', f.durationMs, 'write when the fault starts, e.g. "at: 20s"');
  const forMs = f.durationMs('for');
  const toxic = f.oneOf('toxic', TOXIC_TYPES);
  const action = f.oneOf('action', FAULT_ACTIONS);

  if (toxic && action) f.fail('action', 'a fault has a toxic or an action, not both', 'split it into two faults');
  if (!toxic && !action) {
    throw new FieldError(path, 'needs a toxic or an action', `add "toxic: ${TOXIC_TYPES.join('|')}" or "action: ${FAULT_ACTIONS.join('|')}"`);
  }
  if (atMs >= ctx.durationMs) {
    f.fail('at', `${formatDuration(atMs)} is not before the end of the run (duration ${formatDuration(ctx.durationMs)})`, 'faults happen during "duration"');
  }
  if (forMs !== undefined) {
    if (forMs <= 0) f.fail('for', `${shown(f.raw('for'))} is not a positive duration`, 'leave "for" out to keep the fault until the end');
    if (atMs + forMs > ctx.durationMs) {
      f.fail('for', `at ${formatDuration(atMs)} + for ${formatDuration(forMs)} ends after the run (duration ${formatDuration(ctx.durationMs)})`, 'shorten it, or leave "for" out to keep the fault until the end');
    }
  }
  const fault: FaultSpec = { atMs };
  if (forMs !== undefined) fault.forMs = forMs;
  return toxic ? readToxic(f, fault, toxic, ctx) : readAction(f, fault, action!, ctx);
}

function readToxic(f: Fields, fault: FaultSpec, toxic: ToxicType, ctx: FaultContext): FaultSpec {
  for (const key of ['nodes', 'restartAfter']) {
    if (f.has(key)) f.fail(key, `is not used with a toxic`, key === 'nodes' ? 'only "action: partition" takes nodes' : 'only kill and pause take restartAfter');
  }
  fault.target = readTarget(f, ctx);
  if (fault.target.kind === 'node') {
    f.fail('target', `toxics act on connections, not on a node process`, 'use clients:NODE, clients:*, link:A>B or links:*');
  }
  checkLinkOnExternal(f, fault.target, ctx);
  fault.toxic = toxic;
  fault.attributes = readAttributes(f, toxic);
  fault.stream = f.oneOf('stream', ['upstream', 'downstream', 'both'] as const) ?? 'downstream';
  fault.toxicity = f.fraction('toxicity') ?? 1;
  return fault;
}

function readAttributes(f: Fields, toxic: ToxicType): Record<string, number> {
  const known = TOXIC_ATTRIBUTES[toxic];
  const takes = `${toxic} takes ${known.map((a) => `${a} (${attributeUnit(toxic, a)})`).join(', ')}`;
  const attributes: Record<string, number> = {};
  const raw = f.mapping('attributes', `write it like { ${known[0]}: 100 }`);
  if (raw !== undefined) {
    for (const [name, value] of Object.entries(raw)) {
      const path = [...f.at('attributes'), name];
      if (!known.includes(name)) throw new FieldError(path, `"${name}" is not an attribute of the ${toxic} toxic`, takes);
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        const unit = attributeUnit(toxic, name);
        const hint = typeof value === 'string'
          ? `toxic attributes are Toxiproxy integers in ${unit}: write ${name}: ${parseInt(value, 10) || 100}`
          : `write a whole number >= 0 (${unit})`;
        throw new FieldError(path, `${shown(value)} is not a whole number >= 0`, hint);
      }
      if (value > LIMITS.attribute) {
        throw new FieldError(path, `${value} is more than ${LIMITS.attribute}`, `toxic attributes are bounded (${attributeUnit(toxic, name)}); see "Limits" in docs/scenario-format.md`);
      }
      attributes[name] = value;
    }
  }
  // Toxiproxy recurses forever on a slicer with average_size 0 and can panic when the
  // variation exceeds the average: refuse both rather than hang the proxy.
  if (toxic === 'slicer') {
    const average = attributes.average_size ?? 0;
    if (average < 1) f.fail('attributes', 'a slicer needs average_size >= 1', 'write { average_size: 64, size_variation: 32, delay: 10 }');
    if ((attributes.size_variation ?? 0) > average) {
      throw new FieldError([...f.at('attributes'), 'size_variation'], `${attributes.size_variation} is more than average_size ${average}`, 'keep size_variation <= average_size');
    }
  }
  return attributes;
}

function readAction(f: Fields, fault: FaultSpec, action: FaultAction, ctx: FaultContext): FaultSpec {
  for (const key of ['attributes', 'stream', 'toxicity']) {
    if (f.has(key)) f.fail(key, `is only used with a toxic`, `action ${action} takes no ${key}`);
  }
  if (action !== 'partition' && f.has('nodes')) f.fail('nodes', `is only used with action partition`, 'name the node in "target"');
  if (action !== 'kill' && action !== 'pause' && f.has('restartAfter')) {
    f.fail('restartAfter', `is only used with kill and pause`, action === 'down' ? 'use "for" to bring the proxy back' : undefined);
  }
  fault.action = action;
  switch (action) {
    case 'down': {
      fault.target = readTarget(f, ctx);
      if (fault.target.kind === 'node') f.fail('target', 'action down disables a proxy, not a node', 'use clients:NODE or link:A>B, or action kill/pause for a node');
      checkLinkOnExternal(f, fault.target, ctx);
      return fault;
    }
    case 'partition': {
      if (ctx.runtime === 'external') f.fail('action', 'partition is not possible on runtime external', 'chat-bench does not control the links of an external system');
      if (f.has('target')) f.fail('target', 'a partition is given by "nodes", not a target', 'write nodes: [node-2] (the nodes cut off from the rest)');
      fault.nodes = readPartitionNodes(f, ctx);
      return fault;
    }
    case 'kill':
    case 'pause':
    case 'restart': {
      if (ctx.runtime === 'external') f.fail('action', `${action} is not possible on runtime external`, 'chat-bench does not control the processes of an external system');
      fault.target = readTarget(f, ctx);
      if (fault.target.kind !== 'node') f.fail('target', `action ${action} needs a node`, 'write "target: node:node-2"');
      if (f.has('for')) f.fail('for', `is not used with action ${action}`, action === 'restart' ? 'a restart is instantaneous' : 'use "restartAfter" to bring the node back');
      const restartAfterMs = f.durationMs('restartAfter');
      if (restartAfterMs !== undefined) {
        if (fault.atMs + restartAfterMs > ctx.durationMs) {
          f.fail('restartAfter', `at ${formatDuration(fault.atMs)} + restartAfter ${formatDuration(restartAfterMs)} ends after the run (duration ${formatDuration(ctx.durationMs)})`, 'shorten it or lengthen duration');
        }
        fault.restartAfterMs = restartAfterMs;
      }
      return fault;
    }
  }
}

function readTarget(f: Fields, ctx: FaultContext): FaultTarget {
  const raw = f.raw('target');
  if (raw === undefined) f.fail('target', 'is required', 'write e.g. "target: clients:node-2", "link:node-1>node-3" or "node:node-2"');
  try {
    return parseTarget(raw, ctx.nodes);
  } catch (e) {
    if (e instanceof Problem) f.fail('target', e.message, e.hint);
    throw e;
  }
}

function checkLinkOnExternal(f: Fields, target: FaultTarget, ctx: FaultContext): void {
  if (target.kind === 'link' && ctx.runtime === 'external') {
    f.fail('target', 'links between nodes cannot be proxied on runtime external', 'use a clients:NODE target');
  }
}

function readPartitionNodes(f: Fields, ctx: FaultContext): string[] {
  const list = f.required('nodes', f.array, 'write nodes: [node-2] (the nodes cut off from the rest)');
  if (list.length === 0) f.fail('nodes', 'is empty', 'name the nodes cut off from the rest, e.g. [node-2]');
  const seen = new Set<string>();
  list.forEach((id, i) => {
    const path = [...f.at('nodes'), i];
    if (typeof id !== 'string' || !ctx.nodes.includes(id)) {
      throw new FieldError(path, `there is no node ${shown(id)}`, `nodes are ${describeNodes(ctx.nodes)}`);
    }
    if (seen.has(id)) throw new FieldError(path, `"${id}" is listed twice`);
    seen.add(id);
  });
  if (seen.size >= ctx.nodes.length) f.fail('nodes', 'cuts off every node: nothing is left on the other side', 'leave at least one node out');
  return [...seen];
}

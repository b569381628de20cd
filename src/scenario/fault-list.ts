// `faults:` is either a list of faults, or an object with a random nemesis and an optional
// hand-written list: `faults: { random: { seed, every, maxFor, kinds }, list: [...] }`.
// Generated faults go through readFault like hand-written ones, so they obey the same rules.
import { generateFaults, nemesisWindow } from './nemesis';
import { RANDOM_FAULT_KINDS, type FaultSpec, type RandomFaultKind, type RandomFaultsSpec } from '../contracts/scenario';
import { readFault, type FaultContext } from './faults';
import { FieldError, Fields, isPlainObject, pathText, type Path } from './fields';
import { LIMITS } from './limits';
import { checkOverlaps } from './overlaps';
import { shown } from './problem';
import { formatDuration } from './units';

const RANDOM_FIELDS = ['seed', 'every', 'maxFor', 'kinds'];
const PROCESS_KINDS: readonly RandomFaultKind[] = ['partition', 'kill', 'pause'];

export interface FaultList {
  faults: FaultSpec[];
  randomFaults?: RandomFaultsSpec;
  generatedFaults?: Array<Record<string, unknown>>;
}

export interface FaultListContext extends FaultContext {
  rampUpMs: number;
  seed: number;                // the scenario's seed: the nemesis's default
}

export function readFaultList(top: Fields, ctx: FaultListContext): FaultList {
  const raw = top.raw('faults');
  if (raw === undefined) return { faults: [] };
  const path = top.at('faults');
  if (Array.isArray(raw)) {
    const faults = readList(raw, path, ctx);
    checkOverlapsNamed(faults, faults.map((_, i) => [...path, i]), ctx);
    return { faults };
  }
  // A mapping without random/list is most likely one fault written without its "- ".
  if (!isPlainObject(raw) || !('random' in raw || 'list' in raw)) {
    top.fail('faults', `${shown(raw)} is not a list`, 'write a list of faults ("- at: …" lines), or { random: { every: 10s } }');
  }
  const f = Fields.open(raw, path, ['random', 'list']);
  const list = readList(f.array('list') ?? [], f.at('list'), ctx);
  const listPaths = list.map((_, i) => [...f.at('list'), i]);
  const r = f.object('random', RANDOM_FIELDS);
  if (!r) {
    checkOverlapsNamed(list, listPaths, ctx);
    return { faults: list };
  }

  const randomFaults = readRandom(r, ctx);
  const generatedFaults = generateFaults({
    ...randomFaults, nodes: ctx.nodes, links: ctx.runtime !== 'external', rampUpMs: ctx.rampUpMs, durationMs: ctx.durationMs,
  });
  if (generatedFaults.length === 0) {
    const w = nemesisWindow({ rampUpMs: ctx.rampUpMs, durationMs: ctx.durationMs });
    f.fail('random', `generates no fault: faults are drawn between ${formatDuration(Math.max(0, w.startMs))} (ramp-up + 3s) and ${formatDuration(w.endMs)} (the last quarter stays calm), too short for maxFor ${formatDuration(randomFaults.maxForMs)}`,
      'lengthen duration, or shorten rampUp or maxFor');
  }
  if (list.length + generatedFaults.length > LIMITS.faults) {
    f.fail('random', `generates ${generatedFaults.length} faults, more than ${LIMITS.faults - list.length}`, 'lengthen "every" or shorten duration');
  }
  const generatedPaths = generatedFaults.map((_, i) => [...r.path, 'generated', i]);
  const generated = generatedFaults.map((g, i) => readFault(g, generatedPaths[i], ctx));
  checkOverlapsNamed([...list, ...generated], [...listPaths, ...generatedPaths], ctx);
  const faults = [...list, ...generated].sort((a, b) => a.atMs - b.atMs);
  return { faults, randomFaults, generatedFaults };
}

function readList(raw: unknown[], path: Path, ctx: FaultContext): FaultSpec[] {
  if (raw.length > LIMITS.faults) throw new FieldError(path, `has ${raw.length} faults, more than ${LIMITS.faults}`, 'split the scenario into several runs');
  return raw.map((f, i) => readFault(f, [...path, i], ctx));
}

/** checkOverlaps on faults from several places: its refusal names where each fault was written. */
function checkOverlapsNamed(faults: FaultSpec[], paths: Path[], ctx: FaultContext): void {
  try {
    checkOverlaps(faults, ctx.nodes, ctx.durationMs);
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    const j = e.path[1] as number;
    const problem = e.problem.replace(/^overlaps faults\[(\d+)\]/, (_m, i: string) => `overlaps ${pathText(paths[Number(i)])}`);
    throw new FieldError(paths[j] ?? e.path, problem, e.hint);
  }
}

function readRandom(r: Fields, ctx: FaultListContext): RandomFaultsSpec {
  const seed = r.integer('seed', { min: 0, max: 0xffff_ffff, hint: 'the seed is a 32-bit unsigned integer' }) ?? ctx.seed;
  const everyMs = r.durationMs('every') ?? 5000;
  if (everyMs < 100) r.fail('every', `${shown(r.raw('every'))} is less than 100ms`, 'write the mean pause between faults, e.g. "every: 10s"');
  const maxForMs = r.durationMs('maxFor') ?? 3000;
  if (maxForMs < 100) r.fail('maxFor', `${shown(r.raw('maxFor'))} is less than 100ms`, 'write the longest a fault lasts, e.g. "maxFor: 5s"');
  const possible = RANDOM_FAULT_KINDS.filter((k) => possibleKind(k, ctx) === undefined);
  const list = r.array('kinds');
  if (list === undefined) return { seed, everyMs, maxForMs, kinds: possible };
  if (list.length === 0) r.fail('kinds', 'is empty', `name some of ${possible.join(', ')}, or leave kinds out for all of them`);
  const kinds: RandomFaultKind[] = [];
  list.forEach((k, i) => {
    const at = [...r.at('kinds'), i];
    if (typeof k !== 'string' || !(RANDOM_FAULT_KINDS as readonly string[]).includes(k)) {
      throw new FieldError(at, `${shown(k)} is not one of ${RANDOM_FAULT_KINDS.join(', ')}`);
    }
    const why = possibleKind(k as RandomFaultKind, ctx);
    if (why) throw new FieldError(at, why);
    if (kinds.includes(k as RandomFaultKind)) throw new FieldError(at, `"${k}" is listed twice`);
    kinds.push(k as RandomFaultKind);
  });
  return { seed, everyMs, maxForMs, kinds };
}

/** Why a kind cannot be injected here, or undefined when it can. */
function possibleKind(kind: RandomFaultKind, ctx: FaultContext): string | undefined {
  if (ctx.runtime === 'external' && PROCESS_KINDS.includes(kind)) return `${kind} is not possible on runtime external`;
  if (kind === 'partition' && ctx.nodes.length < 2) return 'partition needs at least 2 nodes';
  return undefined;
}

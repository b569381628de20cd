// The random nemesis (Jepsen-style): a seeded, reproducible timeline of faults drawn from a
// vocabulary of kinds. Pure: the same plan gives the same list, written in the shape of
// `faults:` entries, so a failing seed can be pasted back into a scenario and replayed exactly.
//
// Rules that keep a generated timeline meaningful (docs/scenario-format.md "Random faults"):
// - one fault at a time, so nothing contradicts (never a kill and a pause of one node at once);
// - every fault ends: toxics, downs and partitions have `for`, kills and pauses `restartAfter`;
// - faults start after the ramp-up plus a few steady seconds (the recovery baseline) and end
//   before the last quarter of the run, which stays fault-free so the drain can heal.
import { seededRandom, type Random } from '../util/random';
import type { RandomFaultKind } from '../contracts/scenario';

export const STEADY_BEFORE_MS = 3000;  // steady seconds after the ramp-up, before the first fault
export const CALM_END_SHARE = 0.25;    // the last quarter of the run has no fault
const MIN_FOR_MS = 1000;
const STEP_MS = 100;                   // times are whole tenths of a second

export interface NemesisPlan {
  seed: number;
  everyMs: number;
  maxForMs: number;
  kinds: readonly RandomFaultKind[];
  nodes: readonly string[];
  links: boolean;                      // node-to-node links can be targeted (not on runtime external)
  rampUpMs: number;
  durationMs: number;
}

/** The window faults are drawn in: [startMs, endMs). Empty when the run is too short. */
export function nemesisWindow(plan: Pick<NemesisPlan, 'rampUpMs' | 'durationMs'>): { startMs: number; endMs: number } {
  return { startMs: plan.rampUpMs + STEADY_BEFORE_MS, endMs: Math.floor(plan.durationMs * (1 - CALM_END_SHARE)) };
}

export function generateFaults(plan: NemesisPlan): Array<Record<string, unknown>> {
  const random = seededRandom(plan.seed ^ 0x9e3779b9);
  const { startMs, endMs } = nemesisWindow(plan);
  const minForMs = Math.min(MIN_FOR_MS, plan.maxForMs);
  const faults: Array<Record<string, unknown>> = [];
  let at = startMs + steps(random, 0, plan.everyMs);
  for (;;) {
    const forMs = steps(random, minForMs, plan.maxForMs);
    if (at + forMs > endMs) break;
    const kind = pick(random, plan.kinds);
    faults.push(faultOf(kind, at, forMs, random, plan));
    at += forMs + steps(random, plan.everyMs / 2, (plan.everyMs * 3) / 2);
  }
  return faults;
}

function faultOf(kind: RandomFaultKind, atMs: number, forMs: number, random: Random, plan: NemesisPlan): Record<string, unknown> {
  const at = `${atMs}ms`;
  const span = `${forMs}ms`;
  const node = () => pick(random, plan.nodes);
  switch (kind) {
    case 'kill':
    case 'pause':
      return { at, target: `node:${node()}`, action: kind, restartAfter: span };
    case 'partition':
      return { at, for: span, action: 'partition', nodes: [node()] };
    case 'down':
      return { at, for: span, target: connectionTarget(random, plan), action: 'down' };
    default:
      return { at, for: span, target: connectionTarget(random, plan), toxic: kind, ...toxicDetails(kind, random) };
  }
}

/** Attributes within ranges that hurt without making the run meaningless. */
function toxicDetails(kind: RandomFaultKind, random: Random): Record<string, unknown> {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  switch (kind) {
    case 'latency': {
      const latency = int(5, 50) * 10;
      return { attributes: { latency, jitter: int(0, latency / 20) * 10 }, stream: pick(random, ['downstream', 'upstream', 'both'] as const) };
    }
    case 'bandwidth': return { attributes: { rate: int(16, 256) } };
    case 'slicer': {
      const average = int(16, 128);
      return { attributes: { average_size: average, size_variation: int(0, average / 2), delay: int(0, 20) } };
    }
    case 'reset_peer': return { attributes: { timeout: int(0, 10) * 100 } };
    case 'timeout': return { attributes: { timeout: int(5, 30) * 100 } };
    case 'limit_data': return { attributes: { bytes: int(1, 64) * 1024 } };
    default: throw new Error(`bug: ${kind} is not a toxic`);
  }
}

function connectionTarget(random: Random, plan: NemesisPlan): string {
  const a = pick(random, plan.nodes);
  if (!plan.links || plan.nodes.length < 2 || random() < 0.5) return `clients:${a}`;
  const b = pick(random, plan.nodes.filter((n) => n !== a));
  return `link:${a}>${b}`;
}

const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)];

/** A whole number of STEP_MS in [lo, hi]. */
function steps(random: Random, lo: number, hi: number): number {
  const a = Math.ceil(lo / STEP_MS);
  const b = Math.max(a, Math.floor(hi / STEP_MS));
  return (a + Math.floor(random() * (b - a + 1))) * STEP_MS;
}

// Faults that contradict each other are refused, naming both (docs/scenario-format.md,
// "Overlapping faults"). What overlap means, per kind:
// - `down` and `partition` overlap freely: a proxy is down while ANY fault holding it is
//   active (reference counts in src/chaos/proxy-switch.ts).
// - toxics of different types on one proxy compose (Toxiproxy chains them).
// - two toxics of the SAME type on one proxy and direction at overlapping times are refused:
//   Toxiproxy would stack them (two latencies add up), which is never what "latency 300" says.
// - process faults (kill, pause, restart) on one node at overlapping times are refused: a
//   paused node cannot be killed "as well", a restart of a killed node is not a crash.
import { FieldError } from './fields';
import { formatTarget } from './targets';
import type { FaultSpec, FaultTarget } from '../contracts/scenario';
import { formatDuration } from './units';

interface Window { start: number; end: number }

export function checkOverlaps(faults: readonly FaultSpec[], nodes: readonly string[], durationMs: number): void {
  for (let j = 1; j < faults.length; j++) {
    for (let i = 0; i < j; i++) {
      const problem = conflict(faults[i], faults[j], nodes, durationMs);
      if (problem) throw new FieldError(['faults', j], `overlaps faults[${i}]: ${problem.what}`, problem.hint);
    }
  }
}

function conflict(a: FaultSpec, b: FaultSpec, nodes: readonly string[], durationMs: number): { what: string; hint: string } | null {
  if (a.toxic && b.toxic && a.toxic === b.toxic) {
    const shared = overlapOpen(toxicWindow(a, durationMs), toxicWindow(b, durationMs));
    if (!shared) return null;
    const proxy = proxiesOf(a.target!, nodes).find((p) => proxiesOf(b.target!, nodes).includes(p));
    const direction = directionsOf(a).find((d) => directionsOf(b).includes(d));
    if (!proxy || !direction) return null;
    return {
      what: `both add a ${a.toxic} toxic (${direction}) to ${proxy} ${between(shared, durationMs)}`,
      hint: `Toxiproxy would stack them (two ${a.toxic} toxics add up); merge them into one fault or move one so they do not overlap`,
    };
  }
  if (a.target?.kind === 'node' && b.target?.kind === 'node' && a.target.node === b.target.node) {
    const shared = overlapClosed(processWindow(a), processWindow(b));
    if (!shared) return null;
    return {
      what: `${a.action} and ${b.action} both act on the ${a.target.node} process ${between(shared, durationMs)}`,
      hint: 'one process fault per node at a time: start the next after restartAfter has brought the node back',
    };
  }
  return null;
}

const toxicWindow = (f: FaultSpec, durationMs: number): Window => ({ start: f.atMs, end: f.forMs === undefined ? durationMs : f.atMs + f.forMs });

/** kill/pause hold the node until restartAfter (or the end); a restart is an instant. */
const processWindow = (f: FaultSpec): Window =>
  ({ start: f.atMs, end: f.action === 'restart' ? f.atMs : f.atMs + (f.restartAfterMs ?? Infinity) });

function overlapOpen(a: Window, b: Window): Window | null {
  const w = { start: Math.max(a.start, b.start), end: Math.min(a.end, b.end) };
  return w.start < w.end ? w : null;
}

/** Closed: a node brought back at 10s and killed again at 10s is a race, refused too. */
function overlapClosed(a: Window, b: Window): Window | null {
  const w = { start: Math.max(a.start, b.start), end: Math.min(a.end, b.end) };
  return w.start <= w.end ? w : null;
}

function between(w: Window, durationMs: number): string {
  if (w.start === w.end) return `at ${formatDuration(w.start)}`;
  const end = Number.isFinite(w.end) && w.end < durationMs ? formatDuration(w.end) : 'the end of the run';
  return `between ${formatDuration(w.start)} and ${end}`;
}

const directionsOf = (f: FaultSpec): string[] => (f.stream === 'both' ? ['upstream', 'downstream'] : [f.stream ?? 'downstream']);

/** The proxies a target names, wildcards expanded: clients:node-2, link:node-1>node-3. */
function proxiesOf(target: FaultTarget, nodes: readonly string[]): string[] {
  if (target.kind === 'clients') return (target.node === '*' ? nodes : [target.node]).map((n) => formatTarget({ kind: 'clients', node: n }));
  if (target.kind === 'node') return [];
  const out: string[] = [];
  for (const from of target.from === '*' ? nodes : [target.from]) {
    for (const to of target.to === '*' ? nodes : [target.to]) if (from !== to) out.push(formatTarget({ kind: 'link', from, to }));
  }
  return out;
}

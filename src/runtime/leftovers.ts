// Stopping marked processes whose owner is gone (see run-marker.ts). A pid is signalled only
// if it is still the very process that was marked (same start time and command line).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isSameProcess, type ProcessIdentity } from '../util/proc-identity';
import type { MarkerFile } from './run-marker';

export interface LocalCleanup { killed: number; activeRuns: number; staleMarkers: number }

/** Kills what `dir` lists that is still ours, waits (bounded) until it is gone, removes `dir`. */
export async function reapMarker(dir: string, waitMs = 3000): Promise<number> {
  const file = readMarker(dir);
  const ours = (file?.children ?? []).filter(isSameProcess);
  for (const child of ours) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* exited meanwhile */ }
  }
  await waitGone(ours, waitMs);
  rmSync(dir, { recursive: true, force: true });
  return ours.length;
}

/** `chat-bench clean` for local runs: every marker whose owner is dead is reaped. */
export async function cleanLocal(root: string): Promise<LocalCleanup> {
  const result: LocalCleanup = { killed: 0, activeRuns: 0, staleMarkers: 0 };
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return result; // no run ever marked anything
  }
  for (const name of names) {
    const dir = join(root, name);
    const file = readMarker(dir);
    if (file && isSameProcess(file.owner)) {
      result.activeRuns++; // a run in progress: its processes are not leftovers
      continue;
    }
    const killed = await reapMarker(dir);
    result.killed += killed;
    if (killed === 0) result.staleMarkers++;
  }
  return result;
}

function readMarker(dir: string): MarkerFile | null {
  try {
    const file = JSON.parse(readFileSync(join(dir, 'pids.json'), 'utf8')) as MarkerFile;
    return file && Array.isArray(file.children) && file.owner ? file : null;
  } catch {
    return null;
  }
}

async function waitGone(processes: ProcessIdentity[], waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && processes.some(isSameProcess)) {
    await new Promise((r) => setTimeout(r, 25));
  }
}

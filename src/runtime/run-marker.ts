// Marks the processes this process starts (brokers, proxies) so that they can be found again
// if we die without stopping them: os.tmpdir()/chat-bench-runs/<our pid>-<our start>/pids.json
// lists us and each child with its start time. A reaper process watches us through a pipe and,
// the moment we die, kills what is still listed (children that cannot notice by themselves,
// e.g. a node paused by a `pause` fault); `chat-bench clean` does the same for any marker whose
// owner is gone. A clean exit removes the marker.
import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Socket } from 'node:net';
import { identityOf, type ProcessIdentity } from '../util/proc-identity';

export interface MarkerFile { owner: ProcessIdentity; children: ProcessIdentity[] }

const REAPER_MAIN = resolve(__dirname, 'reaper-main.js');

export const runsRoot = (): string => join(tmpdir(), 'chat-bench-runs');

let marker: { dir: string; file: MarkerFile } | null = null;
let unavailable = false;

/** Lists `pid` as ours. Best effort: without /proc or a writable tmpdir, children still exit with us. */
export function markChild(pid: number | undefined): void {
  if (pid === undefined || unavailable) return;
  const child = identityOf(pid);
  if (!child) return;
  try {
    const current = marker ?? createMarker();
    current.file.children.push(child);
    save(current.dir, current.file);
  } catch {
    unavailable = true; // e.g. no /proc: nothing to mark with
  }
}

export function unmarkChild(pid: number | undefined): void {
  if (!marker || pid === undefined) return;
  marker.file.children = marker.file.children.filter((c) => c.pid !== pid);
  try { save(marker.dir, marker.file); } catch { /* the reaper re-checks identities anyway */ }
}

function createMarker(): { dir: string; file: MarkerFile } {
  const owner = identityOf(process.pid);
  if (!owner) throw new Error('no /proc');
  const dir = join(runsRoot(), `${owner.pid}-${owner.start}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 }); // tmpdir is a real disk, not procfs
  marker = { dir, file: { owner, children: [] } };
  startReaper(dir);
  // A clean exit (children already stopped or killed by the exit hook) leaves nothing to find.
  process.on('exit', () => { try { rmSync(dir, { recursive: true, force: true }); } catch { /* gone */ } });
  return marker;
}

function startReaper(dir: string): void {
  const reaper = spawn(process.execPath, [REAPER_MAIN, dir], { stdio: ['pipe', 'ignore', 'ignore'] });
  reaper.on('error', () => { /* children still exit with us on their own */ });
  reaper.unref();
  (reaper.stdin as Socket | null)?.unref(); // the pipe must not keep us alive: its end is the signal
}

function save(dir: string, file: MarkerFile): void {
  const temp = join(dir, `.pids.${process.pid}.tmp`);
  writeFileSync(temp, JSON.stringify(file));
  renameSync(temp, join(dir, 'pids.json')); // a reader never sees half a list
}

// Child processes of a run (broker nodes, the embedded Toxiproxy server): start one, wait
// for its `{"event":"listening",…}` line, keep its output in a log file, and make sure it
// dies with us, whatever way we exit (exit hook; its stdin pipe; the reaper of run-marker.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { infraError } from '../util/errors';
import { EXIT_WITH_PARENT_ENV } from '../util/exit-with-parent';
import { ensureOutputDir } from '../util/output-dir';
import { markChild, unmarkChild } from './run-marker';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: a crash or process.exit() must not leave brokers or proxies behind.
  process.on('exit', () => {
    for (const child of live) {
      try { child.kill('SIGCONT'); child.kill('SIGKILL'); } catch { /* already gone */ }
    }
  });
}

export interface Started {
  child: ChildProcess;
  port: number;
}

/** Spawns `node script args…`, resolves once it printed its listening line (with the real port). */
export function startListeningProcess(
  name: string, script: string, args: string[], logFile: string, timeoutMs = 15000,
  /** every stderr line as it comes (the log file gets them too) */
  onStderrLine?: (line: string) => void,
): Promise<Started> {
  installExitHook();
  ensureOutputDir(dirname(logFile), 'log folder');
  const log = createWriteStream(logFile, { flags: 'a' });
  log.on('error', () => { /* a full disk loses log lines, not the run */ });
  // stdin is a pipe the child watches: when we die, even by SIGKILL, it ends and the child exits.
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, [EXIT_WITH_PARENT_ENV]: '1' },
  });
  live.add(child);
  markChild(child.pid);
  child.once('exit', () => { live.delete(child); unmarkChild(child.pid); });
  child.stdin!.on('error', () => { /* the child exited first */ });
  child.stderr!.pipe(log, { end: false });
  if (onStderrLine) {
    let partial = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onStderrLine(line);
    });
  }
  return new Promise<Started>((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(infraError(`${name} did not start: ${why}`, `see ${logFile}`));
    };
    const timer = setTimeout(() => fail(`no "listening" line within ${timeoutMs} ms`), timeoutMs);
    child.once('exit', (code, signal) => fail(`exited with ${signal ?? `code ${code}`}`));
    child.once('error', (err) => fail(err.message));
    child.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (settled) return;
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        try {
          const ev = JSON.parse(line) as { event?: string; port?: number };
          if (ev.event === 'listening' && typeof ev.port === 'number') {
            settled = true;
            clearTimeout(timer);
            resolve({ child, port: ev.port });
            return;
          }
        } catch { /* not a JSON line: just log */ }
      }
    });
  });
}

/**
 * Makes a child that is not one of our node scripts (a real server binary) die with us too:
 * the exit hook and the reaper's marker (it cannot watch our stdin like our own scripts do).
 */
export function trackChild(child: ChildProcess): void {
  installExitHook();
  live.add(child);
  markChild(child.pid);
  child.once('exit', () => { live.delete(child); unmarkChild(child.pid); });
}

/** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process is gone. */
export function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGCONT'); // a paused process cannot handle SIGTERM
    child.kill('SIGTERM');
  });
}

export function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

// The CLI run as a user runs it (a child process), with every process it starts noted, so a
// test can prove none survives it; and the one-line messages it printed.
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, childrenOf } from './processes';
import { CLI, ROOT } from '../integration/support';

export interface CliRun { code: number | null; stdout: string; stderr: string; started: number[] }

/** Runs the CLI and notes every process it starts (polled). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    const started = new Set<number>();
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const poll = setInterval(() => { for (const pid of childrenOf(child.pid!)) started.add(pid); }, 20);
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, stdout, stderr, started: [...started] });
    });
  });
}

/** The processes of `pids` still alive after up to 5 s (the reaper outlives the CLI by a moment, by design). */
export async function survivors(pids: number[]): Promise<string[]> {
  for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(alive).map((pid) => { try { return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`; } catch { return String(pid); } });
}

/** The CLI's own message lines (not its "starting" line). */
export const messages = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('chat-bench: ') && !l.startsWith('chat-bench: starting'));

/**
 * A run the target must refuse: writes `scenario` (a short external run with quick reconnects)
 * into `dir`, runs it, and checks exit 3 with exactly one message line, which it returns.
 */
export async function refusedRun(dir: string, scenario: { name: string; cluster: Record<string, unknown>; clients: number }): Promise<{ line: string; run: CliRun }> {
  const path = join(dir, 's.json');
  writeFileSync(path, JSON.stringify({
    name: scenario.name,
    cluster: scenario.cluster,
    clients: { count: scenario.clients, rampUp: '200ms', channels: 2, publishers: 2, reconnect: { initial: '50ms', max: '200ms' } },
    duration: '3s', drain: '1s', recovery: '1s',
  }));
  const run = await runCli(['run', path, '--out', dir, '--quiet']);
  assert.equal(run.code, 3, run.stderr);
  const lines = messages(run.stderr);
  assert.equal(lines.length, 1, run.stderr);
  return { line: lines[0], run };
}

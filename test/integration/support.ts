// Small real runs for integration tests: a scenario written inline, run in-process against a
// real local cluster (child processes, real sockets, the real fault proxy). No integrity
// thresholds are written: the default guarantee (exactly-once-ordered) holds the run to them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { runScenario, type RunOutcome } from '../../src/run';
import { parseScenario } from '../../src/scenario/parse';

export const CLI = join(__dirname, '../../src/cli.js');
export const ROOT = join(__dirname, '../../..');

export function tmpOut(prefix = 'cb-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A small, quick scenario; `patch` adds or replaces top-level fields. */
export function small(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'it-small',
    cluster: { runtime: 'local', nodes: 3, durable: true },
    clients: {
      count: 90, rampUp: '1s', channels: 6, subscriptionsPerClient: 2, publishers: 12, publishRate: '5/s', payloadBytes: 128,
      reconnect: { initial: '50ms', max: '1s', multiplier: 2, jitter: 'full' },
      heartbeat: { interval: '1s', timeout: '3s' },
    },
    duration: '5s',
    drain: '6s',
    recovery: '1s',
    seed: 1,
    ...patch,
  };
}

export function runSmall(patch: Record<string, unknown> = {}, opts: { signal?: AbortSignal } = {}): Promise<RunOutcome> {
  const scenario = parseScenario(small(patch), 'inline');
  return runScenario(scenario, { outDir: tmpOut(), quiet: true, signal: opts.signal });
}

/** Runs the CLI as a user would (asynchronously, so servers inside the test keep answering). */
export function cli(args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

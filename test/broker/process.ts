// Starts the broker as a real child process (node build/reference-broker/main.js) and waits for
// its one "listening" line, as the local runtime and Docker do.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const BROKER_MAIN = join(__dirname, '../../reference-broker/main.js');

export interface BrokerProcess { child: ChildProcess; port: number; url: string; stderr: () => string; stdout: () => string }

export function spawnBroker(args: string[], nodeFlags: string[] = []): Promise<BrokerProcess> {
  const child = spawn(process.execPath, [...nodeFlags, BROKER_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`broker did not start: ${err}`)); }, 10000);
    let started = false;
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl < 0 || started) return;
      started = true;
      clearTimeout(timer);
      const line = JSON.parse(out.slice(0, nl)) as { event: string; port: number };
      resolve({ child, port: line.port, url: `ws://127.0.0.1:${line.port}`, stderr: () => err, stdout: () => out });
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`broker exited with ${code}: ${err}`)); });
  });
}

/** Runs the broker to completion (for flag errors): exit code, stdout, stderr. */
export function runBroker(args: string[], timeoutMs = 10000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BROKER_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

// One real server binary as a child process on a chosen loopback port: output to a log file,
// ready once the port accepts connections, dies with us (process.ts trackChild).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname } from 'node:path';
import { infraError } from '../../util/errors';
import { ensureOutputDir } from '../../util/output-dir';
import { trackChild } from '../process';

/** A free loopback port. The server binds it a moment later: a small race a restart-free run rarely loses. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const accepts = (port: number): Promise<boolean> => new Promise((resolve) => {
  const s = connect({ host: '127.0.0.1', port });
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => { s.destroy(); resolve(false); });
});

export async function startServer(name: string, binary: string, args: string[], port: number, logFile: string, timeoutMs = 15000): Promise<ChildProcess> {
  ensureOutputDir(dirname(logFile), 'log folder');
  const log = createWriteStream(logFile, { flags: 'a' });
  log.on('error', () => { /* a full disk loses log lines, not the run */ });
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  let exited: string | null = null;
  child.once('exit', (code, signal) => { exited = signal ?? `code ${code}`; });
  child.once('error', (err) => { exited = err.message; });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw infraError(`${name} did not start: exited with ${exited}`, `see ${logFile}`);
    if (await accepts(port)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw infraError(`${name} did not start: port ${port} not accepting within ${timeoutMs} ms`, `see ${logFile}`);
}

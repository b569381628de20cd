// Readiness checks for cluster containers. testcontainers' own strategies keep polling a container
// that is gone until their timeout (30 s); these fail at once when it exited or was removed (a
// crash, or a Ctrl-C cleanup), and stop when the run is aborted. None runs anything inside the
// container: the offline base image has no shell.
import type Dockerode from 'dockerode';
import type { BoundPorts, WaitStrategy } from 'testcontainers';
import { countOccurrences, logTail, readContainerLog, saveContainerLog } from './logs';

const POLL_MS = 100;

/** Polls `ready` until true; throws when the container stops running, on abort, or on timeout. */
export async function pollUntilReady(
  container: Dockerode.Container,
  ready: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new Error(`aborted while waiting for ${what}`);
    if (await ready().catch(() => false)) return;
    const state = (await container.inspect()).State; // throws "no such container" once removed
    if (!state.Running) throw new Error(`container exited (code ${state.ExitCode}) before ${what}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Waits until `needle` appears more than `seen` times in the container's output: after a restart
 * the log still holds the lines of the previous start, so "has it appeared" is not enough.
 */
export function waitForLogCount(container: Dockerode.Container, needle: string, seen: number, timeoutMs: number, signal?: AbortSignal) {
  const ready = async () => countOccurrences(await readContainerLog(container), needle) > seen;
  return pollUntilReady(container, ready, needle, timeoutMs, signal);
}

/**
 * A testcontainers WaitStrategy built on pollUntilReady. testcontainers removes a container that
 * fails its readiness check, output and all: so the output is saved (and its last lines quoted
 * in the error) here, before that happens.
 */
class PollingStrategy implements WaitStrategy {
  private timeoutMs = 30_000;
  private timeoutSet = false;
  constructor(
    private readonly wait: (container: Dockerode.Container, ports: BoundPorts, timeoutMs: number) => Promise<void>,
    private readonly logFile?: string,
  ) {}
  async waitUntilReady(container: Dockerode.Container, boundPorts: BoundPorts): Promise<void> {
    try {
      await this.wait(container, boundPorts, this.timeoutMs);
    } catch (err) {
      const tail = await logTail(container);
      if (this.logFile) await saveContainerLog(container, this.logFile);
      throw new Error(`${(err as Error).message}${tail ? `; output: ${tail}` : ''}`);
    }
  }
  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    this.timeoutSet = true;
    return this;
  }
  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }
  getStartupTimeout(): number {
    return this.timeoutMs;
  }
}

/** Ready once the container printed `needle` (the broker's `"event":"listening"` line). */
export const untilLogLine = (needle: string, signal?: AbortSignal, logFile?: string): WaitStrategy =>
  new PollingStrategy((container, _ports, timeoutMs) => waitForLogCount(container, needle, 0, timeoutMs, signal), logFile);

/** Ready once GET `path` on the published `port` answers 2xx (the Toxiproxy API's /version). */
export const untilHttpOk = (port: number, path: string, signal?: AbortSignal, logFile?: string): WaitStrategy =>
  new PollingStrategy((container, ports, timeoutMs) => {
    const url = `http://127.0.0.1:${ports.getBinding(port)}${path}`;
    const ready = async () => (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
    return pollUntilReady(container, ready, `${url} to answer`, timeoutMs, signal);
  }, logFile);

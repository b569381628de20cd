// Loads testcontainers lazily (the local runtime never pays for it) with the settings this
// project needs, and turns "no engine" into one actionable line (exit 3).
import { request } from 'node:http';
import type * as Testcontainers from 'testcontainers';
import { infraError } from '../../util/errors';

export type TC = typeof Testcontainers;
export type RuntimeClient = Testcontainers.ContainerRuntimeClient;

const CONNECT_TIMEOUT_MS = 10_000;
let loaded: TC | undefined;

/** testcontainers, loaded after the environment it reads at import time is set. */
export function loadTestcontainers(): TC {
  if (loaded) return loaded;
  // Ryuk (the reaper) is an image that cannot be pulled offline; we label and remove ourselves.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // Without it, testcontainers may start an `alpine` container to discover the host address.
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded = require('testcontainers') as TC;
  return loaded;
}

/** Rejects after `ms` with `onTimeout()`; the timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * GET /_ping on the engine DOCKER_HOST names (unix:// or tcp://). testcontainers would fall back
 * to /var/run/docker.sock when DOCKER_HOST fails; an engine the user named explicitly and that
 * does not answer is reported instead of silently replaced.
 */
export function pingDockerHost(dockerHost: string, timeoutMs = 3000): Promise<void> {
  const url = new URL(dockerHost);
  const target =
    url.protocol === 'unix:' ? { socketPath: url.pathname } : { host: url.hostname, port: Number(url.port || 2375) };
  return new Promise((resolve, reject) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`${dockerHost} answered ${res.statusCode} to /_ping`));
    });
    req.on('timeout', () => req.destroy(new Error(`${dockerHost} did not answer within ${timeoutMs} ms`)));
    req.on('error', (err) => reject(new Error(`${dockerHost}: ${err.message}`)));
    req.end();
  });
}

/** The engine client, or a UserError (exit 3) that says to use the local runtime instead. */
export async function connectDocker(): Promise<RuntimeClient> {
  const tc = loadTestcontainers();
  try {
    const named = process.env.DOCKER_HOST;
    if (named && /^(unix|tcp):/.test(named)) await pingDockerHost(named);
    const client = await withTimeout(tc.getContainerRuntimeClient(), CONNECT_TIMEOUT_MS, () => new Error('timed out'));
    await client.container.dockerode.ping();
    return client;
  } catch (err) {
    const cause = err instanceof Error ? err.message : String(err);
    throw infraError(`no Docker engine reachable (${cause})`, 'use --runtime local');
  }
}

/** True when an engine answers; for tests that must skip visibly without one. */
export async function dockerAvailable(): Promise<boolean> {
  try {
    await connectDocker();
    return true;
  } catch {
    return false;
  }
}

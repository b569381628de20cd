// Helpers for the load-engine tests: small real runs with the clients in worker processes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UserError } from '../../src/errors';
import type { EngineSetup, LoadEngine } from '../../src/load/engine';
import { WorkerEngine } from '../../src/load/workers';
import { runScenario, type RunOutcome } from '../../src/run';
import { parseScenario } from '../../src/scenario/parse';

export const tmpOut = (): string => mkdtempSync(join(tmpdir(), 'cb-load-'));

export function scenario(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'load-workers',
    cluster: { runtime: 'local', nodes: 3, durable: true },
    clients: {
      count: 300, rampUp: '1s', channels: 12, subscriptionsPerClient: 2, publishers: 24, publishRate: '4/s', payloadBytes: 128,
      reconnect: { initial: '50ms', max: '800ms', multiplier: 2, jitter: 'full' },
      heartbeat: { interval: '500ms', timeout: '1500ms' },
    },
    duration: '5s',
    drain: '8s',
    recovery: '1s',
    thresholds: { loss: '== 0', duplicates: '== 0', reorders: '== 0', phantoms: '== 0' },
    seed: 3,
    ...patch,
  };
}

/** Runs `patch` with its clients in `workers` processes; `onEngine` sees the engine as soon as it exists. */
export function runWithWorkers(workers: number, patch: Record<string, unknown> = {}, onEngine?: (e: WorkerEngine) => void): Promise<RunOutcome> {
  return runScenario(parseScenario(scenario(patch), 'inline'), {
    outDir: tmpOut(),
    quiet: true,
    engine: (setup: EngineSetup, onFailure: (err: UserError) => void): LoadEngine => {
      const engine = new WorkerEngine(setup, { workers, onFailure });
      onEngine?.(engine);
      return engine;
    },
  });
}

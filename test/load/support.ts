// Helpers for the load-engine tests: small real runs with the clients in worker processes.
import { small, tmpOut as tmpOutIn } from '../integration/support';
import type { UserError } from '../../src/util/errors';
import type { EngineSetup, LoadEngine } from '../../src/load/engine';
import { WorkerEngine } from '../../src/load/workers';
import { runScenario, type RunOutcome } from '../../src/run';
import { parseScenario } from '../../src/scenario/parse';

export const tmpOut = (): string => tmpOutIn('cb-load-');

/** The integration tests' small scenario, with more clients so that each worker gets plenty. */
export function scenario(patch: Record<string, unknown> = {}): Record<string, unknown> {
  const base = small();
  return small({
    name: 'load-workers',
    clients: { ...(base.clients as object), count: 300, channels: 12, publishers: 24, publishRate: '4/s',
      reconnect: { initial: '50ms', max: '800ms', multiplier: 2, jitter: 'full' }, heartbeat: { interval: '500ms', timeout: '1500ms' } },
    duration: '5s',
    drain: '8s',
    seed: 3,
    ...patch,
  });
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

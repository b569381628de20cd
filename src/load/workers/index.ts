// Where a run's clients go: the chat-bench process itself (1) or N worker processes.
import type { UserError } from '../../util/errors';
import { InProcessEngine, type EngineSetup, type LoadEngine } from '../engine';
import { checkDriverFds } from './driver-budget';
import { WorkerEngine } from './worker-engine';

export { WorkerEngine, sumStats, type WorkerEngineOptions, type WorkerPart } from './worker-engine';
export { AUTO_WORKERS_FROM, defaultWorkers, localAddressesFor, splitPlans } from './plan';

/** 1 → InProcessEngine (clients in this process); N ≥ 2 → WorkerEngine with N processes. */
export function createEngine(setup: EngineSetup, workers: number, onFailure?: (err: UserError) => void): LoadEngine {
  checkDriverFds(setup.plans.length, workers);
  return workers <= 1 ? new InProcessEngine(setup, onFailure) : new WorkerEngine(setup, { workers, onFailure });
}

/** For RunOptions.engine. */
export const engineFactory = (workers: number) =>
  (setup: EngineSetup, onFailure?: (err: UserError) => void): LoadEngine => createEngine(setup, workers, onFailure);

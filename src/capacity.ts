// Will this run fit on this machine? Checked BEFORE anything starts, so a run that cannot fit
// fails at once with one line naming the process, the limit and the fix, instead of dying of
// EMFILE in the middle.
import type { RuntimeKind } from './contracts/scenario';
import { checkDriverFds } from './load/workers/driver-budget';
import { checkClusterFds } from './runtime/fd-budget';

export interface FdCheckInput {
  clients: number;
  workers: number;             // load processes (1 = the chat-bench process itself)
  nodes: number;
  runtime: RuntimeKind;
  /** default: fdLimit() */
  limit?: number;
}

/**
 * Throws an infrastructure error (exit 3), one line, for the first process of the run that
 * would need more descriptors than the limit: a load process, a fault-proxy process or a
 * broker node. Docker containers have their own limits: there only load processes count.
 */
export function checkFdBudget(input: FdCheckInput): void {
  checkDriverFds(input.clients, input.workers, input.limit);
  checkClusterFds(input.clients, input.nodes, input.runtime, input.limit);
}

// Whether this machine can hold the scenario's clients: the open-files budget of the fault
// proxy and the broker nodes (src/runtime/fd-budget.ts), checked when the file is validated so
// the refusal names clients.count and the largest count that fits, never a value out of range.
import { maxClients } from '../runtime/fd-budget';
import { FieldError } from './fields';
import { MAX_NODES } from './limits';
import type { Scenario } from '../contracts/scenario';

export function checkCapacity(scenario: Scenario, openFilesLimit: number): void {
  const { clients, cluster } = scenario;
  const most = maxClients(cluster.nodes, cluster.runtime, openFilesLimit);
  if (clients.count <= most) return;
  const where = cluster.runtime === 'external'
    ? 'through the one fault-proxy process of runtime external'
    : `with ${cluster.nodes} node${cluster.nodes === 1 ? '' : 's'}`;
  throw new FieldError(['clients', 'count'],
    `${clients.count} is more than this machine can hold ${where}: at most ${most} (open-files limit ${openFilesLimit})`,
    capacityHint(scenario, openFilesLimit, most));
}

function capacityHint(scenario: Scenario, limit: number, most: number): string {
  const { clients, cluster } = scenario;
  const raise = 'or raise the open-files hard limit (ulimit -Hn, docker --ulimit nofile=…)';
  if (cluster.runtime !== 'local') return `write count: ${most} or less, ${raise}`;
  for (let n = cluster.nodes + 1; n <= MAX_NODES; n++) {
    if (maxClients(n, 'local', limit) >= clients.count) return `write count: ${most} or less, or cluster.nodes: ${n} or more, ${raise}`;
  }
  const atMax = maxClients(MAX_NODES, 'local', limit);
  return cluster.nodes < MAX_NODES
    ? `write count: ${most} or less (${atMax} with cluster.nodes: ${MAX_NODES}), ${raise}`
    : `write count: ${most} or less, ${raise}`;
}

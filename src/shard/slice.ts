// The deterministic slice of a seeded plan one shard drives. The split is the one the worker
// processes use (client i → part i mod N), so every client — with its subscriber streams
// and its publisher — lives in exactly one shard.
import type { ClientPlan } from '../load/assignment';
import { splitPlans } from '../load/workers/plan';
import type { ShardSpec } from './spec';

export function shardSlice(plans: ClientPlan[], shard: ShardSpec): ClientPlan[] {
  return splitPlans(plans, shard.total)[shard.index];
}

/**
 * Channel-name tag every shard of one run agrees on without talking: the common start time.
 * (An external target keeps old data, so each run needs fresh channel names.)
 */
export function sharedRunTag(startAtMs: number): string {
  return `x${(startAtMs % 36 ** 6).toString(36)}`;
}

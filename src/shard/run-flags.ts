// --shard / --shards / --start-at for `chat-bench run`: which slice, when time zero is, and the
// folder name every shard of one run derives from the same inputs.
import type { Scenario } from '../contracts/scenario';
import { usageError } from '../util/errors';
import { sharedRunTag } from './slice';
import { parseStartAt, resolveShard, type ShardSpec } from './spec';

export interface ShardFlags { shard?: string; shards?: string; startAt?: string }

export interface ShardSetup {
  shard: ShardSpec | null;
  startAtMs?: number;
  runId?: string;        // shards: <start>-<scenario>-<tag>-shard<i>of<N>, the same prefix in every shard
}

export function shardSetup(flags: ShardFlags, scenario: Scenario, env: NodeJS.ProcessEnv = process.env): ShardSetup {
  const shard = resolveShard(flags, env);
  const startText = flags.startAt ?? (env.CHAT_BENCH_START_AT || undefined);
  const startAtMs = startText !== undefined ? parseStartAt(startText) : undefined;
  if (startAtMs !== undefined && startAtMs + scenario.durationMs < Date.now()) {
    throw usageError(`--start-at ${new Date(startAtMs).toISOString()} is past the end of the run's publishing period`, 'give a time a little in the future, e.g. --start-at "$(date -d +30sec +%s%3N)"');
  }
  if (!shard) return { shard: null, startAtMs };
  if (scenario.cluster.runtime !== 'external') {
    throw usageError(`--shard: shards share one target, so cluster.runtime must be external (it is ${scenario.cluster.runtime})`,
      'start the system once (e.g. `chat-bench broker`), list it in cluster.urls and add --runtime external');
  }
  if (startAtMs === undefined && shard.total > 1) {
    throw usageError('--shard: shards need a common start (--start-at or CHAT_BENCH_START_AT)', 'e.g. --start-at "$(date -d +30sec +%s%3N)", the same for every shard');
  }
  const start = startAtMs ?? Date.now();
  const stamp = new Date(start).toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const slug = scenario.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
  return { shard, startAtMs: start, runId: `${stamp}-${slug}-${sharedRunTag(start)}-shard${shard.index}of${shard.total}` };
}

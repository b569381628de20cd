// Which slice of a run this process drives: `--shard i/N`, or a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX with the total from --shards or CHAT_BENCH_SHARDS.
import { usageError } from '../util/errors';

export interface ShardSpec {
  index: number;   // 0-based; 0 is the coordinator (drives the fault timeline)
  total: number;
}

const HINT = 'write --shard i/N with 0 <= i < N, e.g. --shard 0/3';

function whole(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim())) throw usageError(`${what}: "${text}" is not a whole number`, HINT);
  return Number(text);
}

function checked(index: number, total: number, source: string): ShardSpec {
  if (total < 1) throw usageError(`${source}: the number of shards must be at least 1`, HINT);
  if (index >= total) throw usageError(`${source}: shard index ${index} is not below the number of shards ${total}`, HINT);
  return { index, total };
}

/** "i/N" → { index: i, total: N }. */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\S+)\s*\/\s*(\S+)\s*$/.exec(text);
  if (!m) throw usageError(`--shard: "${text}" is not of the form i/N`, HINT);
  return checked(whole(m[1], '--shard index'), whole(m[2], '--shard total'), `--shard ${text.trim()}`);
}

/**
 * The shard of this process, or null for an unsplit run. --shard wins; else an Indexed Job's
 * JOB_COMPLETION_INDEX counts when a total is known (--shards or CHAT_BENCH_SHARDS).
 */
export function resolveShard(opts: { shard?: string; shards?: string }, env: NodeJS.ProcessEnv = process.env): ShardSpec | null {
  if (opts.shard !== undefined) {
    if (opts.shards !== undefined) throw usageError('--shard and --shards both given', 'use --shard i/N, or --shards N with JOB_COMPLETION_INDEX set');
    return parseShard(opts.shard);
  }
  const totalText = opts.shards ?? env.CHAT_BENCH_SHARDS;
  const totalSource = opts.shards !== undefined ? '--shards' : 'CHAT_BENCH_SHARDS';
  const indexText = env.JOB_COMPLETION_INDEX;
  if (totalText === undefined || totalText === '') {
    return null; // JOB_COMPLETION_INDEX alone: an Indexed Job that is not a sharded run
  }
  const total = whole(totalText, totalSource);
  if (indexText === undefined || indexText === '') {
    throw usageError(`${totalSource} is set but JOB_COMPLETION_INDEX is not`, 'give --shard i/N, or run as a Kubernetes Indexed Job (it sets JOB_COMPLETION_INDEX)');
  }
  return checked(whole(indexText, 'JOB_COMPLETION_INDEX'), total, `JOB_COMPLETION_INDEX=${indexText} with ${totalSource}=${totalText}`);
}

/** --start-at: an ISO time or epoch milliseconds → epoch ms. */
export function parseStartAt(text: string): number {
  const t = text.trim();
  const ms = /^\d+$/.test(t) ? Number(t) : Date.parse(t);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw usageError(`--start-at: "${text}" is neither an ISO time nor epoch milliseconds`, 'e.g. --start-at 2026-01-31T12:00:00Z or --start-at "$(date -d +1min +%s%3N)"');
  }
  return ms;
}

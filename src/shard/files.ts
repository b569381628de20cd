// What a shard leaves beside its results.json for `chat-bench merge`: shard.json (which run
// and which slice) and ledger.json.gz (its ledger snapshots: publish logs and streams). The
// histograms are already in results.json in their encoded, mergeable form.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { FaultWindow } from '../verify/accounting';
import type { FaultWindow as RecoveryFault } from '../chaos/recovery';
import type { LedgerSnapshot } from '../verify/snapshot';
import { writeFileAtomic } from '../util/atomic-write';
import { usageError } from '../util/errors';
import type { ShardSpec } from './spec';

export const SHARD_FILE = 'shard.json';
export const LEDGER_FILE = 'ledger.json.gz';

export interface ShardMeta extends ShardSpec {
  schema: 1;
  scenarioHash: string;      // sha256 of the scenario as run: shards of one run have the same
  seed: number;
  startAtMs: number;         // the common start (epoch ms) = the run's time zero
  runTag: string;            // channel-name prefix shared by the shards
  runEndMs: number;          // when this shard stopped (ms since the common start)
  /** the coordinator's fault windows (shard 0; [] elsewhere): the merged run's */
  faultWindows: FaultWindow[];
  /** the coordinator's fault periods (open ones: endMs null) and end of publishing, for the merged recovery judgement */
  recoveryFaults: RecoveryFault[];
  publishEndMs: number;
}

/** Key order does not change the hash: objects are hashed with sorted keys. */
export function scenarioHash(scenario: unknown): string {
  const stable = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(stable);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, stable((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return createHash('sha256').update(JSON.stringify(stable(scenario))).digest('hex').slice(0, 16);
}

export async function writeShardFiles(runDir: string, meta: ShardMeta, snapshots: LedgerSnapshot[]): Promise<void> {
  const ledgerPath = join(runDir, LEDGER_FILE);
  await writeFile(`${ledgerPath}.tmp`, gzipSync(JSON.stringify(snapshots)));
  await rename(`${ledgerPath}.tmp`, ledgerPath); // whole or not at all, like the other results
  await writeFileAtomic(join(runDir, SHARD_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

export function readShardMeta(dir: string): ShardMeta {
  const path = join(dir, SHARD_FILE);
  let meta: ShardMeta;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as ShardMeta;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(`${dir}: ${code === 'ENOENT' ? `no ${SHARD_FILE}: not the results folder of a shard` : `${SHARD_FILE} is unreadable: ${(err as Error).message}`}`,
      'pass the folders written by `chat-bench run --shard i/N` (reports/<run-id>/)');
  }
  if (meta?.schema !== 1 || !Number.isInteger(meta.index) || !Number.isInteger(meta.total) || typeof meta.scenarioHash !== 'string') {
    throw usageError(`${path}: not a shard description this version reads`, 'rerun the shards with this chat-bench version');
  }
  return meta;
}

export function readShardLedger(dir: string): LedgerSnapshot[] {
  const path = join(dir, LEDGER_FILE);
  try {
    return JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as LedgerSnapshot[];
  } catch (err) {
    throw usageError(`${path}: the ledger snapshot is missing or damaged (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      'rerun that shard; the merge needs every shard\'s ledger');
  }
}

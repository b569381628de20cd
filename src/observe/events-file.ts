// --events run.ndjson: one JSON line per second (the sample results.json's series gets, with
// the last second's p99 as seen live), one per fault start and end, and the verdict last, so
// any tool can tail a run.
import { openSync, writeSync, closeSync } from 'node:fs';
import type { ResultsV1 } from '../contracts/results';
import { usageError } from '../util/errors';
import type { FaultEdge, LiveSecond, RunObserver } from './observer';

export function eventsFile(path: string, labels: { runId: string; shard: string }): RunObserver {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (err) {
    throw usageError(`--events: cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'pick a file in a folder you can write');
  }
  const line = (o: object) => { if (fd >= 0) writeSync(fd, `${JSON.stringify({ ...o, runId: labels.runId, shard: labels.shard })}\n`); };
  return {
    second: (s: LiveSecond) => line({
      type: 'second', ...s.sample, p99LastSecUs: s.p99LastSecUs, holes: s.totals.holes, activeFaults: s.activeFaults, phase: s.phase,
    }),
    fault: (f: FaultEdge) => line({ type: `fault-${f.edge}`, atMs: f.atMs, label: f.label, target: f.target, ...(f.error ? { error: f.error } : {}) }),
    verdict: (r: ResultsV1) => line({
      type: 'verdict', verdict: r.verdict, exitCode: r.exitCode, totals: r.totals,
      thresholds: r.thresholds.map((t) => ({ expression: t.expression, condition: t.condition, actual: t.actual, pass: t.pass })),
    }),
    close: async () => { if (fd >= 0) closeSync(fd); fd = -1; },
  };
}

// The `run` flags for going beyond one machine (--shard, --shards, --start-at, --events,
// --metrics) and the `merge` command, kept apart from cli.ts.
import { dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { Scenario } from './contracts/scenario';
import type { RunOptions, RunOutcome } from './run';
import { EXIT } from './util/errors';
import { allOf, type RunObserver } from './observe/observer';

export interface ScaleOutFlags { shard?: string; shards?: string; startAt?: string; events?: string; metrics?: string }

export function addScaleOutOptions(cmd: Command): Command {
  return cmd
    .option('--shard <i/N>', 'drive shard i of N of the plan (0 is the coordinator: it applies the faults); needs --runtime external and --start-at')
    .option('--shards <n>', 'number of shards, with the index from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job; or set CHAT_BENCH_SHARDS)')
    .option('--start-at <time>', 'time zero of the run, ISO or epoch ms (or CHAT_BENCH_START_AT): shards agree on it; default now')
    .option('--events <file>', 'write an NDJSON event stream: one line per second, per fault start/end, and the verdict')
    .addOption(new Option('--metrics <host:port>', 'serve Prometheus /metrics during the run, e.g. 127.0.0.1:9464'));
}

export interface ScaleOutRun {
  runOptions: Pick<RunOptions, 'shard' | 'startAtMs' | 'runId' | 'observer'>;
  /** after the run: shard files, verdict event, GitHub step summary; returns the exit code */
  finish(outcome: RunOutcome): Promise<number>;
  close(): Promise<void>;
  isShard: boolean;
}

export async function prepareScaleOut(flags: ScaleOutFlags, scenario: Scenario, outDir: string): Promise<ScaleOutRun> {
  const { shardSetup } = await import('./shard/run-flags');
  const { makeRunId } = await import('./run');
  const setup = shardSetup(flags, scenario);
  const runId = setup.runId ?? makeRunId(scenario.name);
  const shardLabel = setup.shard ? `${setup.shard.index}/${setup.shard.total}` : 'all';
  const observers: RunObserver[] = [];
  const close = async () => { for (const o of observers) await o.close?.(); };
  try {
    if (flags.events) observers.push((await import('./observe/events-file')).eventsFile(flags.events, { runId, shard: shardLabel }));
    // Every shard of a run gets the same run_id label (the shard label tells them apart), so one
    // selector sums the run in Prometheus and Grafana.
    const { sharedRunId } = await import('./shard/merge');
    if (flags.metrics) observers.push(await (await import('./observe/metrics-server')).startMetricsServer(flags.metrics, { runId: sharedRunId(runId), shard: shardLabel }));
  } catch (err) {
    await close();
    throw err;
  }
  const observer = observers.length ? allOf(observers) : undefined;
  return {
    isShard: setup.shard !== null,
    runOptions: { shard: setup.shard ?? undefined, startAtMs: setup.startAtMs, runId, observer },
    close,
    async finish(outcome) {
      await observer?.verdict?.(outcome.results);
      const { appendStepSummary } = await import('./report/step-summary');
      await appendStepSummary(outcome.results, outDir);
      if (!setup.shard) return outcome.exitCode;
      const { writeShardFiles, scenarioHash } = await import('./shard/files');
      await writeShardFiles(outcome.runDir, {
        schema: 1, index: setup.shard.index, total: setup.shard.total, scenarioHash: scenarioHash(scenario), seed: scenario.seed,
        startAtMs: outcome.startAtMs, runTag: outcome.runTag, runEndMs: Math.round(outcome.runEndMs), faultWindows: outcome.faultWindows,
        recoveryFaults: outcome.recoveryFaults, publishEndMs: Math.round(outcome.publishEndMs),
      }, outcome.ledger);
      process.stderr.write(`shard ${setup.shard.index}/${setup.shard.total}: the counts above are this shard's own view; the verdict comes from \`chat-bench merge\` over all shards\n`);
      // A shard alone cannot judge (other shards hold the rest of the streams): the merge decides.
      return outcome.exitCode === EXIT.thresholdFailed ? EXIT.ok : outcome.exitCode;
    },
  };
}

export function addMergeCommand(program: Command): void {
  program.command('merge')
    .description('combine the results folders of a sharded run into one results.json, report.html (and JUnit), judged over all shards')
    .argument('<dirs...>', 'results folders of every shard (reports/<run-id>-shard<i>of<N>)')
    .option('--out <dir>', 'folder for the merged run', 'reports')
    .option('--junit <file>', 'also write JUnit XML')
    .option('--json-summary', 'print a JSON summary on stdout instead of the table')
    .action(async (dirs: string[], o: { out: string; junit?: string; jsonSummary?: boolean }) => {
      const { loadShards, mergeShardResults } = await import('./shard/merge');
      const { ensureOutputDir } = await import('./util/output-dir');
      const { writeReports } = await import('./report/write');
      const { formatSummary, formatJsonSummary } = await import('./report/console');
      const shards = await loadShards(dirs);
      const results = mergeShardResults(shards);
      const runDir = join(o.out, results.runId);
      ensureOutputDir(runDir, '--out folder');
      if (o.junit) ensureOutputDir(dirname(resolve(o.junit)), '--junit folder');
      if (o.jsonSummary) process.stdout.write(`${formatJsonSummary(results)}\n`);
      else process.stdout.write(`${formatSummary(results, { color: process.stdout.isTTY === true })}\n`);
      const paths = await writeReports(results, runDir, { junit: o.junit });
      const { appendStepSummary } = await import('./report/step-summary');
      await appendStepSummary(results, o.out);
      process.stderr.write(`merged ${shards.length} shard(s)\nresults: ${paths.resultsPath}\nreport:  ${paths.htmlPath}\n${paths.junitPath ? `junit:   ${paths.junitPath}\n` : ''}`);
      process.exitCode = results.exitCode;
    });
}

#!/usr/bin/env node
// chat-bench's command line. Every user-facing failure is one line with a hint and the exit
// code of DESIGN.md; stack traces only for internal errors with CHAT_BENCH_DEBUG=1.
import { dirname, join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { EXIT, UserError, usageError } from './util/errors';
import type { RuntimeKind } from './contracts/scenario';
import { MISBEHAVIOUR_MODES } from '../reference-broker/misbehaviour';
import { bundledScenarioDir, resolveScenarioArg } from './scenario/bundled';
import { applySets, parseSet, type SetValue } from './scenario/set-values';
import { colorWanted } from './util/color';
import { addMergeCommand, addScaleOutOptions } from './cli-scale-out';

const VERSION: string = (require('../../package.json') as { version: string }).version;

export function fail(err: unknown): never {
  if (err instanceof UserError) {
    process.stderr.write(`${err.lines().join('\n')}\n`);
    process.exit(err.exitCode);
  }
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT.usage);
  const e = err as Error;
  process.stderr.write(`chat-bench: internal error: ${e?.message ?? String(err)} (hint: rerun with CHAT_BENCH_DEBUG=1 for details, and report it)\n`);
  if (process.env.CHAT_BENCH_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  process.exit(EXIT.internal);
}

/** Ctrl-C: the first one stops the run cleanly (exit 130); a second one exits at once. */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted); // the exit hook still kills children
    process.stderr.write('\nchat-bench: interrupted, stopping everything (Ctrl-C again to force)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

const parseIntOption = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw usageError(`${name}: "${v}" is not an integer >= ${min}`);
  return n;
};

/** Command-line overrides, applied to the raw scenario so they are validated like the file. */
function overridesOf(o: RunCliOptions): (raw: Record<string, unknown>) => void {
  return (raw) => {
    const cluster = (raw.cluster && typeof raw.cluster === 'object' ? raw.cluster : {}) as Record<string, unknown>;
    raw.cluster = cluster;
    if (o.runtime) cluster.runtime = o.runtime;
    if (o.nodeImage) cluster.nodeImage = o.nodeImage;
    if (o.toxiproxyImage) cluster.toxiproxyImage = o.toxiproxyImage;
    if (o.misbehave) {
      const rate = o.misbehaveRate ?? (cluster.misbehaviour as { rate?: number } | undefined)?.rate;
      cluster.misbehaviour = rate === undefined ? { mode: o.misbehave } : { mode: o.misbehave, rate };
    }
    if (o.seed !== undefined) raw.seed = o.seed;
    applySets(raw, o.set ?? []);
    // After --set: the flags win. The CA path is the working folder's, not the scenario's.
    if (o.ca !== undefined || o.insecure) {
      const tls = (cluster.tls && typeof cluster.tls === 'object' ? cluster.tls : {}) as Record<string, unknown>;
      if (o.ca !== undefined) tls.ca = resolve(o.ca);
      if (o.insecure) tls.insecure = true;
      cluster.tls = tls;
    }
  };
}

type RunCliOptions = {
  runtime?: RuntimeKind; out: string; junit?: string; jsonSummary?: boolean; quiet?: boolean;
  nodeImage?: string; toxiproxyImage?: string; misbehave?: string; misbehaveRate?: number; seed?: number;
  workers?: number; set?: SetValue[]; ca?: string; insecure?: boolean;
} & import('./cli-scale-out').ScaleOutFlags

/** Repeatable --set: each one parsed at once, so a malformed one fails before anything starts. */
const collectSet = (text: string, previous: SetValue[] = []): SetValue[] => [...previous, parseSet(text)];

async function runCommand(file: string, o: RunCliOptions): Promise<void> {
  const { loadScenarioFile } = await import('./scenario/load');
  const scenario = loadScenarioFile(resolveScenarioArg(file), overridesOf(o));
  const { runScenario } = await import('./run');
  const { defaultWorkers, engineFactory } = await import('./load/workers');
  const { fdLimit } = await import('./util/fd-limits');
  const { checkFdBudget } = await import('./capacity');
  const workers = o.workers ?? defaultWorkers(scenario.clients.count, undefined, fdLimit());
  checkFdBudget({ clients: scenario.clients.count, workers, nodes: scenario.cluster.nodes, runtime: scenario.cluster.runtime });
  // Output folders first: a run that cannot write its results must not start at all.
  const { ensureOutputDir } = await import('./util/output-dir');
  ensureOutputDir(o.out, '--out folder');
  if (o.junit) ensureOutputDir(dirname(resolve(o.junit)), '--junit folder');
  const { writeReports } = await import('./report/write');
  const { formatSummary, formatJsonSummary } = await import('./report/console');
  const { prepareScaleOut } = await import('./cli-scale-out');
  const scaleOut = await prepareScaleOut(o, scenario, o.out);
  const signal = interruptSignal();
  let outcome: Awaited<ReturnType<typeof runScenario>>;
  try {
    outcome = await runScenario(scenario, {
      outDir: o.out, quiet: o.quiet, signal, tty: process.stderr.isTTY === true, engine: engineFactory(workers), ...scaleOut.runOptions,
    });
  } catch (err) {
    await scaleOut.close();
    throw err;
  }
  // The verdict first: a disk that fills up while writing the reports must not hide it.
  if (o.jsonSummary) process.stdout.write(`${formatJsonSummary(outcome.results)}\n`);
  else process.stdout.write(`${formatSummary(outcome.results, { color: colorWanted(process.stdout) })}\n`);
  const paths = await writeReports(outcome.results, outcome.runDir, { junit: o.junit });
  if (!o.quiet) process.stderr.write(`results: ${paths.resultsPath}\nreport:  ${paths.htmlPath}\n${paths.junitPath ? `junit:   ${paths.junitPath}\n` : ''}`);
  try {
    process.exitCode = await scaleOut.finish(outcome);
  } finally {
    await scaleOut.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('chat-bench')
    .description('Load-test and chaos-verify realtime pub/sub (chat) systems: loss, duplicates, ordering and latency, proven per message.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `chat-bench: ${s.replace(/^error: /, '').trimEnd()} (hint: chat-bench --help)\n` : s),
    });

  program.command('run')
    .description('run a scenario: start the cluster, inject its faults, drive the clients, check every stream')
    .argument('<scenario>', 'scenario file (YAML or JSON), or the name of a bundled one (see chat-bench list)')
    .addOption(new Option('--runtime <kind>', 'override cluster.runtime').choices(['local', 'docker', 'external']))
    .option('--out <dir>', 'folder for run outputs', 'reports')
    .option('--junit <file>', 'also write JUnit XML (one test case per threshold)')
    .option('--json-summary', 'print a JSON summary on stdout instead of the table')
    .option('-q, --quiet', 'no progress output')
    .option('--node-image <image>', 'docker runtime: broker image to use as is')
    .option('--toxiproxy-image <image>', 'docker runtime: Toxiproxy image to use')
    .addOption(new Option('--misbehave <mode>', 'make the reference broker misbehave on purpose, to prove the checker').choices(MISBEHAVIOUR_MODES))
    .option('--misbehave-rate <rate>', 'fraction of deliveries the misbehaviour hits (0..1)', (v) => {
      const r = Number(v);
      if (!(r >= 0 && r <= 1)) throw usageError(`--misbehave-rate: "${v}" is not a number between 0 and 1`);
      return r;
    })
    .option('--seed <n>', 'override the scenario seed', parseIntOption('--seed', 0))
    .option('--set <field=value>', 'set any scenario field, e.g. clients.count=5000 (repeatable; checked like the file)', collectSet)
    .option('--ca <file>', 'trust this PEM CA file too when verifying wss:// targets (sets cluster.tls.ca)')
    .option('--insecure', 'do NOT verify TLS certificates (sets cluster.tls.insecure; prints a warning)')
    .option('--workers <n>', `load processes for the clients (1 = this process; default: 1 below 5000 clients, else cores - 1 and as many as the open-files limit needs)`, parseIntOption('--workers', 1))
    .action(runCommand);
  addScaleOutOptions(program.commands.find((c) => c.name() === 'run')!);
  addMergeCommand(program);

  program.command('validate')
    .description('check scenario files without running them')
    .argument('<files...>', 'scenario files, or names of bundled ones')
    .option('--set <field=value>', 'set a scenario field in every file, as run does (repeatable)', collectSet)
    .action(async (files: string[], o: { set?: SetValue[] }) => {
      const { loadScenarioFile } = await import('./scenario/load');
      // Every file is checked, whatever happened to the one before; the exit code is the
      // worst outcome: 4 if one hit an internal error, else 2 if any was refused.
      let bad = 0;
      let internal = 0;
      for (const f of files) {
        try {
          const s = loadScenarioFile(resolveScenarioArg(f), (raw) => applySets(raw, o.set ?? []));
          const random = s.randomFaults ? `, random nemesis seed ${s.randomFaults.seed}: ${s.generatedFaults?.length ?? 0} generated` : '';
          process.stdout.write(`ok      ${f} (${s.name}: ${s.clients.count} clients, ${s.cluster.nodes} nodes, ${s.faults.length} faults${random})\n`);
        } catch (err) {
          if (err instanceof UserError) {
            bad++;
            process.stderr.write(`${err.lines().join('\n')}\n`);
          } else {
            internal++;
            process.stderr.write(`chat-bench: scenario ${f}: internal error: ${(err as Error)?.message ?? String(err)} (hint: rerun with CHAT_BENCH_DEBUG=1 for details, and report it)\n`);
            if (process.env.CHAT_BENCH_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
          }
        }
      }
      if (internal) process.exitCode = EXIT.internal;
      else if (bad) process.exitCode = EXIT.usage;
    });

  program.command('list')
    .description('list the ready scenarios and what each proves')
    .option('--dir <dir>', 'scenario folder (default: the scenarios bundled with chat-bench)')
    .action(async (o: { dir?: string }) => {
      const { listScenarios } = await import('./scenario/list');
      for (const s of listScenarios(o.dir ?? bundledScenarioDir())) process.stdout.write(`${s.file.padEnd(28)} ${s.summary}\n`);
    });

  program.command('report')
    .description('regenerate report.html from a results.json')
    .argument('<results>', 'path to results.json')
    .option('--out <file>', 'where to write the HTML (default: report.html beside results.json)')
    .option('--junit <file>', 'also write JUnit XML')
    .action(async (file: string, o: { out?: string; junit?: string }) => {
      const { regenerateReport, loadResults } = await import('./report/write');
      const html = await regenerateReport(file, o.out);
      process.stdout.write(`${html}\n`);
      if (o.junit) {
        const { renderJUnit } = await import('./report/junit');
        const { writeFileAtomic } = await import('./util/atomic-write');
        await writeFileAtomic(o.junit, renderJUnit(await loadResults(file)));
        process.stdout.write(`${o.junit}\n`);
      }
    });

  program.command('broker')
    .description('run the reference broker cluster in this process (to play with, or to target with --runtime external)')
    .option('--nodes <n>', 'number of nodes', parseIntOption('--nodes', 1), 3)
    .option('--port <port>', 'first port (node i listens on port+i-1); 0 = free ports', parseIntOption('--port', 0), 7001)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'keep a durable log per node below this folder')
    .addOption(new Option('--misbehave <mode>', 'misbehave on purpose (proving a checker)').choices(MISBEHAVIOUR_MODES))
    .option('--misbehave-rate <rate>', 'misbehaviour rate (0..1)', Number)
    .option('--fault-proxy [port]', 'also start a fault proxy (Toxiproxy API on this port, default a free one) with a proxy clients:node-K in front of each node, for shards to share')
    .action(async (o: { nodes: number; port: number; host: string; dataDir?: string; misbehave?: string; misbehaveRate?: number; faultProxy?: string | true }) => {
      if (o.dataDir !== undefined) (await import('./util/output-dir')).ensureOutputDir(o.dataDir, '--data-dir folder');
      const proxyPort = o.faultProxy === undefined || o.faultProxy === true ? 0 : parseIntOption('--fault-proxy', 0)(o.faultProxy);
      const { runBrokerCluster } = await import('../reference-broker/cluster-launcher');
      const cluster = await runBrokerCluster({ nodes: o.nodes, basePort: o.port, host: o.host, dataDir: o.dataDir, misbehaviour: o.misbehave as never, misbehaviourRate: o.misbehaveRate });
      process.stdout.write(`reference broker: ${o.nodes} node(s)\n${cluster.urls.map((u, i) => `  node-${i + 1}  ${u}`).join('\n')}\n`);
      let proxy: Awaited<ReturnType<typeof import('./runtime/shared-proxy').startSharedFaultProxy>> | null = null;
      if (o.faultProxy !== undefined) {
        const { startSharedFaultProxy } = await import('./runtime/shared-proxy');
        const { mkdtempSync } = await import('node:fs');
        const { tmpdir } = await import('node:os');
        let logDir = '';
        try {
          // kept after the proxy stops (its log tells what each fault did); the path is printed below
          logDir = mkdtempSync(join(tmpdir(), 'chat-bench-proxy-'));
          proxy = await startSharedFaultProxy(cluster.urls, { logDir, host: o.host, port: proxyPort });
        } catch (err) {
          await cluster.close();
          throw err;
        }
        process.stdout.write(`fault proxy: ${proxy.apiUrl} (Toxiproxy API; clients go through it)\n${proxy.proxies.map((p) => `  ${p.name}  ${p.url}`).join('\n')}\n`
          + `in the scenario: cluster: { runtime: external, urls: [${proxy.proxies.map((p) => p.url).join(', ')}], faultProxy: ${proxy.apiUrl} }\n`
          + `proxy logs: ${logDir}\n`);
      }
      process.stdout.write('Ctrl-C to stop\n');
      await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
      await proxy?.stop();
      await cluster.close();
    });

  program.command('toxiproxy')
    .description('run the embedded Toxiproxy-compatible fault proxy (HTTP API on --port)')
    .option('--port <port>', 'API port', '8474')
    .option('--host <host>', 'API address', '127.0.0.1')
    .action(async (o: { port: string; host: string }) => {
      const { main } = await import('./toxiproxy/toxiproxy-main');
      await main(['--host', o.host, '--port', o.port]);
    });

  program.command('clean')
    .description('stop leftovers of killed runs: local broker/proxy processes, and Docker containers, networks and volumes labelled chat-bench')
    .addOption(new Option('--runtime <kind>', 'clean only this runtime (default: both)').choices(['local', 'docker']))
    .action(async (o: { runtime?: 'local' | 'docker' }) => {
      if (o.runtime !== 'docker') {
        const { cleanLocal } = await import('./runtime/leftovers');
        const { runsRoot } = await import('./runtime/run-marker');
        const local = await cleanLocal(runsRoot());
        process.stdout.write(`stopped ${local.killed} local process(es) of killed runs${local.activeRuns ? ` (${local.activeRuns} run(s) still running, left alone)` : ''}\n`);
      }
      if (o.runtime === 'local') return;
      const { cleanDocker } = await import('./runtime/clean');
      let removed: Awaited<ReturnType<typeof cleanDocker>>;
      try {
        removed = await cleanDocker();
      } catch (err) {
        // Without a Docker engine there is nothing of Docker to clean, unless it was asked for.
        if (o.runtime === 'docker' || !(err instanceof UserError)) throw err;
        process.stdout.write(`docker: skipped (${err.message})\n`);
        return;
      }
      process.stdout.write(`removed ${removed.containers} container(s), ${removed.networks} network(s), ${removed.volumes} volume(s)\n`);
    });

  return program;
}

if (require.main === module) {
  buildProgram().parseAsync(process.argv).catch(fail);
}

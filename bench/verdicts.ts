// Are the verdicts true? N seeded random-nemesis runs against the healthy reference cluster
// (each must PASS: a FAIL is a false FAIL), and runs against each broker misbehaviour (each must
// FAIL: a PASS is a false PASS; replay-before-subd is legal-looking and must PASS). Every run is
// a whole `chat-bench run` process with the default guarantee and no written threshold, so what
// is judged is the checker alone, not latency on a busy machine.
//
//   node build/bench/verdicts.js [--runs 100] [--first-seed 1] [--mode-runs 5] [--modes drop,dup,…] [--keep]
//
// Prints one line per run (seed, exit, the failed checks) and the counts; a failing seed is
// replayed exactly with the scenario written beside it (`--keep` leaves the run folders).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';

const CLI = join(__dirname, '../src/cli.js');

/** Must this mode's runs fail (true) or pass (false)? */
const MODES: Record<string, { mustFail: boolean; patch?: (s: Scenario) => void }> = {
  drop: { mustFail: true },
  dup: { mustFail: true },
  reorder: { mustFail: true },
  'no-dedupe': { mustFail: true },
  // shows only when clients resume: node-1's clients are cut for 2 s
  'no-resume': { mustFail: true, patch: (s) => { s.faults = [{ at: '2s', for: '2s', target: 'clients:node-1', action: 'down' }]; } },
  // one node, so every channel lives on the node that forgets across its restart
  amnesia: { mustFail: true, patch: (s) => { s.cluster.nodes = 1; s.faults = [{ at: '3s', target: 'node:node-1', action: 'kill', restartAfter: '500ms' }]; } },
  'split-serials': { mustFail: true },
  'black-hole': { mustFail: true },
  corrupt: { mustFail: true },
  'replay-before-subd': { mustFail: false, patch: (s) => { s.faults = [{ at: '2s', for: '2s', target: 'clients:node-1', action: 'down' }]; } },
};

interface Scenario {
  name: string;
  cluster: { runtime: string; nodes: number; durable: boolean; misbehaviour?: { mode: string; rate: number } };
  clients: Record<string, unknown>;
  duration: string;
  drain: string;
  faults: unknown;
  seed: number;
}

function baseScenario(seed: number): Scenario {
  return {
    name: `verdict-${seed}`,
    cluster: { runtime: 'local', nodes: 3, durable: true },
    clients: {
      count: 60, rampUp: '1s', channels: 6, subscriptionsPerClient: 2, publishers: 12, publishRate: '5/s', payloadBytes: 128,
      reconnect: { initial: '50ms', max: '1s', multiplier: 2, jitter: 'full' }, heartbeat: { interval: '1s', timeout: '3s' },
    },
    duration: '12s', // the nemesis draws faults after ramp-up + 3 s and before the last quarter
    drain: '10s',
    faults: { random: { seed, every: '2s', maxFor: '1500ms', kinds: ['latency', 'reset_peer', 'timeout', 'down', 'partition', 'kill', 'pause'] } },
    seed,
  };
}

interface Outcome { label: string; seed: number; exit: number | null; failed: string; ms: number; dir: string }

function runOnce(label: string, scenario: Scenario, keep: boolean): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-verdict-'));
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, stringify(scenario));
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'run', file, '--quiet', '--json-summary', '--out', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGINT'), 120_000);
    child.on('close', (exit) => {
      clearTimeout(timer);
      let failed = '';
      try {
        const summary = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { thresholds?: Array<{ expression: string; pass: boolean }> };
        failed = (summary.thresholds ?? []).filter((t) => !t.pass).map((t) => t.expression).join(',');
      } catch { failed = '(no summary)'; }
      if (!keep && exit !== null && exit <= 1) rmSync(dir, { recursive: true, force: true });
      resolve({ label, seed: scenario.seed, exit, failed, ms: Date.now() - started, dir });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '100' }, 'first-seed': { type: 'string', default: '1' }, 'mode-runs': { type: 'string', default: '5' },
      modes: { type: 'string', default: Object.keys(MODES).join(',') }, keep: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const modeRuns = Number(values['mode-runs']);
  const modes = values.modes!.split(',').filter(Boolean);
  for (const m of modes) if (!MODES[m]) throw new Error(`unknown mode ${m}; known: ${Object.keys(MODES).join(', ')}`);
  process.stdout.write(`verdicts: ${runs} healthy random-nemesis runs, ${modeRuns} per misbehaviour (${modes.join(', ')}); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);

  const falseFail: Outcome[] = [];
  const falsePass: Outcome[] = [];
  const broken: Outcome[] = [];
  const times: number[] = [];
  const record = (o: Outcome, mustFail: boolean) => {
    times.push(o.ms);
    const verdict = o.exit === 0 ? 'PASS' : o.exit === 1 ? 'FAIL' : `exit ${o.exit}`;
    const wrong = o.exit !== null && o.exit > 1 ? 'BROKEN' : (o.exit === 1) !== mustFail ? (mustFail ? 'FALSE PASS' : 'FALSE FAIL') : 'ok';
    process.stdout.write(`${o.label.padEnd(24)} seed ${String(o.seed).padStart(4)}  ${verdict.padEnd(6)} ${wrong.padEnd(10)} ${(o.ms / 1000).toFixed(1)} s  ${o.failed}${wrong !== 'ok' ? `  (${o.dir})` : ''}\n`);
    if (wrong === 'BROKEN') broken.push(o);
    else if (wrong === 'FALSE PASS') falsePass.push(o);
    else if (wrong === 'FALSE FAIL') falseFail.push(o);
  };

  const first = Number(values['first-seed']);
  for (let seed = first; seed < first + runs; seed++) record(await runOnce('healthy + nemesis', baseScenario(seed), values.keep!), false);
  let mustFailRuns = 0;
  let mustPassModeRuns = 0;
  for (const mode of modes) {
    const { mustFail, patch } = MODES[mode];
    for (let k = 1; k <= modeRuns; k++) {
      const s = baseScenario(1000 + k);
      s.faults = [];
      s.cluster.misbehaviour = { mode, rate: 0.05 };
      if (mode === 'black-hole') s.cluster.misbehaviour.rate = 1; // every publish swallowed: the issue's black hole
      patch?.(s);
      if (mustFail) mustFailRuns++;
      else mustPassModeRuns++;
      record(await runOnce(`--misbehave ${mode}`, s, values.keep!), mustFail);
    }
  }
  const sorted = times.slice().sort((a, b) => a - b);
  process.stdout.write(`\nfalse FAIL ${falseFail.length}/${runs + mustPassModeRuns} (healthy and legal-looking runs)` +
    ` · false PASS ${falsePass.length}/${mustFailRuns} (misbehaving runs) · broken runs ${broken.length}` +
    ` · median run ${(sorted[sorted.length >> 1] / 1000).toFixed(1)} s\n`);
  process.exitCode = falseFail.length + falsePass.length + broken.length > 0 ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`verdicts: ${(err as Error).message}\n`);
  process.exit(2);
});

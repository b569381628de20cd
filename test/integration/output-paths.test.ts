// Output paths that cannot be created fail at once with one line naming them (exit 2): on
// procfs, Node's recursive mkdir used to loop forever at 100 % CPU, deaf to SIGTERM. And a run
// whose reports cannot be written still prints its verdict, then one line (exit 3), and leaves
// no half-written results.json.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { serializeResults } from '../../src/report/write';
import { makeSyntheticResults } from '../support/synthetic-results';
import { CLI, ROOT, small, tmpOut } from './support';

const BROKER = join(__dirname, '../../reference-broker/main.js'); // the compiled tree these tests run from

function run(args: string[], shellPrefix = '') {
  const argv = shellPrefix ? ['/bin/sh', ['-c', `${shellPrefix} && exec "$0" "$@"`, process.execPath, ...args]] as const : [process.execPath, args] as const;
  // Bounded: the bug this guards against never returns, so a hang fails the test instead.
  return spawnSync(argv[0], [...argv[1]], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
}

test('output paths on procfs, sysfs or under a file: exit 2 at once, one line naming the path', () => {
  const dir = tmpOut('cb-paths-');
  const results = join(dir, 'results.json');
  writeFileSync(results, serializeResults(makeSyntheticResults()));
  const cases: Array<[string[], RegExp]> = [
    [[CLI, 'run', 'scenarios/smoke.yaml', '--out', '/proc/x'], /--out folder \/proc\/x cannot be used: \/proc is on procfs/],
    [[CLI, 'run', 'scenarios/smoke.yaml', '--out', '/sys/x/y'], /--out folder \/sys\/x\/y cannot be used: \/sys is on sysfs/],
    [[CLI, 'run', 'scenarios/smoke.yaml', '--out', '/dev/null'], /--out folder \/dev\/null cannot be used: \/dev\/null is not a directory/],
    [[CLI, 'run', 'scenarios/smoke.yaml', '--out', dir, '--junit', '/proc/x/j.xml'], /--junit folder \/proc\/x cannot be used/],
    [[CLI, 'report', results, '--out', '/proc/x/r.html'], /folder \/proc\/x cannot be used: \/proc is on procfs/],
    [[CLI, 'report', results, '--out', join(results, 'r.html')], /is not a directory/],
    [[CLI, 'broker', '--port', '0', '--data-dir', '/proc/x'], /--data-dir folder \/proc\/x cannot be used/],
    [[BROKER, '--id', 'node-1', '--port', '0', '--data-dir', '/proc/x'], /data folder \/proc\/x cannot be used/],
  ];
  for (const [args, expected] of cases) {
    const r = run(args);
    const what = args.slice(1).join(' ');
    assert.equal(r.signal, null, `${what}: hung (killed after 30 s)`);
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, expected, what);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, what);
  }
});

test('run: results that cannot be written (EFBIG) still print the verdict, then one line, exit 3, no half file', () => {
  const out = tmpOut('cb-efbig-');
  const file = join(out, 'scenario.json');
  writeFileSync(file, JSON.stringify(small({
    cluster: { runtime: 'local', nodes: 1, durable: false }, duration: '2s', drain: '2s',
    clients: { count: 10, rampUp: '200ms', channels: 2, subscriptionsPerClient: 1, publishers: 2, publishRate: '5/s', payloadBytes: 64 },
  })));
  // About 4 KB per file: the logs fit, results.json (about 10 KB) does not.
  const r = run([CLI, 'run', file, '--out', out, '-q'], 'ulimit -f 8');
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /PASS — all [0-9]+ checks met/, 'the verdict is printed although the reports are not');
  assert.match(r.stderr, /^chat-bench: could not write .*results\.json: .*EFBIG.*\n$/);
  const [runDir] = readdirSync(out).filter((n) => n !== 'scenario.json');
  assert.deepEqual(readdirSync(join(out, runDir)).filter((n) => n !== 'logs'), [], 'no results.json, no temp file');
});

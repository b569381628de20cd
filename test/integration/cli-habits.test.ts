// The CLI habits of issue 14 as a user meets them, from a folder that is not the repository:
// bundled scenarios by name, list, --set, ${ENV} in files, every error of a file, exit 4.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CLI, tmpOut } from './support';

interface Ran { code: number | null; stdout: string; stderr: string }

/** The CLI run from `cwd` with extra environment variables; killed by pid on timeout. */
function cliIn(cwd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

const lines = (s: string) => s.split('\n').filter(Boolean);

describe('CLI habits outside the repository', () => {
  test('list and validate find the bundled scenarios by name from an empty folder', async () => {
    const empty = tmpOut('cb-empty-');
    const list = await cliIn(empty, ['list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^smoke\.yaml\s+Smoke:/m);
    const v = await cliIn(empty, ['validate', 'smoke', 'partition-heal.yaml', '--set', 'clients.count=200']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^ok {6}smoke \(smoke: 200 clients/m);
    const missing = await cliIn(empty, ['validate', 'smokey']);
    assert.equal(missing.code, 2);
    assert.deepEqual(lines(missing.stderr), ['chat-bench: scenario smokey: no such file, and no bundled scenario of that name (hint: run "chat-bench list" to see the bundled scenarios, or give the path of a .yaml/.json file)']);
  });

  test('validate prints every error of a file, one line each, exit 2; a bad --set is one line, exit 2', async () => {
    const dir = tmpOut();
    writeFileSync(join(dir, 'bad.yaml'), 'name: bad\nduration: 10\nclients:\n  count: -1\nseed: x\ncolour: red\n');
    const r = await cliIn(dir, ['validate', 'bad.yaml']);
    assert.equal(r.code, 2, r.stderr);
    const errs = lines(r.stderr);
    assert.deepEqual(errs.map((l) => /^chat-bench: scenario bad\.yaml:(\d+): ([\w.]+):/.exec(l)?.slice(1).join(' ')),
      ['6 colour', '2 duration', '4 clients.count', '5 seed'], r.stderr);
    const set = await cliIn(dir, ['validate', 'smoke', '--set', 'clients.count']);
    assert.equal(set.code, 2);
    assert.deepEqual(lines(set.stderr), ['chat-bench: --set "clients.count": is not field=value (hint: write it like --set clients.count=5000, --set faults.0.for=10s or --set "thresholds[latency.p99]=< 200ms")']);
  });

  test('${ENV} in a file: set, defaulted, and unset (one line naming variable and file, exit 2)', async () => {
    const dir = tmpOut();
    writeFileSync(join(dir, 'env.yaml'), 'name: env\nduration: ${CB_DURATION:-20s}\nclients: { count: ${CB_CLIENTS} }\n');
    const ok = await cliIn(dir, ['validate', 'env.yaml'], { CB_CLIENTS: '33' });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /\(env: 33 clients/);
    const unset = await cliIn(dir, ['validate', 'env.yaml']);
    assert.equal(unset.code, 2);
    assert.deepEqual(lines(unset.stderr), ['chat-bench: scenario env.yaml:3: environment variable CB_CLIENTS is not set (hint: export CB_CLIENTS=…, or write ${CB_CLIENTS:-default} in the file)']);
  });

  test('an internal error is exit 4 (not 3) with one line and no stack', async () => {
    const r = await new Promise<Ran>((resolve) => {
      const child = spawn(process.execPath, ['-e', `require(${JSON.stringify(CLI)}).fail(new TypeError('boom'))`], { env: { ...process.env, CHAT_BENCH_DEBUG: '' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(r.code, 4);
    assert.deepEqual(lines(r.stderr), ['chat-bench: internal error: boom (hint: rerun with CHAT_BENCH_DEBUG=1 for details, and report it)']);
  });

  test('run smoke by name from an empty folder, shrunk with --set: passes with the clients it was told', async () => {
    const empty = tmpOut('cb-empty-');
    const r = await cliIn(empty, ['run', 'smoke', '--quiet', '--json-summary', '--out', 'out',
      '--set', 'clients.count=120', '--set', 'clients.rampUp=1s', '--set', 'duration=4s', '--set', 'drain=4s',
      // the machine running the tests is shared: latency is not what this test is about
      '--set', 'thresholds[latency.p99]=< 60s'], {}, 180_000);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal((JSON.parse(r.stdout) as { verdict: string }).verdict, 'pass');
    const runDir = join(empty, 'out', readdirSync(join(empty, 'out')).find((d) => d.includes('smoke'))!);
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { scenario: { clients: { count: number }; durationMs: number } };
    assert.equal(results.scenario.clients.count, 120);
    assert.equal(results.scenario.durationMs, 4000);
  });
});

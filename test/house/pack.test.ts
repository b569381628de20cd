// The package as a user gets it: `npm pack` (which runs `prepare`, i.e. `npm run build`), the
// tarball installed into an empty folder from the registry, and the bundled smoke scenario run
// there with `npx chat-bench`. Also: the tarball holds no test or bench output.
// Needs the npm registry (the tarball's dependencies are installed for real); about a minute.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';
import { processesMentioning } from '../support/processes';

const ROOT = join(__dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'cb-pack-'));
after(() => rmSync(work, { recursive: true, force: true }));

/**
 * The environment of a user's shell: without the npm_* variables of the `npm test` around us
 * and without any node_modules/.bin on PATH, so nothing can come from this repository.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules')).join(delimiter);
  return env;
}

interface Ran { code: number | null; signal: string | null; stdout: string; stderr: string }

/** Runs a command in its own process group; on timeout the whole group is killed (by its pid). */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: userEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

const show = (r: Ran): string => `exit ${r.code} ${r.signal ?? ''} (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')})\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;

let tarball = '';

test('npm pack: the tarball holds the CLI, broker and scenarios, and no test or bench output', { timeout: 300_000 }, async () => {
  const packDir = join(work, 'pack');
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir);
  const r = await run('npm', ['pack', '--pack-destination', packDir], ROOT, 240_000);
  assert.equal(r.code, 0, show(r));
  const tgz = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
  assert.equal(tgz.length, 1, `one tarball expected in ${packDir}: ${tgz.join(', ')}`);
  tarball = join(packDir, tgz[0]);

  const list = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  assert.equal(list.status, 0, list.stderr);
  const files = list.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  for (const must of ['package.json', 'dist/src/cli.js', 'dist/reference-broker/main.js', 'dist/src/toxiproxy/toxiproxy-main.js',
    'dist/src/load/workers/worker-main.js', 'reference-broker/Dockerfile', 'scenarios/smoke.yaml', 'dist/src/adapters/types.d.ts']) {
    assert.ok(files.includes(must), `${must} is missing from the tarball`);
  }
  const stray = files.filter((f) => /^(dist\/)?(test|bench|build)\//.test(f) || /\.test\.js(\.map)?$/.test(f));
  assert.deepEqual(stray, [], 'test or bench output in the tarball');
});

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

test('the adapter types: `import type { Adapter } from \'chat-bench/adapter\'` type-checks (node10, node16, bundler); a wrong capability does not', { timeout: 120_000 }, async (t) => {
  if (!tarball) return t.skip('no tarball (npm pack failed above)');
  // Only declarations are read: the package unpacked under node_modules is enough (no registry).
  const user = join(work, 'types-user');
  rmSync(user, { recursive: true, force: true });
  mkdirSync(join(user, 'node_modules', 'chat-bench'), { recursive: true });
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', join(user, 'node_modules', 'chat-bench'), '--strip-components=1'], { encoding: 'utf8' });
  assert.equal(untar.status, 0, untar.stderr);
  writeFileSync(join(user, 'package.json'), JSON.stringify({ name: 'my-adapter', version: '1.0.0', private: true }));
  const adapter = (resume: string) => `import type { Adapter, AdapterEvents, ClientOptions } from 'chat-bench/adapter';
export const adapter: Adapter = {
  name: 'mine', defaultGuarantee: 'at-least-once', urlSchemes: ['toy'],
  capabilities: { serials: true, resume: '${resume}', acks: true, idempotentPublish: true, ordering: 'total' },
  createClient(url: string, events: AdapterEvents, opts: ClientOptions) {
    return { connect: () => events.opened(), subscribe: (ch: string, from?: number) => events.subscribed(ch, from, from !== undefined),
      publish: (ch: string, key: string) => events.acked(key, 0), ping: () => events.heard(), terminate: () => events.closed(), stop: () => undefined };
  },
};
`;
  writeFileSync(join(user, 'good.ts'), adapter('serial'));
  writeFileSync(join(user, 'bad.ts'), adapter('offset'));
  writeFileSync(join(user, 'good.mts'), adapter('serial')); // an ES module under node16: the "exports" map's types
  // no @types/node and no skipLibCheck: the published declarations must stand on their own
  const modes = [['commonjs', 'node10'], ['node16', 'node16'], ['esnext', 'bundler']];
  for (const [module, resolution] of modes) {
    const tsc = (file: string) => {
      writeFileSync(join(user, 'tsconfig.json'), JSON.stringify({ compilerOptions: { noEmit: true, strict: true, types: [], module, moduleResolution: resolution, target: 'es2022' }, files: [file] }));
      return spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: user, encoding: 'utf8' });
    };
    for (const file of resolution === 'node16' ? ['good.ts', 'good.mts'] : ['good.ts']) {
      const good = tsc(file);
      assert.equal(good.status, 0, `${resolution} ${file}: ${good.stdout}${good.stderr}`);
    }
    const bad = tsc('bad.ts');
    assert.notEqual(bad.status, 0, `${resolution}: resume 'offset' was accepted`);
    assert.match(bad.stdout, /'"offset"' is not assignable to type 'ResumeMode'/, `${resolution}: ${bad.stdout}`);
  }
});

const app = join(work, 'app');
let installed = false;

test('the tarball installed into an empty folder runs the bundled smoke scenario with npx', { timeout: 600_000 }, async (t) => {
  if (!tarball) return t.skip('no tarball (npm pack failed above)');
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'cb-pack-check', version: '1.0.0', private: true }));

  const install = await run('npm', ['install', tarball, '--no-audit', '--no-fund'], app, 300_000);
  assert.equal(install.code, 0, show(install));
  installed = true;
  const smoke = join('node_modules', 'chat-bench', 'scenarios', 'smoke.yaml');
  assert.ok(existsSync(join(app, smoke)), 'the bundled smoke scenario was installed');

  const r = await run('npx', ['--no-install', 'chat-bench', 'run', smoke, '--quiet'], app, 180_000);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /PASS/, show(r));

  const reports = join(app, 'reports');
  const runs = existsSync(reports) ? readdirSync(reports).filter((d) => d.includes('smoke')) : [];
  assert.equal(runs.length, 1, `one run folder expected in ${reports}: ${runs.join(', ')}`);
  for (const f of ['results.json', 'report.html']) assert.ok(existsSync(join(reports, runs[0], f)), `${f} written`);
  assert.deepEqual(processesMentioning(app), [], 'nothing the run started is still running');
});

test('in that folder: `chat-bench list` and `chat-bench run smoke --set clients.count=200` find the bundled scenario by name', { timeout: 300_000 }, async (t) => {
  if (!installed) return t.skip('no installed package (the test above failed)');
  const list = await run('npx', ['--no-install', 'chat-bench', 'list'], app, 60_000);
  assert.equal(list.code, 0, show(list));
  assert.match(list.stdout, /^smoke\.yaml\s/m, show(list));
  // The machine running the tests is shared: the p99 target is relaxed, integrity is not.
  const r = await run('npx', ['--no-install', 'chat-bench', 'run', 'smoke', '--set', 'clients.count=200',
    '--set', 'thresholds[latency.p99]=< 60s', '--quiet', '--json-summary', '--out', 'by-name'], app, 180_000);
  assert.equal(r.code, 0, show(r));
  const summary = JSON.parse(r.stdout) as { verdict: string; clients: { target: number }; totals: { delivered: number } };
  assert.equal(summary.verdict, 'pass', show(r));
  assert.equal(summary.clients.target, 200);
  assert.ok(summary.totals.delivered > 0);
  assert.deepEqual(processesMentioning(app), [], 'nothing the run started is still running');
});

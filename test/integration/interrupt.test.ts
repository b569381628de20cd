// Ctrl-C during a run: exit 130, and every process the run started (nodes, proxy) is gone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CLI, ROOT, tmpOut } from './support';
import { alive, childrenOf, processesMentioning } from '../support/processes';

test('SIGINT mid-run: exit 130, one line, nothing left running', async () => {
  const out = tmpOut('cb-interrupt-');
  const child = spawn(process.execPath, [CLI, 'run', 'scenarios/node-crash.yaml', '--out', out], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  // Wait until the clients are running (the progress line shows connected clients).
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`run never got going: ${stderr}`)), 30_000);
    child.stderr.on('data', () => { if (/clients \d+\/600/.test(stderr)) { clearTimeout(t); resolve(); } });
  });
  assert.ok(processesMentioning(out).length >= 3, 'broker nodes are running under the run folder');
  const started = childrenOf(child.pid!);
  assert.ok(started.length >= 4, `3 nodes and the proxy are children of the run: ${started}`);
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted/);
  assert.doesNotMatch(stderr, /\n\s+at /);
  assert.deepEqual(processesMentioning(out), [], 'no node process survives');
  assert.deepEqual(started.filter(alive), [], 'no process the run started survives');
  const [runDir] = readdirSync(out);
  const results = JSON.parse(readFileSync(`${out}/${runDir}/results.json`, 'utf8')) as { exitCode: number; totals: { published: number } };
  assert.equal(results.exitCode, 130, 'the partial record is written, marked interrupted');
  assert.ok(results.totals.published > 0);
});

// Ctrl-C in a terminal signals the whole process group: with worker processes, the run still
// ends as interrupted (exit 130, one line) — the workers leave the decision to the parent —
// and no worker survives.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { CLI, ROOT, tmpOut } from '../integration/support';
import { alive, childrenOf } from '../support/processes';

test('Ctrl-C to the process group with --workers 2: exit 130, one line, no worker left', async () => {
  const out = tmpOut('cb-interrupt-workers-');
  // Its own process group, as a shell gives a foreground job: the group signal reaches everything.
  const child = spawn(process.execPath, [CLI, 'run', 'scenarios/node-crash.yaml', '--workers', '2', '--out', out], { cwd: ROOT, detached: true });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`run never got going: ${stderr}`)), 30_000);
    child.stderr.on('data', () => { if (/clients [1-9][\d,]*\/600/.test(stderr)) { clearTimeout(t); resolve(); } });
  });
  const workers = childrenOf(child.pid!, 'worker-main');
  assert.equal(workers.length, 2, 'two worker processes');
  process.kill(-child.pid!, 'SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    assert.equal(code, 130, stderr);
    assert.match(stderr, /interrupted/);
    assert.doesNotMatch(stderr, /load worker|\n\s+at /);
    assert.deepEqual(workers.filter(alive), [], 'a worker survived');
  } finally {
    for (const pid of workers.filter(alive)) process.kill(pid, 'SIGKILL');
  }
});

// `chat-bench clean` finds local leftovers through the run markers: a marked process whose run
// is gone is killed, but only if it is still the very process marked (same start time and
// command line); a run still in progress is left alone.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, ROOT, tmpOut } from './support';
import { alive } from '../support/processes';
import { identityOf, type ProcessIdentity } from '../../src/util/proc-identity';

const BROKER = join(__dirname, '../../reference-broker/main.js'); // the compiled tree these tests run from
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A broker started detached, without parent-death detection: what a run leaves when that could not act. */
async function strayBroker(): Promise<{ child: ChildProcess; id: ProcessIdentity }> {
  const child = spawn(process.execPath, [BROKER, '--id', 'node-1', '--port', '0'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('broker did not start')), 10_000);
    child.stdout!.once('data', () => { clearTimeout(t); resolve(); });
  });
  child.unref();
  return { child, id: identityOf(child.pid!)! };
}

function writeMarker(root: string, owner: ProcessIdentity, children: ProcessIdentity[]): string {
  const dir = join(root, 'chat-bench-runs', `${owner.pid}-${owner.start}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pids.json'), JSON.stringify({ owner, children }));
  return dir;
}

test('clean stops marked leftovers of dead runs, never a reused pid, never a live run', async () => {
  const tmp = tmpOut('cb-clean-');
  const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  const deadOwner: ProcessIdentity = { pid: Number(gone.stdout.trim()), start: '1', cmdline: 'node dead-cli' };
  const leftover = await strayBroker();
  const active = await strayBroker();
  try {
    // The dead run lists the stray broker, plus our own pid under another start time (a reused pid).
    const me = identityOf(process.pid)!;
    const deadDir = writeMarker(tmp, deadOwner, [leftover.id, { ...me, start: String(Number(me.start) + 1) }]);
    const liveDir = writeMarker(tmp, me, [active.id]); // this test process is a run in progress

    const r = spawnSync(process.execPath, [CLI, 'clean', '--runtime', 'local'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TMPDIR: tmp }, timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /stopped 1 local process\(es\) of killed runs \(1 run\(s\) still running, left alone\)/);
    for (let i = 0; i < 100 && alive(leftover.id.pid); i++) await sleep(20);
    assert.equal(alive(leftover.id.pid), false, 'the leftover broker is killed');
    assert.equal(existsSync(deadDir), false, 'the dead run marker is removed');
    assert.equal(alive(active.id.pid), true, 'a live run keeps its processes');
    assert.equal(existsSync(liveDir), true);
  } finally {
    for (const p of [leftover, active]) if (alive(p.id.pid)) process.kill(p.id.pid, 'SIGKILL');
  }
});

const PROGRAMS = [[BROKER, '--id', 'node-1', '--port', '0'], [join(__dirname, '../../src/toxiproxy/toxiproxy-main.js'), '--host', '127.0.0.1', '--port', '0']];

test('broker and proxy started by hand ignore their stdin; started by chat-bench they exit when stdin ends', async () => {
  for (const [program, byChatBench] of PROGRAMS.flatMap((p) => [[p, false], [p, true]] as const)) {
    const env = { ...process.env, CHAT_BENCH_EXIT_WITH_PARENT: byChatBench ? '1' : '' };
    const child = spawn(process.execPath, program, { env, stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      child.stdin!.end(); // what the kernel does when the parent dies
      const exited = await Promise.race([
        new Promise<boolean>((resolve) => child.once('exit', () => resolve(true))),
        sleep(1500).then(() => false),
      ]);
      assert.equal(exited, byChatBench, `${program[0]}: ${byChatBench ? 'exits with its parent' : 'keeps running when started by hand'}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
});

// SIGKILL of the CLI mid-run: no exit hook runs, yet within 5 s every process of the run is
// gone and none of its ports is listening. The nodes and the proxy see their stdin pipe end;
// the node paused by a `pause` fault cannot, and is killed by the run's reaper.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, ROOT, small, tmpOut } from './support';
import { alive, childrenOf, listeningSocketsOf, processesMentioning, stateOf, stillListening } from '../support/processes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await sleep(50);
  }
}

test('SIGKILL of the CLI during a pause fault: within 5 s no process of the run is alive, no port listening', async (t) => {
  const out = tmpOut('cb-sigkill-');
  const file = join(out, 'scenario.json');
  writeFileSync(file, JSON.stringify(small({
    duration: '20s',
    faults: [{ at: '1500ms', target: 'node:node-2', action: 'pause', restartAfter: '15s' }],
  })));
  const cli = spawn(process.execPath, [CLI, 'run', file, '--out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let started: number[] = [];
  cli.stderr.on('data', (d) => { stderr += d; });
  try {
    await until(`the pause fault begins (stderr: ${stderr})`, () => /fault begins/.test(stderr), 30_000);
    const nodes = processesMentioning(out).filter((pid) => pid !== cli.pid); // the CLI names the scenario file in out
    assert.equal(nodes.length, 3, `3 broker nodes run under the run folder: ${nodes}`);
    await until('a node stopped by SIGSTOP', () => nodes.some((pid) => stateOf(pid) === 'T'), 5000);
    started = childrenOf(cli.pid!);
    assert.ok(started.length >= 4, `3 nodes and the proxy are children of the CLI: ${started}`);
    const paused = nodes.filter((pid) => stateOf(pid) === 'T');
    assert.equal(paused.length, 1, 'one node is stopped (SIGSTOP) when the CLI dies');
    const sockets = listeningSocketsOf(started);
    assert.ok(sockets.size >= 4, `the run listens on ports: ${[...sockets.keys()]}`);

    const killedAt = Date.now();
    cli.kill('SIGKILL');
    await until('every process of the run gone', () => started.filter(alive).length === 0, 5000);
    await until('every port of the run closed', () => stillListening(sockets).length === 0, Math.max(0, 5000 - (Date.now() - killedAt)));
    assert.ok(Date.now() - killedAt <= 5000);
    t.diagnostic(`${started.length} processes and ${sockets.size} listening ports gone ${Date.now() - killedAt} ms after SIGKILL`);
  } finally {
    if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
    for (const pid of [...started.filter(alive), ...processesMentioning(out)]) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
});

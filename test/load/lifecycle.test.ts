// Worker processes never outlive their parent: when the parent is SIGKILLed (no chance to
// clean up), the IPC channel closes and every worker exits by itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { alive } from '../support/processes';

const ENGINE = join(__dirname, '../../src/load/workers/index.js');

/** A port nothing listens on (bound, then closed): the clients just keep retrying. */
function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

test('workers exit when their parent is SIGKILLed', async () => {
  const port = await deadPort();
  const parentSource = `
    const { WorkerEngine } = require(${JSON.stringify(ENGINE)});
    const spec = { count: 4, rampUpMs: 0, channels: 1, subscriptionsPerClient: 1, publishers: 0, publishRate: 0, payloadBytes: 64,
      reconnect: { initialMs: 50, maxMs: 200, multiplier: 2, jitter: 'full' }, heartbeat: { intervalMs: 500, timeoutMs: 1000 } };
    const plans = [0, 1, 2, 3].map((i) => ({ id: 'c' + i, node: 0, channels: ['ch'], publishChannel: null, startOffsetMs: 0 }));
    const engine = new WorkerEngine({ spec, plans, nodeUrls: ['ws://127.0.0.1:${port}'], seed: 1, publishers: [] }, { workers: 2 });
    engine.start(performance.now()).then(() => process.stdout.write(JSON.stringify(engine.pids()) + '\\n'));
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['-e', parentSource], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pids = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    parent.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]) as number[]);
    });
    parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
  });
  assert.equal(pids.length, 2);
  for (const pid of pids) assert.ok(alive(pid), `worker ${pid} not running`);

  parent.kill('SIGKILL');
  const deadline = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const left = pids.filter(alive);
  for (const pid of left) process.kill(pid, 'SIGKILL'); // do not leak them if the assertion fails
  assert.deepEqual(left, [], 'workers outlived their parent');
});

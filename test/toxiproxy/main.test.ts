// The process entry the CLI spawns: one JSON line when ready, clean exit on SIGTERM/SIGINT,
// one-line errors for bad arguments and an occupied port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startUpstream, TestClient, portOf } from './helpers';

const MAIN = join(__dirname, '../../src/toxiproxy/toxiproxy-main.js');

function run(args: string[]) {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => stdout.includes('\n') && resolve(stdout.split('\n')[0]));
    void exited.then(() => reject(new Error(`exited early: ${stderr}`)));
  });
  firstLine.catch(() => {}); // awaited only by the tests that expect a line
  return { child, firstLine, exited, out: () => stdout, err: () => stderr };
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`main.js prints one listening line, serves the API and proxies, exits 0 on ${signal}`, async () => {
    const upstream = await startUpstream(true);
    const p = run(['--host', '127.0.0.1', '--port', '0']);
    try {
      const line = JSON.parse(await p.firstLine);
      assert.equal(line.event, 'listening');
      assert.ok(line.port > 0);
      const tp = new Toxiproxy(`http://127.0.0.1:${line.port}`);
      assert.equal(await tp.getVersion(), '{"version": "2.12.0"}\n');
      const proxy = await tp.createProxy({ name: 'clients:node-1', listen: '127.0.0.1:0', upstream: upstream.address });
      const c = await TestClient.connect(portOf(proxy.listen));
      await c.roundTrip('through another process');
      p.child.kill(signal);
      assert.equal(await p.exited, 0);
      await c.until(() => c.closedAt !== null, 2000, 'proxy connection closed at exit');
      assert.equal(p.out(), `${JSON.stringify({ event: 'listening', port: line.port })}\n`, 'exactly one line on stdout');
    } finally {
      p.child.kill('SIGKILL');
      await upstream.close();
    }
  });
}

test('main.js: bad arguments exit 2 with one line, an occupied port exits 3', async () => {
  const bad = run(['--port', 'eighty']);
  assert.equal(await bad.exited, 2);
  assert.match(bad.err(), /^chat-bench: --port must be 0\.\.65535, got "eighty" \(hint: .*\)\n$/);
  const unknown = run(['--colour']);
  assert.equal(await unknown.exited, 2);
  assert.equal(unknown.err().split('\n').length, 2, 'one line');

  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const busy = run(['--port', String((blocker.address() as AddressInfo).port)]);
  assert.equal(await busy.exited, 3);
  assert.match(busy.err(), /^chat-bench: toxiproxy API port \d+ on 127\.0\.0\.1 is already in use/);
  assert.equal(busy.out(), '');
  blocker.close();
});

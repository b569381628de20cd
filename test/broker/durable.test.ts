// The broker as a real process: durable restart after SIGKILL, the listening line, exit codes,
// and how fast a large log is recovered.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { TestClient, range, until } from './helpers';
import { exited, runBroker, spawnBroker } from './process';
import type { BrokerProcess } from './process';
import { DurableLog, LOG_FILE } from '../../reference-broker/durable-log';
import { recoverChannels } from '../../reference-broker/recovery';
import { encode } from '../../src/protocol';

const dirs: string[] = [];
const children: BrokerProcess[] = [];
const clients: TestClient[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'broker-test-'));
  dirs.push(d);
  return d;
}
async function broker(args: string[]): Promise<BrokerProcess> {
  const b = await spawnBroker(args);
  children.push(b);
  return b;
}
async function client(url: string): Promise<TestClient> {
  const c = await TestClient.connect(url);
  clients.push(c);
  return c;
}
after(async () => {
  clients.forEach((c) => c.close());
  for (const b of children) if (b.child.exitCode === null && b.child.signalCode === null) { b.child.kill('SIGKILL'); await exited(b.child); }
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe('broker process', () => {
  test('a SIGKILLed node restarts with its serials, history and idempotency keys', async () => {
    const dir = tempDir();
    const first = await broker(['--id', 'node-1', '--port', '0', '--data-dir', dir]);
    const c = await client(first.url);
    for (let k = 1; k <= 20; k++) c.send({ t: 'pub', ch: k % 2 ? 'odd' : 'even', id: `key-${k}`, d: { k } });
    await until(() => c.of('ack').length === 20, '20 acks');
    first.child.kill('SIGKILL');
    assert.equal((await exited(first.child)).signal, 'SIGKILL');

    const second = await broker(['--id', 'node-1', '--port', '0', '--data-dir', dir]);
    const c2 = await client(second.url);
    assert.deepEqual(await c2.sub('odd', 0), { t: 'subd', ch: 'odd', at: 10, resumed: true });
    await until(() => c2.msgs('odd').length === 10, 'history replayed');
    assert.deepEqual(c2.msgs('odd').map((m) => [m.s, m.id, (m.d as { k: number }).k]), range(1, 10).map((s) => [s, `key-${2 * s - 1}`, 2 * s - 1]));
    // A retry of an acked publish is recognised after the restart…
    assert.deepEqual(await c2.pub('even', 'key-4'), { t: 'ack', id: 'key-4', s: 2 });
    // …and new publishes continue the serials.
    assert.deepEqual(await c2.pub('even', 'key-21'), { t: 'ack', id: 'key-21', s: 11 });
    await until(() => c2.msgs('odd').length === 10, 'still 10');
  });

  test('without --data-dir a restart starts empty', async () => {
    const first = await broker(['--port', '0']);
    const c = await client(first.url);
    await c.pub('a', 'k1');
    first.child.kill('SIGKILL');
    await exited(first.child);
    const second = await broker(['--port', '0']);
    const c2 = await client(second.url);
    assert.deepEqual(await c2.pub('a', 'k1'), { t: 'ack', id: 'k1', s: 1 });
    assert.deepEqual(await c2.pub('a', 'k2'), { t: 'ack', id: 'k2', s: 2 });
  });

  test('prints exactly one listening line and exits 0 on SIGTERM', async () => {
    const b = await broker(['--id', 'node-7', '--data-dir', tempDir()]);
    const c = await client(b.url);
    await c.pub('a', 'k');
    b.child.kill('SIGTERM');
    assert.deepEqual(await exited(b.child), { code: 0, signal: null });
    assert.match(b.stdout(), /^\{"event":"listening","id":"node-7","port":\d+\}\n$/);
    assert.equal(JSON.parse(b.stdout()).port, b.port);
  });

  test('bad flags: one line on stderr, exit 2', async () => {
    for (const args of [['--port', 'x'], ['--bogus', '1'], ['--misbehave', 'chaos'], ['--peers', 'node-2'], ['--history', '0'], ['--misbehave-rate', '2', '--misbehave', 'drop']]) {
      const r = await runBroker(args);
      assert.equal(r.code, 2, `exit code for ${args.join(' ')}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^chat-bench: .*--/);
    }
  });

  test('port in use: one line, exit 3', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runBroker(['--port', String(port)]);
      assert.equal(r.code, 3);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, new RegExp(`port ${port}.*in use`));
    } finally {
      blocker.close();
    }
  });

  test('recovers 100k messages quickly, and compacts a log that is mostly trimmed history', () => {
    const dir = tempDir();
    const lines: string[] = [];
    const at = Date.now();
    const pad = 'x'.repeat(200);
    for (let s = 1; s <= 100_000; s++) {
      const ch = `c${s % 50}`;
      const serial = Math.floor((s - 1) / 50) + 1;
      const id = `pub-${s % 200}:${ch}:${serial}`;
      lines.push(DurableLog.messageLine(at, ch, serial, id, encode({ t: 'msg', ch, s: serial, id, d: { p: 'pub', n: serial, ts: at * 1000, x: pad } })));
    }
    writeFileSync(join(dir, LOG_FILE), lines.join('') + '[1,"c1",99999,"torn');
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    const state = recoverChannels(dir, { count: 10000, maxAgeMs: 3600_000 });
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`recovered ${state.messages} messages in ${ms.toFixed(0)} ms (${cpuMs.toFixed(0)} ms CPU)`);
    assert.equal(state.messages, 100_000);
    assert.equal(state.tornTail, true);
    assert.equal(state.logs.get('c7')!.newest, 2000);
    assert.equal(state.compacted, false);
    // CPU time, not wall time: this machine is shared and wall time says more about neighbours.
    assert.ok(cpuMs < 1000, `recovery took ${cpuMs} ms of CPU`);
    // With a history of 100 most of the file is dead weight: it is rewritten, serials kept.
    const small = recoverChannels(dir, { count: 100, maxAgeMs: 3600_000 });
    assert.equal(small.compacted, true);
    const again = recoverChannels(dir, { count: 100, maxAgeMs: 3600_000 });
    assert.equal(again.messages, 5000);
    assert.equal(again.logs.get('c7')!.newest, 2000);
    assert.equal(again.logs.get('c7')!.oldest, 1901);
    assert.equal(again.logs.get('c7')!.serialOfKey(`pub-${(1999 * 50 + 7) % 200}:c7:2000`), 2000);
  });
});


// Idempotency keys outlive history (finding 8): a retry that arrives after its message was
// trimmed from history, by count or by age, is acked with the original serial and not stored
// again, also after a restart and after the durable log was compacted.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrokerNode } from '../../reference-broker/server';
import type { BrokerNodeOptions } from '../../reference-broker/options';
import { DurableLog, LOG_FILE } from '../../reference-broker/durable-log';
import { KeyWindow } from '../../reference-broker/key-window';
import { recoverChannels } from '../../reference-broker/recovery';
import { encode } from '../../src/protocol';
import { TestClient, sleep, until } from './helpers';
import { exited, spawnBroker } from './process';

const open: Array<{ close(): unknown }> = [];
const dirs: string[] = [];
async function client(url: string): Promise<TestClient> {
  const c = await TestClient.connect(url);
  open.push(c);
  return c;
}
async function nodeUrl(opts: BrokerNodeOptions): Promise<string> {
  const n = await startBrokerNode(opts);
  open.push(n);
  return n.url;
}
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'broker-keys-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const o of open.reverse()) await o.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe('idempotency keys outlive history', () => {
  test('history 1: a retry of A after B trimmed it is acked with A\'s serial, not stored again', async () => {
    const url = await nodeUrl({ history: 1 });
    const live = await client(url);
    await live.sub('k');
    const pub = await client(url);
    assert.deepEqual(await pub.pub('k', 'A'), { t: 'ack', id: 'A', s: 1 });
    assert.deepEqual(await pub.pub('k', 'B'), { t: 'ack', id: 'B', s: 2 });
    assert.deepEqual(await pub.pub('k', 'A'), { t: 'ack', id: 'A', s: 1 });
    assert.deepEqual(await pub.pub('k', 'C'), { t: 'ack', id: 'C', s: 3 }, 'the retry took no serial');
    await until(() => live.msgs('k').length >= 3, 'three deliveries');
    await sleep(50);
    assert.deepEqual(live.msgs('k').map((m) => m.id), ['A', 'B', 'C']);
  });

  test('history age: a retry after the original aged out (a partition longer than historyAge) is still recognised', async () => {
    const url = await nodeUrl({ historySeconds: 0.2 });
    const pub = await client(url);
    assert.deepEqual(await pub.pub('age', 'A'), { t: 'ack', id: 'A', s: 1 });
    await sleep(400);
    const late = await client(url);
    assert.equal((await late.sub('age', 0)).resumed, false, 'A really left history');
    assert.deepEqual(await pub.pub('age', 'A'), { t: 'ack', id: 'A', s: 1 });
    assert.deepEqual(late.msgs('age'), []);
  });

  test('a restarted durable node with history 1 still knows trimmed keys', async () => {
    const dir = tempDir();
    const first = await spawnBroker(['--id', 'node-1', '--port', '0', '--data-dir', dir, '--history', '1']);
    try {
      const c = await client(first.url);
      assert.deepEqual(await c.pub('d', 'A'), { t: 'ack', id: 'A', s: 1 });
      assert.deepEqual(await c.pub('d', 'B'), { t: 'ack', id: 'B', s: 2 });
    } finally {
      first.child.kill('SIGKILL');
      await exited(first.child);
    }
    const second = await spawnBroker(['--id', 'node-1', '--port', '0', '--data-dir', dir, '--history', '1']);
    try {
      const c = await client(second.url);
      assert.deepEqual(await c.pub('d', 'A'), { t: 'ack', id: 'A', s: 1 });
      assert.deepEqual(await c.pub('d', 'C'), { t: 'ack', id: 'C', s: 3 });
    } finally {
      second.child.kill('SIGKILL');
      await exited(second.child);
    }
  });

  test('compaction keeps the keys of messages it drops', () => {
    const dir = tempDir();
    const at = Date.now();
    const lines: string[] = [];
    for (let s = 1; s <= 10_010; s++) lines.push(DurableLog.messageLine(at, 'c', s, `key-${s}`, encode({ t: 'msg', ch: 'c', s, id: `key-${s}`, d: s })));
    writeFileSync(join(dir, LOG_FILE), lines.join(''));
    const first = recoverChannels(dir, { count: 1, maxAgeMs: 3600_000 }, { count: 20_000, maxAgeMs: 60_000 });
    assert.equal(first.compacted, true);
    const again = recoverChannels(dir, { count: 1, maxAgeMs: 3600_000 }, { count: 20_000, maxAgeMs: 60_000 });
    const log = again.logs.get('c')!;
    assert.equal(again.messages, 1, 'only the retained message is a message record');
    assert.equal(log.newest, 10_010);
    assert.equal(log.serialOfKey('key-1'), 1);
    assert.equal(log.serialOfKey('key-5000'), 5000);
  });
});

describe('key window bound', () => {
  test('a key is forgotten only when it is both outside the last K and older than T', () => {
    let now = 0;
    const w = new KeyWindow({ count: 2, maxAgeMs: 1000 }, () => now);
    for (let s = 1; s <= 5; s++) w.remember(`k${s}`, s, now);
    assert.equal(w.size, 5, 'young keys are all kept, beyond K');
    now = 5000;
    w.remember('k6', 6, now);
    assert.deepEqual([...w.entries()].map((e) => e.id), ['k5', 'k6'], 'old keys beyond the last K go');
    now = 10_000;
    w.trim();
    assert.equal(w.serialOf('k5'), 5, 'the last K stay however old');
  });
});

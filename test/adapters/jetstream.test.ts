// JetStream on real nats-servers: durable consumers resume where they were after a subscriber
// entry point was down (0 loss, 0 reorder, PASS at-least-once); in a 3-node cluster a killed and
// restarted node loses no acked message; a partition of one node's routes shows in the timeline
// and leaves the accounting whole. And the adapter's re-sync on a gap in the stream sequence.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect } from 'nats';
import { jetstreamAdapter } from '../../src/adapters/jetstream';
import { encodeKeyed } from '../../src/adapters/keyed-payload';
import { findBinary } from '../../src/runtime/systems/binary';
import { SERVERS } from '../../src/runtime/systems/servers';
import { runScenario } from '../../src/run';
import type { ResultsV1 } from '../../src/contracts/results';
import { tmpOut } from '../integration/support';
import { DOWN, installed, scenario } from './support';

const skip = !installed('nats') && !process.env.CI ? 'nats-server not installed (apt-get install -y nats-server)' : false;
const failing = (r: ResultsV1) => r.thresholds.filter((v) => !v.pass).map((v) => v.message).join('; ');

const jetstream = (patch: Record<string, unknown> = {}, cluster: Record<string, unknown> = {}) =>
  scenario('nats', { ...patch, cluster: { system: 'nats', adapter: 'jetstream', nodes: 2, ...cluster } });

describe('jetstream: real nats-server', { skip }, () => {
  test('a subscriber entry point down 4 s: durable consumers resume, 0 loss, 0 reorder, PASS at-least-once', async () => {
    const s = jetstream(DOWN);
    assert.equal(s.guarantee, 'at-least-once');
    const { results, exitCode } = await runScenario(s, { outDir: tmpOut(), quiet: true });
    const t = results.totals;
    assert.ok(results.clients.reconnects > 0, `the fault must have cut someone: ${JSON.stringify(results.clients)}`);
    assert.ok(t.delivered > 100, JSON.stringify(t));
    assert.equal(t.lost, 0, JSON.stringify(results.examples.slice(0, 3)));
    assert.equal(t.reordered + t.phantom + t.serialConflicts + t.unconfirmedStreams, 0, JSON.stringify(t));
    assert.equal(exitCode, 0, failing(results));
  });

  const CLUSTER = { duration: '10s', drain: '10s' };

  test('3-node cluster, node-3 killed for 3 s and restarted: 0 loss of acked messages, PASS at-least-once', async () => {
    const s = jetstream({ ...CLUSTER, faults: [{ at: '3s', target: 'node:node-3', action: 'kill', restartAfter: '3s' }] }, { nodes: 3 });
    const { results, exitCode } = await runScenario(s, { outDir: tmpOut(), quiet: true });
    const t = results.totals;
    const kill = results.timeline.find((e) => e.kind === 'fault' && e.target === 'node:node-3');
    assert.ok(kill && !kill.error && kill.endMs! > kill.atMs, JSON.stringify(results.timeline));
    assert.ok(results.clients.reconnects > 0, JSON.stringify(results.clients));
    assert.ok(t.acked > 300 && t.delivered > 1000, JSON.stringify(t));
    assert.equal(t.lost, 0, JSON.stringify(results.examples.filter((e) => e.kind === 'lost').slice(0, 3)));
    assert.equal(t.inDoubt + t.unsent, 0, `every publish acked in the end: ${JSON.stringify(t)}`);
    assert.equal(t.reordered + t.phantom + t.serialConflicts, 0, JSON.stringify(t));
    assert.equal(exitCode, 0, failing(results));
  });

  test('3-node cluster, node-3\'s routes partitioned for 3 s: in the timeline, routes really cut, accounting whole', async () => {
    const out = tmpOut();
    const s = jetstream({ ...CLUSTER, faults: [{ at: '3s', for: '3s', action: 'partition', nodes: ['node-3'] }] }, { nodes: 3 });
    const { results } = await runScenario(s, { outDir: out, quiet: true });
    const t = results.totals;
    const cut = results.timeline.find((e) => e.kind === 'fault' && e.target === 'partition:node-3');
    assert.ok(cut && !cut.error && cut.endMs! - cut.atMs >= 2500, JSON.stringify(results.timeline));
    // the cut reached real NATS routes: node-3 logged its route connections closing
    const log = readFileSync(join(out, results.runId, 'logs', 'nats-server-node-3.log'), 'utf8');
    assert.ok((log.match(/Router connection closed: (Client Closed|Read Error|Write Error|Stale Connection)/g) ?? []).length >= 2, 'node-3 lost no route');
    // the books balance: every message is acked, in doubt or unsent; every owed delivery delivered or lost
    assert.equal(t.scheduled, t.published + t.unsent, JSON.stringify(t));
    assert.equal(t.published, t.acked + t.inDoubt, JSON.stringify(t));
    assert.equal(t.expected, t.delivered + t.lost + t.notDelivered, JSON.stringify(t));
    assert.ok(t.delivered > 1000, JSON.stringify(t));
    assert.equal(t.phantom + t.serialConflicts + t.protocolErrors + t.unconfirmedStreams, 0, JSON.stringify(t));
    console.log(`partition: ${JSON.stringify(t)}`);
  });
});

/** A port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** Resolves when `check` is true (polled every 20 ms), rejects after `ms` naming `what`. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  for (const end = Date.now() + ms; !check();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('jetstream adapter: a gap in the stream sequence', { skip }, () => {
  // Sequence 2 is deleted from the stream while the client is away. Back, its durable hands it
  // 1, then 3: above the next expected (2), so the adapter re-syncs, recreating the durable at
  // 2 and taking whatever comes next. A re-sync that never reads, or that re-syncs again on the
  // same gap, leaves 3 undelivered.
  test('the re-sync recreates the durable at the next expected sequence and takes what follows', async () => {
    const port = await freePort();
    const server = spawn(findBinary(SERVERS.nats.binary, SERVERS.nats.debianPackage),
      ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', tmpOut('cb-js-resync-')], { stdio: 'ignore' });
    const url = `nats://127.0.0.1:${port}`;
    const seen = { opened: 0, closed: 0, subscribed: 0, protocolErrors: [] as string[] };
    const delivered: Array<[number, string]> = [];
    const client = jetstreamAdapter.createClient(url, {
      opened: () => { seen.opened++; },
      closed: () => { seen.closed++; },
      subscribed: () => { seen.subscribed++; },
      delivered: (_ch, serial, id) => { delivered.push([serial, id]); },
      acked: () => {}, refused: () => {}, heard: () => {},
      protocolError: (reason) => { seen.protocolErrors.push(reason); },
      rejected: (reason) => { throw new Error(reason); },
    }, { clientId: 'c1', connectTimeoutMs: 2000, resume: 'session', options: {} });
    const other = await (async () => {
      for (let i = 0; ; i++) {
        try {
          return await connect({ servers: url, reconnect: false });
        } catch (e) {
          if (i > 100) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    })();
    try {
      client.connect();
      await until(() => seen.opened === 1, 5000, 'the first connection');
      client.subscribe('room', undefined);
      await until(() => seen.subscribed === 1, 10_000, 'the first subscription');
      client.terminate();
      assert.equal(seen.closed, 1);

      const js = other.jetstream();
      for (const key of ['k1', 'k2', 'k3']) await js.publish('room', new TextEncoder().encode(encodeKeyed(key, '{}')), { msgID: key });
      const jsm = await other.jetstreamManager();
      assert.equal(await jsm.streams.deleteMessage('chatbench_room', 2), true);

      client.connect();
      await until(() => seen.opened === 2, 5000, 'the second connection');
      client.subscribe('room', undefined);
      await until(() => delivered.length >= 2, 10_000, 'two deliveries').catch(() => { /* the assertion shows what came */ });
      await new Promise((r) => setTimeout(r, 300)); // nothing more may come
      assert.deepEqual(delivered, [[1, 'k1'], [3, 'k3']]);
      assert.deepEqual(seen.protocolErrors, []);
      const consumer = await jsm.consumers.info('chatbench_room', 'c1__room');
      assert.equal(consumer.config.opt_start_seq, 2, 'the durable was recreated at the next expected sequence');
    } finally {
      client.stop();
      await other.close();
      server.kill('SIGKILL');
    }
  });
});

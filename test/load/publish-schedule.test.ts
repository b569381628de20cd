// The publish schedule is fixed on the run clock by the plan alone: message k of a publisher is
// scheduled at t0 + join + (phase + k) × interval, whenever the client actually connected, and
// nothing is scheduled from the end of the publishing period on, however late the run loop says
// stop. A publisher's first send waits for its own subscription's confirmation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientPlan } from '../../src/load/assignment';
import { planClients, publishPhase } from '../../src/load/assignment';
import { DEFAULT_RECONNECT } from '../../src/util/backoff';
import { LoadDriver, type DriverOptions } from '../../src/load/driver';
import type { ClientsSpec } from '../../src/contracts/scenario';
import { IntegrityLedger } from '../../src/verify/ledger';
import { LatencyRecorder } from '../../src/verify/latency';
import { splitPlans } from '../../src/load/workers/plan';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SUBD_DELAY_MS = 400;

interface PubFrame { ts: number; n: number }

/**
 * A fake v1 broker for one client: acks every pub (after `onPub` saw it); confirms each sub
 * after `subdDelayMs` (null: never), calling `onSubd` as it does.
 */
async function fakeBroker(opts: { subdDelayMs: number | null; onPub: (d: PubFrame) => void; onConnection?: () => void; onSubd?: () => void }):
  Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  let serial = 0;
  server.on('connection', (ws: WebSocket) => {
    opts.onConnection?.();
    ws.on('message', (raw) => {
      const f = JSON.parse(String(raw)) as { t: string; ch: string; id: string; d: PubFrame };
      if (f.t === 'sub' && opts.subdDelayMs !== null) {
        setTimeout(() => { opts.onSubd?.(); ws.send(JSON.stringify({ t: 'subd', ch: f.ch, at: 0 })); }, opts.subdDelayMs);
      } else if (f.t === 'pub') {
        opts.onPub(f.d);
        ws.send(JSON.stringify({ t: 'ack', id: f.id, s: ++serial }));
      }
    });
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const c of server.clients) c.terminate();
      await new Promise((r) => server.close(r));
    },
  };
}

/** One publisher c0 on channel ch at 10 messages/s (a 100 ms interval), joining at `startOffsetMs` with `publishPhase`. */
function onePublisher(url: string, plan: Pick<ClientPlan, 'startOffsetMs' | 'publishPhase'>, opts: Pick<DriverOptions, 'publishForMs' | 'ackTimeoutMs'>): LoadDriver {
  const spec: ClientsSpec = {
    count: 1, rampUpMs: 0, channels: 1, subscriptionsPerClient: 1, publishers: 1, publishRate: 10, payloadBytes: 64,
    reconnect: DEFAULT_RECONNECT, heartbeat: { intervalMs: 5000, timeoutMs: 10_000 },
  };
  return new LoadDriver({
    spec, plans: [{ id: 'c0', node: 0, channels: ['ch'], publishChannel: 'ch', ...plan }], nodeUrls: [url],
    ledger: new IntegrityLedger({ publishers: ['c0'] }), latency: new LatencyRecorder(performance.now()), seed: 1, ...opts,
  });
}

test('messages are scheduled on the run clock, held until the own subscription is confirmed, and end with the publishing period', async () => {
  // The server confirms subscriptions only SUBD_DELAY_MS after the sub, and acks every pub.
  let subdSentAt = Infinity;
  const pubs: Array<{ at: number; ts: number; n: number }> = [];
  const broker = await fakeBroker({
    subdDelayMs: SUBD_DELAY_MS, onSubd: () => { subdSentAt = performance.now(); },
    onPub: (d) => pubs.push({ at: performance.now(), ts: d.ts, n: d.n }),
  });
  // joins at 200 ms, phase 0.5 of a 100 ms interval: messages at 250, 350, … 750 ms (publishing ends at 800)
  const driver = onePublisher(broker.url, { startOffsetMs: 200, publishPhase: 0.5 }, { publishForMs: 800 });
  const t0 = performance.now();
  try {
    driver.start(t0);
    await sleep(1500);
    driver.stopPublishing(1500); // late: adds nothing after 800 ms
    await sleep(300);
    const expectedTs = [0, 1, 2, 3, 4, 5].map((k) => Math.round((performance.timeOrigin + t0 + 250 + k * 100) * 1000));
    assert.deepEqual(pubs.map((p) => p.ts), expectedTs, 'scheduled times: join + (phase + k) × interval on the run clock');
    assert.deepEqual(pubs.map((p) => p.n), [1, 2, 3, 4, 5, 6]);
    // The first messages fell due before the confirmation (at ≥ 200 + 400 ms): they waited for it.
    assert.ok(pubs[0].at >= subdSentAt, `first pub ${Math.round(pubs[0].at - t0)} ms, subd ${Math.round(subdSentAt - t0)} ms`);
    assert.ok(subdSentAt - t0 >= 200 + SUBD_DELAY_MS - 5);
    assert.equal(driver.stats.published, 6);
    assert.equal(driver.stats.acked, 6);
  } finally {
    driver.stop();
    await broker.close();
  }
});

test('an early stop (interrupt) ends the schedule there', async () => {
  const ts: number[] = [];
  const broker = await fakeBroker({ subdDelayMs: 0, onPub: (d) => ts.push(d.ts) });
  const driver = onePublisher(broker.url, { startOffsetMs: 0, publishPhase: 0 }, { publishForMs: 10_000 });
  try {
    driver.start(performance.now());
    await sleep(50);
    driver.stopPublishing(450); // messages at 0, 100, 200, 300, 400
    await sleep(900);
    assert.equal(ts.length, 5, `${ts.length} messages`);
  } finally {
    driver.stop();
    await broker.close();
  }
});

test('a target that never confirms the own subscription does not stop the publisher: it sends after an ack timeout', async () => {
  let openedAt = Infinity;
  const pubAt: number[] = [];
  const broker = await fakeBroker({
    subdDelayMs: null, onConnection: () => { openedAt = Math.min(openedAt, performance.now()); },
    onPub: () => pubAt.push(performance.now()),
  });
  const driver = onePublisher(broker.url, { startOffsetMs: 0, publishPhase: 0 }, { publishForMs: 300, ackTimeoutMs: 600 });
  try {
    driver.start(performance.now());
    await sleep(1500);
    assert.equal(pubAt.length, 3, 'messages at 0, 100 and 200 ms all went out');
    assert.ok(pubAt[0] - openedAt >= 550, `first pub ${Math.round(pubAt[0] - openedAt)} ms after the connection: held for the ack timeout`);
  } finally {
    driver.stop();
    await broker.close();
  }
});

test('a publisher\'s phase is a pure function of (seed, client index): the same in every split of the plan', () => {
  const spec: ClientsSpec = {
    count: 40, rampUpMs: 1000, channels: 8, subscriptionsPerClient: 2, publishers: 12, publishRate: 2, payloadBytes: 64,
    reconnect: DEFAULT_RECONNECT, heartbeat: { intervalMs: 5000, timeoutMs: 10_000 },
  };
  const plans = planClients(spec, 3, 42, 't');
  const publishers = plans.filter((p) => p.publishChannel !== null);
  assert.equal(publishers.length, 12);
  for (const p of publishers) {
    const i = Number(p.id.slice(1));
    assert.equal(p.publishPhase, publishPhase(42, i));
    assert.ok(p.publishPhase! >= 0 && p.publishPhase! < 1);
  }
  assert.ok(new Set(publishers.map((p) => p.publishPhase)).size === 12, 'phases spread publishers');
  assert.notEqual(publishPhase(43, 0), publishPhase(42, 0));
  // Every split carries the very same plan objects (phase included): shards and workers agree.
  for (const n of [1, 2, 3, 5]) {
    const parts = splitPlans(plans, n).flat().sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
    assert.deepEqual(parts, plans);
  }
  assert.equal(plans.filter((p) => p.publishChannel === null).every((p) => p.publishPhase === undefined), true);
});

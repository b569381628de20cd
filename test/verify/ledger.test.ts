// Hand-made delivery sequences through the ledger and account(): one per guarantee, each
// built so that a checker that ignored the fault would fail the assertion.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { idMatches, IntegrityLedger, NOT_RECORDED } from '../../src/verify/ledger';
import { check, deliver, LATENCY_US, publish, publishMany, scheduledUs, T0 } from './support';

const CH = 'room-1';

/** A ledger with alice publishing `count` messages on CH (serials 1…count) and one subscriber from serial 0. */
function setup(count: number, client = 'c1') {
  const ledger = new IntegrityLedger();
  publishMany(ledger, CH, 'alice', count);
  const stream = ledger.openStream(client, CH);
  ledger.subscribed(stream, 0, undefined);
  return { ledger, stream };
}

describe('integrity ledger + accounting', () => {
  test('clean stream: everything expected is delivered, latency = receive − scheduled', () => {
    const { ledger, stream } = setup(5);
    for (let s = 1; s <= 5; s++) assert.equal(deliver(ledger, stream, s, 'alice', s), LATENCY_US);
    const { totals, channels, examples } = check(ledger);
    assert.deepEqual(totals, {
      published: 5, acked: 5, expected: 5, delivered: 5, deliveriesTotal: 5, lost: 0, lostSilent: 0, lostAnnounced: 0,
      duplicated: 0, reordered: 0, phantom: 0, unackedDelivered: 0, serialConflicts: 0, protocolErrors: 0,
    });
    assert.equal(channels.length, 1);
    assert.equal(channels[0].channel, CH);
    assert.equal(channels[0].lastSerial, 5);
    assert.equal(channels[0].streams, 1);
    assert.deepEqual(examples, []);
  });

  test('healthy stream state stays O(1): one range of serials, one of n', () => {
    const { ledger, stream } = setup(10_000);
    for (let s = 1; s <= 10_000; s++) deliver(ledger, stream, s, 'alice', s);
    const snap = ledger.snapshot();
    assert.deepEqual(snap.streams[0].received, [1, 10_000]);
    assert.deepEqual(snap.streams[0].publishers, [{ p: 'alice', n: [1, 10_000] }]);
    assert.equal(check(ledger).totals.delivered, 10_000);
  });

  test('a gap is a silent loss, with the right serial, publisher, time and fault in the example', () => {
    const { ledger, stream } = setup(5);
    for (const s of [1, 2, 4, 5]) deliver(ledger, stream, s, 'alice', s);
    const { totals, examples } = check(ledger, [{ startMs: 2_500, endMs: 3_500, label: 'latency 300ms on clients:node-2' }]);
    assert.equal(totals.expected, 5);
    assert.equal(totals.delivered, 4);
    assert.equal(totals.lost, 1);
    assert.equal(totals.lostSilent, 1);
    assert.equal(totals.lostAnnounced, 0);
    assert.deepEqual(examples, [{
      kind: 'lost', channel: CH, serial: 3, publisher: 'alice', n: 3, clients: ['c1'],
      atMs: 3_000, fault: 'latency 300ms on clients:node-2', announced: false,
    }]);
  });

  test('messages acked at the end but never delivered are lost (the run end counts)', () => {
    const { ledger, stream } = setup(3);
    deliver(ledger, stream, 1, 'alice', 1);
    const { totals } = check(ledger);
    assert.equal(totals.lostSilent, 2);
    assert.equal(totals.expected, 3);
  });

  test('duplicate by serial: counted once, not recorded as latency, not a loss', () => {
    const { ledger, stream } = setup(3);
    deliver(ledger, stream, 1, 'alice', 1);
    deliver(ledger, stream, 2, 'alice', 2);
    assert.equal(deliver(ledger, stream, 2, 'alice', 2), NOT_RECORDED);
    deliver(ledger, stream, 3, 'alice', 3);
    const { totals, examples } = check(ledger);
    assert.equal(totals.duplicated, 1);
    assert.equal(totals.deliveriesTotal, 4);
    assert.equal(totals.delivered, 3);
    assert.equal(totals.lost, 0);
    assert.equal(totals.reordered, 0);
    assert.deepEqual(examples.map((e) => [e.kind, e.serial, e.n, e.clients]), [['duplicated', 2, 2, ['c1']]]);
  });

  test('duplicate by serial: a serial seen again carrying another message (history rewritten)', () => {
    const { ledger, stream } = setup(3);
    publish(ledger, CH, 'bob', 1);
    for (let s = 1; s <= 3; s++) deliver(ledger, stream, s, 'alice', s);
    assert.equal(deliver(ledger, stream, 2, 'bob', 1), NOT_RECORDED);
    const { totals } = check(ledger);
    assert.equal(totals.duplicated, 1);
    assert.equal(totals.delivered, 3);
  });

  test('duplicate by (publisher, n) under a new serial: a broker that stored a retry twice', () => {
    const ledger = new IntegrityLedger();
    publish(ledger, CH, 'alice', 1, 1);
    publish(ledger, CH, 'alice', 2, 2);
    publish(ledger, CH, 'alice', 3, 4); // first ack lost; the retry was stored again as serial 4 and acked
    publish(ledger, CH, 'alice', 4, 5);
    const stream = ledger.openStream('c1', CH);
    ledger.subscribed(stream, 0, undefined);
    deliver(ledger, stream, 1, 'alice', 1);
    deliver(ledger, stream, 2, 'alice', 2);
    assert.equal(deliver(ledger, stream, 3, 'alice', 3), LATENCY_US);
    assert.equal(deliver(ledger, stream, 4, 'alice', 3), NOT_RECORDED);
    deliver(ledger, stream, 5, 'alice', 4);
    const { totals, examples } = check(ledger);
    assert.equal(totals.duplicated, 1);
    assert.equal(totals.reordered, 0, 'the repeated n is a duplicate, not also a reorder');
    assert.equal(totals.lost, 0, 'serial 3 and 4 were both received');
    assert.equal(ledger.lastSerial(stream), 5);
    assert.deepEqual(examples.map((e) => [e.kind, e.serial, e.publisher, e.n]), [['duplicated', 4, 'alice', 3]]);
  });

  test('reorder: a serial going back is counted once and still delivered', () => {
    const { ledger, stream } = setup(4);
    deliver(ledger, stream, 1, 'alice', 1);
    deliver(ledger, stream, 3, 'alice', 3);
    assert.equal(deliver(ledger, stream, 2, 'alice', 2), LATENCY_US, 'a late message still has a latency');
    deliver(ledger, stream, 4, 'alice', 4);
    const { totals, examples } = check(ledger);
    assert.equal(totals.reordered, 1);
    assert.equal(totals.lost, 0);
    assert.equal(totals.duplicated, 0);
    assert.deepEqual(examples.map((e) => [e.kind, e.serial, e.n]), [['reordered', 2, 2]]);
  });

  test('reorder: a serial going back between two publishers (each n still increasing)', () => {
    const ledger = new IntegrityLedger();
    publish(ledger, CH, 'alice', 1, 1);
    publish(ledger, CH, 'bob', 1, 2);
    publish(ledger, CH, 'alice', 2, 3);
    const stream = ledger.openStream('c1', CH);
    ledger.subscribed(stream, 0, undefined);
    deliver(ledger, stream, 1, 'alice', 1);
    deliver(ledger, stream, 3, 'alice', 2);
    deliver(ledger, stream, 2, 'bob', 1);
    const { totals } = check(ledger);
    assert.equal(totals.reordered, 1);
    assert.equal(totals.lost, 0);
  });

  test('reorder: a publisher n going backwards while serials increase', () => {
    const ledger = new IntegrityLedger();
    publish(ledger, CH, 'alice', 1, 2); // the broker stored n=2 before n=1
    publish(ledger, CH, 'alice', 2, 1);
    const stream = ledger.openStream('c1', CH);
    ledger.subscribed(stream, 0, undefined);
    deliver(ledger, stream, 1, 'alice', 2);
    deliver(ledger, stream, 2, 'alice', 1);
    const { totals } = check(ledger);
    assert.equal(totals.reordered, 1);
    assert.equal(totals.lost, 0);
  });

  test('reorder: a serial at or before the subscription start', () => {
    const { ledger, stream } = setup(5);
    const late = ledger.openStream('c2', CH);
    ledger.subscribed(late, 3, undefined);
    deliver(ledger, late, 3, 'alice', 3); // not after the start
    deliver(ledger, late, 4, 'alice', 4);
    deliver(ledger, late, 5, 'alice', 5);
    for (let s = 1; s <= 5; s++) deliver(ledger, stream, s, 'alice', s);
    const { totals } = check(ledger);
    assert.equal(totals.reordered, 1);
    assert.equal(totals.expected, 5 + 2, 'c2 expects only serials after its start');
    assert.equal(totals.lost, 0);
  });

  test('phantoms: bad envelope, unknown publisher, id mismatch; a corrupted serial is also lost', () => {
    const { ledger, stream } = setup(6);
    deliver(ledger, stream, 1, 'alice', 1);
    assert.equal(ledger.deliver(stream, 2, `alice:${CH}:2`, { hello: 'world' }, T0), NOT_RECORDED);
    assert.equal(ledger.deliver(stream, 3, `alice:${CH}:3`, 'not an object', T0), NOT_RECORDED);
    assert.equal(deliver(ledger, stream, 7, 'mallory', 1), NOT_RECORDED);
    assert.equal(ledger.deliver(stream, 4, `alice:other-room:4`, { p: 'alice', n: 4, ts: scheduledUs(4), x: '' }, T0), NOT_RECORDED);
    assert.equal(ledger.deliver(stream, 5, `alice:${CH}:4`, { p: 'alice', n: 5, ts: scheduledUs(5), x: '' }, T0), NOT_RECORDED);
    deliver(ledger, stream, 6, 'alice', 6);
    const { totals, examples } = check(ledger);
    assert.equal(totals.phantom, 5);
    assert.equal(totals.deliveriesTotal, 7);
    assert.equal(totals.delivered, 2);
    assert.equal(totals.lostSilent, 4, 'serials 2–5 carried garbage instead of the acked message');
    assert.equal(totals.expected, 6, 'serial 7 (mallory) is not a known message');
    const phantoms = examples.filter((e) => e.kind === 'phantom');
    assert.deepEqual(phantoms.map((e) => e.serial).sort(), [2, 3, 4, 5, 7]);
    const fromAcks = phantoms.find((e) => e.serial === 2)!;
    assert.equal(fromAcks.atMs, 2_000, 'a phantom is placed in time by the message acked at its serial');
  });

  test('phantom: a known publisher delivering an n it never sent (found when accounting)', () => {
    const ledger = new IntegrityLedger({ publishers: ['alice', 'bob'] });
    publishMany(ledger, CH, 'alice', 2);
    const stream = ledger.openStream('c1', CH);
    ledger.subscribed(stream, 0, undefined);
    deliver(ledger, stream, 1, 'alice', 1);
    deliver(ledger, stream, 2, 'alice', 2);
    deliver(ledger, stream, 3, 'alice', 9); // alice never sent n=9
    deliver(ledger, stream, 4, 'bob', 1);   // bob never sent anything on CH
    const { totals, examples } = check(ledger);
    assert.equal(totals.phantom, 2);
    assert.deepEqual(
      examples.filter((e) => e.kind === 'phantom').map((e) => [e.publisher, e.n, e.clients]),
      [['alice', 9, ['c1']], ['bob', 1, ['c1']]],
    );
  });

  test('announced loss (resumed:false) closed by the next delivered serial', () => {
    const { ledger, stream } = setup(6);
    deliver(ledger, stream, 1, 'alice', 1);
    deliver(ledger, stream, 2, 'alice', 2);
    ledger.subscribed(stream, 6, false); // history no longer reaches serial 3
    deliver(ledger, stream, 5, 'alice', 5);
    deliver(ledger, stream, 6, 'alice', 6);
    const { totals, examples } = check(ledger);
    assert.equal(totals.lostAnnounced, 2);
    assert.equal(totals.lostSilent, 0);
    assert.equal(totals.lost, 2);
    assert.equal(totals.expected, 4);
    assert.equal(totals.delivered, 4);
    assert.deepEqual(examples.map((e) => [e.kind, e.serial, e.announced]), [['lost', 3, true], ['lost', 4, true]]);
  });

  test('announced loss (resumed:false) still open at the end of the run', () => {
    const { ledger, stream } = setup(6);
    deliver(ledger, stream, 1, 'alice', 1);
    deliver(ledger, stream, 2, 'alice', 2);
    ledger.subscribed(stream, 2, false);
    const { totals } = check(ledger);
    assert.equal(totals.lostAnnounced, 4);
    assert.equal(totals.lostSilent, 0);
    assert.equal(totals.expected, 2);
  });

  test('resume across a reconnect: no loss when the broker replays from lastSerial', () => {
    const { ledger, stream } = setup(5);
    assert.equal(ledger.lastSerial(stream), 0);
    deliver(ledger, stream, 1, 'alice', 1);
    deliver(ledger, stream, 2, 'alice', 2);
    assert.equal(ledger.lastSerial(stream), 2);
    ledger.subscribed(stream, 5, true); // sub from 2 → replay 3…5
    for (let s = 3; s <= 5; s++) deliver(ledger, stream, s, 'alice', s);
    const { totals } = check(ledger);
    assert.equal(totals.lost, 0);
    assert.equal(totals.delivered, 5);
  });

  test('resume ignored by the broker (no replay, no announcement) is a silent loss', () => {
    const { ledger, stream } = setup(6);
    deliver(ledger, stream, 1, 'alice', 1);
    ledger.subscribed(stream, 4, true);
    deliver(ledger, stream, 5, 'alice', 5);
    deliver(ledger, stream, 6, 'alice', 6);
    const { totals } = check(ledger);
    assert.equal(totals.lostSilent, 3);
    assert.equal(totals.lostAnnounced, 0);
  });

  test('lastSerial is undefined before the first subd', () => {
    const ledger = new IntegrityLedger();
    const stream = ledger.openStream('c1', CH);
    assert.equal(ledger.lastSerial(stream), undefined);
    ledger.subscribed(stream, 7, undefined);
    assert.equal(ledger.lastSerial(stream), 7);
  });

  test('delivered but never acked: counted, and still expected by every other stream', () => {
    const ledger = new IntegrityLedger();
    publish(ledger, CH, 'alice', 1, 1);
    publish(ledger, CH, 'alice', 2, 2);
    publish(ledger, CH, 'alice', 3); // ack never reached the publisher
    const c1 = ledger.openStream('c1', CH);
    const c2 = ledger.openStream('c2', CH);
    ledger.subscribed(c1, 0, undefined);
    ledger.subscribed(c2, 0, undefined);
    for (let s = 1; s <= 3; s++) deliver(ledger, c1, s, 'alice', s);
    for (let s = 1; s <= 2; s++) deliver(ledger, c2, s, 'alice', s);
    const { totals, examples } = check(ledger);
    assert.equal(totals.unackedDelivered, 1);
    assert.equal(totals.acked, 2);
    assert.equal(totals.published, 3);
    assert.equal(totals.lostSilent, 1);
    assert.deepEqual(examples.map((e) => [e.kind, e.serial, e.clients, e.publisher]), [['lost', 3, ['c2'], undefined]]);
  });

  test('serial conflict: an amnesiac broker acks the same serial for two messages', () => {
    const ledger = new IntegrityLedger();
    publish(ledger, CH, 'alice', 1, 1);
    publish(ledger, CH, 'alice', 2, 2);
    publish(ledger, CH, 'bob', 1, 1); // after a restart without its log
    publish(ledger, CH, 'bob', 2, 3);
    const { totals } = check(ledger);
    assert.equal(totals.serialConflicts, 1);
    assert.equal(check(setup(3).ledger).totals.serialConflicts, 0);
  });

  test('protocol errors are counted and their first reasons kept', () => {
    const ledger = new IntegrityLedger({ protocolReasonsKept: 2 });
    ledger.protocolError('not JSON');
    ledger.protocolError('not JSON');
    ledger.protocolError('msg: needs ch, s >= 1, id');
    ledger.protocolError('unknown frame type "x"');
    const result = check(ledger);
    assert.equal(result.totals.protocolErrors, 4);
    assert.deepEqual(result.protocolErrorReasons, ['msg: needs ch, s >= 1, id', 'not JSON']);
  });

  test('lost messages are attributed to the second they were scheduled in', () => {
    const { ledger, stream } = setup(4);
    deliver(ledger, stream, 1, 'alice', 1);
    deliver(ledger, stream, 4, 'alice', 4);
    assert.deepEqual(check(ledger).lostBySecond, [0, 0, 1, 1]);
  });

  test('channels are listed worst first', () => {
    const ledger = new IntegrityLedger();
    for (const ch of ['a', 'b', 'c']) publishMany(ledger, ch, 'alice', 3);
    for (const [ch, serials] of [['a', [1, 2, 3]], ['b', [1]], ['c', [1, 3]]] as const) {
      const st = ledger.openStream('c1', ch);
      ledger.subscribed(st, 0, undefined);
      for (const s of serials) deliver(ledger, st, s, 'alice', s);
    }
    assert.deepEqual(check(ledger).channels.map((c) => [c.channel, c.lostSilent]), [['b', 2], ['c', 1], ['a', 0]]);
  });

  test('idMatches compares publisher:channel:n exactly', () => {
    assert.equal(idMatches('alice:room-1:12', 'alice', 'room-1', 12), true);
    assert.equal(idMatches('alice:room-1:12', 'alice', 'room-1', 1), false);
    assert.equal(idMatches('alice:room-1:012', 'alice', 'room-1', 12), false);
    assert.equal(idMatches('alice:room-1:12x', 'alice', 'room-1', 12), false);
    assert.equal(idMatches('alice:room-2:12', 'alice', 'room-1', 12), false);
    assert.equal(idMatches('alicf:room-1:12', 'alice', 'room-1', 12), false);
    assert.equal(idMatches('alice;room-1:12', 'alice', 'room-1', 12), false);
    assert.equal(idMatches('alice:room-1:', 'alice', 'room-1', 12), false);
    assert.equal(idMatches('a:b:c:1', 'a:b', 'c', 1), true);
    assert.equal(idMatches(`p:c:${Number.MAX_SAFE_INTEGER}`, 'p', 'c', Number.MAX_SAFE_INTEGER), true);
  });
});

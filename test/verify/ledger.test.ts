// Hand-made delivery sequences through the ledger and account(): one per guarantee, each
// built so that a checker that ignored the fault would fail the assertion.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { idMatches, IntegrityLedger, NOT_RECORDED } from '../../src/verify/ledger';
import { ackedUs, check, deliver, envelope, LATENCY_US, newLedger, publish, publishMany, scheduledUs, T0 } from './support';

const CH = 'room-1';

/** A ledger with alice publishing `count` messages on CH (serials 1…count) and one subscriber from serial 0. */
function setup(count: number, client = 'c1') {
  const ledger = newLedger();
  const stream = ledger.openStream(client, CH);
  ledger.subscribed(stream, 0, undefined, T0);
  publishMany(ledger, CH, 'alice', count);
  return { ledger, stream };
}

describe('integrity ledger + accounting', () => {
  test('clean stream: everything expected is delivered, latency = receive − scheduled', () => {
    const { ledger, stream } = setup(5);
    for (let s = 1; s <= 5; s++) assert.equal(deliver(ledger, stream, s, 'alice', s), LATENCY_US);
    const { totals, channels, examples } = check(ledger);
    assert.deepEqual(totals, {
      scheduled: 5, published: 5, acked: 5, inDoubt: 0, unsent: 0, expected: 5, delivered: 5, deliveriesTotal: 5,
      lost: 0, lostSilent: 0, lostAnnounced: 0, lostInSession: 0, notDelivered: 0, duplicated: 0, reordered: 0,
      reorderedN: 0, phantom: 0, unackedDelivered: 0, serialConflicts: 0, unconfirmedStreams: 0, protocolErrors: 0,
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
    assert.equal(snap.streams[0].intervals.length, 4, 'one covered interval');
    assert.equal(snap.streams[0].sessions.length, 2, 'one session');
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
      atMs: 3_000, fault: 'latency 300ms on clients:node-2', sentAtMs: 3_000, ackedAtMs: 3_001, announced: false,
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
    const ledger = newLedger();
    publish(ledger, CH, 'alice', 1, 1);
    publish(ledger, CH, 'alice', 2, 2);
    publish(ledger, CH, 'alice', 3, 4); // first ack lost; the retry was stored again as serial 4 and acked
    publish(ledger, CH, 'alice', 4, 5);
    const stream = ledger.openStream('c1', CH);
    ledger.subscribed(stream, 0, undefined, T0);
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
    const ledger = newLedger();
    publish(ledger, CH, 'alice', 1, 1);
    publish(ledger, CH, 'bob', 1, 2);
    publish(ledger, CH, 'alice', 2, 3);
    const stream = ledger.openStream('c1', CH);
    ledger.subscribed(stream, 0, undefined, T0);
    deliver(ledger, stream, 1, 'alice', 1);
    deliver(ledger, stream, 3, 'alice', 2);
    deliver(ledger, stream, 2, 'bob', 1);
    const { totals } = check(ledger);
    assert.equal(totals.reordered, 1);
    assert.equal(totals.lost, 0);
  });

  test('reorder: a publisher n going backwards while serials increase', () => {
    const ledger = newLedger();
    publish(ledger, CH, 'alice', 1, 2); // the broker stored n=2 before n=1
    publish(ledger, CH, 'alice', 2, 1);
    const stream = ledger.openStream('c1', CH);
    ledger.subscribed(stream, 0, undefined, T0);
    deliver(ledger, stream, 1, 'alice', 2);
    deliver(ledger, stream, 2, 'alice', 1);
    const { totals } = check(ledger);
    assert.equal(totals.reordered, 1);
    assert.equal(totals.lost, 0);
  });

  test('a late subscriber owes what was sent after its confirmation; earlier messages are may-receive', () => {
    const { ledger, stream } = setup(5);
    const late = ledger.openStream('c2', CH);
    ledger.subscribed(late, 3, undefined, scheduledUs(3) + 500_000);
    deliver(ledger, late, 3, 'alice', 3); // replayed although sent before the confirmation: fine
    deliver(ledger, late, 4, 'alice', 4);
    deliver(ledger, late, 5, 'alice', 5);
    for (let s = 1; s <= 5; s++) deliver(ledger, stream, s, 'alice', s);
    const { totals } = check(ledger);
    assert.equal(totals.reordered, 0);
    assert.equal(totals.expected, 5 + 2, 'c2 owes only alice 4 and 5');
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
    const ledger = newLedger({ publishers: ['alice', 'bob'] });
    publishMany(ledger, CH, 'alice', 2);
    const stream = ledger.openStream('c1', CH);
    ledger.subscribed(stream, 0, undefined, T0);
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

  test('announced loss (resumed:false) covers (last, at] only: a live message dropped after it is silent (finding 4)', () => {
    const { ledger, stream } = setup(6);
    deliver(ledger, stream, 1, 'alice', 1);
    ledger.dropped(stream, scheduledUs(2) + 500_000); // alice 2 was acked while connected, never arrived
    ledger.subscribed(stream, 4, false, scheduledUs(4) + 500_000); // history no longer reaches serial 2
    deliver(ledger, stream, 6, 'alice', 6); // 5 is sent after the new confirmation and never arrives
    const { totals, examples } = check(ledger);
    assert.equal(totals.lostAnnounced, 1, 'alice 2 (serial 2) lies in the announced break (1, 4]');
    assert.equal(totals.lostSilent, 1, 'alice 5 (serial 5) is after the announced break: silent');
    assert.equal(totals.expected, 4, 'alice 1, 2 (first interval) and 5, 6 (second); 3 and 4 were sent while disconnected');
    assert.equal(totals.delivered, 2);
    assert.deepEqual(examples.map((e) => [e.kind, e.serial, e.announced]), [['lost', 5, false], ['lost', 2, true]]);
  });

  test('an announced break does not excuse what is sent after the new subscription (finding 4, to the end)', () => {
    const { ledger, stream } = setup(6);
    deliver(ledger, stream, 1, 'alice', 1);
    deliver(ledger, stream, 2, 'alice', 2);
    ledger.dropped(stream, scheduledUs(2) + 500_000);
    ledger.subscribed(stream, 2, false, scheduledUs(2) + 600_000);
    const { totals } = check(ledger);
    assert.equal(totals.lostAnnounced, 0);
    assert.equal(totals.lostSilent, 4, 'alice 3–6 were sent after the confirmation and never arrived');
    assert.equal(totals.expected, 6);
  });

  test('resume across a reconnect: no loss when the broker replays from lastSerial', () => {
    const { ledger, stream } = setup(5);
    assert.equal(ledger.lastSerial(stream), 0);
    deliver(ledger, stream, 1, 'alice', 1);
    deliver(ledger, stream, 2, 'alice', 2);
    assert.equal(ledger.lastSerial(stream), 2);
    ledger.dropped(stream, scheduledUs(2) + 500_000);
    ledger.subscribed(stream, 5, true, scheduledUs(5) + 500_000); // sub from 2 → replay 3…5
    for (let s = 3; s <= 5; s++) deliver(ledger, stream, s, 'alice', s);
    const { totals } = check(ledger);
    assert.equal(totals.lost, 0);
    assert.equal(totals.expected, 5, 'a claimed resume owes what was sent during the outage');
    assert.equal(totals.delivered, 5);
  });

  test('replay before the subd is received, not a protocol error or a loss (finding 7)', () => {
    const { ledger, stream } = setup(5);
    deliver(ledger, stream, 1, 'alice', 1);
    ledger.dropped(stream, scheduledUs(1) + 500_000);
    for (let s = 2; s <= 5; s++) deliver(ledger, stream, s, 'alice', s); // replayed first …
    ledger.subscribed(stream, 5, true, scheduledUs(5) + 500_000);       // … confirmed afterwards
    const { totals } = check(ledger);
    assert.equal(totals.lost, 0);
    assert.equal(totals.delivered, 5);
    assert.equal(totals.protocolErrors, 0);
  });

  test('resume ignored by the broker (no replay, no announcement) is a silent loss', () => {
    const { ledger, stream } = setup(6);
    deliver(ledger, stream, 1, 'alice', 1);
    ledger.dropped(stream, scheduledUs(1) + 500_000);
    ledger.subscribed(stream, 4, true, scheduledUs(4) + 500_000);
    deliver(ledger, stream, 5, 'alice', 5);
    deliver(ledger, stream, 6, 'alice', 6);
    const { totals } = check(ledger);
    assert.equal(totals.lostSilent, 3);
    assert.equal(totals.lostAnnounced, 0);
  });

  test('a client that never comes back owes nothing after its drop (finding 6)', () => {
    const { ledger, stream } = setup(6);
    const gone = ledger.openStream('c2', CH);
    ledger.subscribed(gone, 0, undefined, T0);
    for (let s = 1; s <= 6; s++) deliver(ledger, stream, s, 'alice', s);
    deliver(ledger, gone, 2, 'alice', 2);
    ledger.dropped(gone, scheduledUs(5) + 500_000); // alice 3, 4 and 5 were acked while it was connected
    const { totals, examples } = check(ledger);
    assert.equal(totals.lostSilent, 2, 'c2 lost alice 1 (skipped) and 3 (acked 2.5 s before it left); alice 6 was sent after');
    assert.deepEqual(examples.filter((e) => e.kind === 'lost').map((e) => [e.n, e.clients]), [[1, ['c2']], [3, ['c2']]]);
    // alice 4 and 5 were acked less than 2 s before c2 left for good: maybe in flight (edge allowance)
    assert.equal(check(ledger, [], { edgeAllowanceUs: 0 }).totals.lostSilent, 4, 'without the allowance alice 4 and 5 count too');
  });

  test('a message acked just before the drain ended had no time to arrive: not yet delivered, not lost', () => {
    const { ledger, stream } = setup(5);
    for (let s = 1; s <= 3; s++) deliver(ledger, stream, s, 'alice', s);
    const endUs = ackedUs(5) + 500_000; // alice 5 acked 0.5 s before the end, alice 4 1.5 s
    const { totals } = check(ledger, [], { endUs, edgeAllowanceUs: 1_000_000 });
    assert.equal(totals.lostSilent, 1, 'alice 4 had a second to arrive');
    assert.equal(totals.notDelivered, 1, 'alice 5');
  });

  test('an interrupted run reports what is still owed as not delivered, not lost (finding 13)', () => {
    const { ledger, stream } = setup(4);
    deliver(ledger, stream, 1, 'alice', 1);
    const { totals } = check(ledger, [], { interrupted: true });
    assert.equal(totals.lost, 0);
    assert.equal(totals.notDelivered, 3);
    assert.equal(check(ledger).totals.lost, 3, 'the same facts, not interrupted: lost');
  });

  test('lastSerial is undefined before the first subd', () => {
    const ledger = newLedger();
    const stream = ledger.openStream('c1', CH);
    assert.equal(ledger.lastSerial(stream), undefined);
    ledger.subscribed(stream, 7, undefined, T0);
    assert.equal(ledger.lastSerial(stream), 7);
  });

  test('delivered but never acked: counted as in doubt, owed to nobody', () => {
    const ledger = newLedger();
    const c1 = ledger.openStream('c1', CH);
    const c2 = ledger.openStream('c2', CH);
    ledger.subscribed(c1, 0, undefined, T0);
    ledger.subscribed(c2, 0, undefined, T0);
    publish(ledger, CH, 'alice', 1, 1);
    publish(ledger, CH, 'alice', 2, 2);
    publish(ledger, CH, 'alice', 3); // ack never reached the publisher
    for (let s = 1; s <= 3; s++) deliver(ledger, c1, s, 'alice', s);
    for (let s = 1; s <= 2; s++) deliver(ledger, c2, s, 'alice', s);
    const { totals, examples } = check(ledger);
    assert.equal(totals.unackedDelivered, 1);
    assert.equal(totals.acked, 2);
    assert.equal(totals.published, 3);
    assert.equal(totals.inDoubt, 1);
    assert.equal(totals.lost, 0, 'only acked messages are owed');
    assert.deepEqual(examples, []);
  });

  test('two sequencers: each stream gap-free in its own serial space still misses half (finding 1)', () => {
    // node A numbers alice's messages 1..3, node B numbers bob's 1..3; c1 (on A) never sees bob's
    const ledger = newLedger();
    const c1 = ledger.openStream('c1', CH);
    ledger.subscribed(c1, 0, undefined, T0);
    publishMany(ledger, CH, 'alice', 3);
    publishMany(ledger, CH, 'bob', 3);
    for (let s = 1; s <= 3; s++) deliver(ledger, c1, s, 'alice', s);
    const { totals } = check(ledger);
    assert.equal(totals.lostSilent, 3, "bob's messages were acked while c1 was subscribed");
    assert.equal(totals.serialConflicts, 3, 'serials 1–3 were each acked for two messages');
    assert.equal(totals.reordered + totals.duplicated, 0);
  });

  test('a black hole: published, never acked, the rest never sent (finding 2)', () => {
    const ledger = newLedger();
    const c1 = ledger.openStream('c1', CH);
    ledger.subscribed(c1, 0, undefined, T0);
    publish(ledger, CH, 'alice', 1);
    for (let n = 2; n <= 30; n++) ledger.publishScheduled(CH, 'alice', n, scheduledUs(n)); // stuck behind n=1
    const { totals } = check(ledger);
    assert.deepEqual([totals.scheduled, totals.published, totals.acked, totals.inDoubt, totals.unsent, totals.expected],
      [30, 1, 0, 1, 29, 0]);
  });

  test('an inflated first subd.at hides nothing: what was sent after the confirmation is owed (finding 2)', () => {
    const ledger = newLedger();
    const stream = ledger.openStream('c1', CH);
    ledger.subscribed(stream, 1_000, undefined, T0); // claims the channel is at serial 1000
    publishMany(ledger, CH, 'alice', 5);              // acked as serials 1…5
    deliver(ledger, stream, 1_001, 'alice', 5);
    const { totals } = check(ledger);
    assert.equal(totals.expected, 5);
    assert.equal(totals.lostSilent, 4, 'alice 1–4 were sent after the confirmation, whatever serial it claimed');
  });

  test('an unconfirmed stream is counted (finding 2)', () => {
    const { ledger } = setup(3);
    ledger.openStream('c9', CH); // sub sent, never confirmed
    assert.equal(check(ledger).totals.unconfirmedStreams, 1);
  });

  test('a corrupted payload is a phantom and the message it stood for is still owed (finding 3)', () => {
    const { ledger, stream } = setup(4);
    deliver(ledger, stream, 1, 'alice', 1);
    const shiftedTs = { ...envelope('alice', 2), ts: scheduledUs(2) + 7 };
    assert.equal(ledger.deliver(stream, 2, `alice:${CH}:2`, shiftedTs, scheduledUs(2)), NOT_RECORDED);
    const e3 = envelope('alice', 3);
    const flipped = { ...e3, x: `${e3.x.slice(0, -1)}q` };
    assert.equal(ledger.deliver(stream, 3, `alice:${CH}:3`, flipped, scheduledUs(3)), NOT_RECORDED);
    deliver(ledger, stream, 4, 'alice', 4);
    const { totals, examples } = check(ledger);
    assert.equal(totals.phantom, 2);
    assert.equal(totals.lostSilent, 2);
    assert.deepEqual(examples.filter((e) => e.kind === 'phantom').map((e) => e.serial), [2, 3]);
  });

  test('at-most-once accounting: loss inside a live session vs loss across the subscriber\'s own disconnect', () => {
    const { ledger, stream } = setup(6);
    deliver(ledger, stream, 1, 'alice', 1);                       // alice 2 lost inside the session
    deliver(ledger, stream, 3, 'alice', 3);
    ledger.dropped(stream, scheduledUs(4) + 500_000);             // alice 4 in flight when the link dropped
    ledger.subscribed(stream, 4, true, scheduledUs(5) + 500_000); // a resume is claimed, then 5 is lost too
    deliver(ledger, stream, 6, 'alice', 6);
    const { totals } = check(ledger);
    assert.equal(totals.lostSilent, 3, 'alice 2, 4, 5');
    assert.equal(totals.lostInSession, 1, 'only alice 2 had its whole delivery window inside one session');
  });

  test('serial conflict: an amnesiac broker acks the same serial for two messages', () => {
    const ledger = newLedger();
    publish(ledger, CH, 'alice', 1, 1);
    publish(ledger, CH, 'alice', 2, 2);
    publish(ledger, CH, 'bob', 1, 1); // after a restart without its log
    publish(ledger, CH, 'bob', 2, 3);
    const { totals } = check(ledger);
    assert.equal(totals.serialConflicts, 1);
    assert.equal(check(setup(3).ledger).totals.serialConflicts, 0);
  });

  test('protocol errors are counted and their first reasons kept', () => {
    const ledger = newLedger({ protocolReasonsKept: 2 });
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
    const ledger = newLedger();
    for (const ch of ['a', 'b', 'c']) publishMany(ledger, ch, 'alice', 3);
    for (const [ch, serials] of [['a', [1, 2, 3]], ['b', [1]], ['c', [1, 3]]] as const) {
      const st = ledger.openStream('c1', ch);
      ledger.subscribed(st, 0, undefined, T0);
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

test('the seal check agrees with the seal: every changed character of the padding is caught', async () => {
  const { paddingMatches, sealedPadding } = await import('../../src/protocol/envelope');
  for (const [p, n, ts] of [['c1', 1, 1_700_000_000_000_000], ['publisher-42', 123_456, 0], ['x', 9_007_199_254_740_991, 5]] as const) {
    const x = sealedPadding(p, n, ts, 'fill');
    assert.equal(paddingMatches(x, p, n, ts, 'fill'), true);
    for (let i = 0; i < x.length; i++) {
      const bad = x.slice(0, i) + (x[i] === 'z' ? 'y' : 'z') + x.slice(i + 1);
      assert.equal(paddingMatches(bad, p, n, ts, 'fill'), false, `position ${i}`);
    }
    assert.equal(paddingMatches(x, p, n + 1, ts, 'fill'), false);
    assert.equal(paddingMatches(x, p, n, ts + 1, 'fill'), false);
  }
});

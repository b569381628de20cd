// account() is a pure function of the facts: the same run recorded in one ledger or split
// over several (one per worker process, each with its own publishers and streams) must give
// exactly the same verdict, examples included.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IntegrityLedger } from '../../src/verify/ledger';
import type { Stream } from '../../src/verify/ledger';
import { account } from '../../src/verify/accounting';
import { randomInt, seededRandom } from '../../src/load/random';
import { check, envelope, FILLER, scheduledUs, T0 } from './support';

/** The fake clock of the replayed run: the i-th message of a channel is sent at tOf(i). */
const tOf = (i: number): number => T0 + i * 100_000;

const PUBLISHERS = ['p1', 'p2', 'p3'];
const CLIENTS = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
const CHANNELS = ['alpha', 'beta'];

/**
 * A faulty broker run, replayed into the ledgers `route(actor)` names for each publisher or
 * client. Every random draw is independent of the routing, so each routing sees the same run.
 */
function faultyRun(seed: number, route: (actor: string) => IntegrityLedger[]): void {
  const random = seededRandom(seed);
  const handles = new Map<IntegrityLedger, Map<string, Stream>>();
  const streamsOf = (client: string, ch: string): Array<[IntegrityLedger, Stream]> =>
    route(client).map((l) => {
      const byKey = handles.get(l) ?? new Map<string, Stream>();
      handles.set(l, byKey);
      let st = byKey.get(`${client}|${ch}`);
      if (!st) {
        st = l.openStream(client, ch);
        byKey.set(`${client}|${ch}`, st);
      }
      return [l, st];
    });

  for (const ch of CHANNELS) {
    const log: Array<{ p: string; n: number }> = []; // index = serial − 1
    const nextN = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const p = PUBLISHERS[randomInt(random, PUBLISHERS.length)];
      const n = (nextN.get(p) ?? 0) + 1;
      nextN.set(p, n);
      for (const l of route(p)) {
        l.publishScheduled(ch, p, n, scheduledUs(n));
        l.publishSent(ch, p, n, scheduledUs(n), tOf(log.length + 1));
      }
      log.push({ p, n });
      if (random() < 0.08) log.push({ p, n }); // no-dedupe: the retry stored again
      if (random() < 0.9) for (const l of route(p)) l.publishAcked(ch, p, n, log.length, tOf(log.length) + 1000);
    }
    if (ch === 'beta') { // amnesia: a restarted broker reuses serial 7 for a new message
      const n = (nextN.get('p1') ?? 0) + 1;
      for (const l of route('p1')) {
        l.publishScheduled(ch, 'p1', n, scheduledUs(n));
        l.publishSent(ch, 'p1', n, scheduledUs(n), tOf(log.length + 1));
        l.publishAcked(ch, 'p1', n, 7, tOf(log.length + 1) + 1000);
      }
    }

    for (const client of CLIENTS) {
      const targets = streamsOf(client, ch);
      if (client === 'c6' && ch === 'beta') continue; // never got its subd
      const send = (serial: number, corrupt = false) => {
        const { p, n } = log[serial - 1];
        for (const [l, st] of targets) {
          l.deliver(st, serial, `${p}:${ch}:${n}`, corrupt ? { p } : envelope(p, n), scheduledUs(n) + 1000);
        }
      };
      const start = randomInt(random, 15);
      for (const [l, st] of targets) l.subscribed(st, start, undefined, tOf(start) + 50_000);
      let announcedOnce = false;
      for (let s = start + 1; s <= log.length; s++) {
        const r = random();
        if (r < 0.04) continue; // dropped
        if (r < 0.07) { send(s); send(s); continue; } // duplicated
        if (r < 0.10 && s < log.length) { send(s + 1); send(s); s++; continue; } // neighbours swapped
        if (r < 0.12) { send(s, true); continue; } // corrupted
        if (r < 0.15 && !announcedOnce) { // reconnect; history no longer reaches: skip a few
          announcedOnce = true;
          for (const [l, st] of targets) {
            l.dropped(st, tOf(s) - 20_000);
            l.subscribed(st, log.length, false, tOf(s) - 10_000);
          }
          s += 1 + randomInt(random, 4);
          continue;
        }
        if (r < 0.18) { // clean resume
          for (const [l, st] of targets) {
            l.dropped(st, tOf(s) - 20_000);
            l.subscribed(st, log.length, true, tOf(s) - 10_000);
          }
        }
        send(s);
      }
    }
  }
  for (const actor of ['p1', 'c4']) for (const l of route(actor)) l.protocolError(`bad frame seen by ${actor}`);
}

const options = { faultWindows: [{ startMs: 5_000, endMs: 20_000, label: 'partition' }], runStartUs: T0 };

describe('accounting merges exactly', () => {
  for (const seed of [1, 2, 3]) {
    test(`seed ${seed}: split over two workers gives the same result as one ledger`, () => {
      const whole = new IntegrityLedger({ publishers: PUBLISHERS, filler: FILLER });
      faultyRun(seed, () => [whole]);

      const workerA = new IntegrityLedger({ publishers: PUBLISHERS, filler: FILLER });
      const workerB = new IntegrityLedger({ publishers: PUBLISHERS, filler: FILLER });
      const inA = new Set(['p1', 'p2', 'c1', 'c2', 'c3']);
      faultyRun(seed, (actor) => [inA.has(actor) ? workerA : workerB]);

      const expected = check(whole, options.faultWindows);
      // The run must actually contain every kind of fault, or the comparison proves little.
      const t = expected.totals;
      for (const k of ['lostSilent', 'lostAnnounced', 'duplicated', 'reordered', 'phantom', 'unackedDelivered', 'serialConflicts', 'protocolErrors'] as const) {
        assert.ok(t[k] > 0, `the faulty run has ${k}`);
      }
      assert.ok(expected.examples.some((e) => e.fault === 'partition'));

      assert.deepEqual(check([workerA.snapshot(), workerB.snapshot()], options.faultWindows), expected);
      assert.deepEqual(check([workerB.snapshot(), workerA.snapshot()], options.faultWindows), expected);
    });
  }

  test('a different run gives a different result (the comparison can fail)', () => {
    const one = new IntegrityLedger({ publishers: PUBLISHERS, filler: FILLER });
    faultyRun(1, () => [one]);
    const two = new IntegrityLedger({ publishers: PUBLISHERS, filler: FILLER });
    faultyRun(2, () => [two]);
    assert.notDeepEqual(check(one, options.faultWindows), check(two, options.faultWindows));
  });

  test('totals are the sum of the channels', () => {
    const whole = new IntegrityLedger({ publishers: PUBLISHERS, filler: FILLER });
    faultyRun(4, () => [whole]);
    const { totals, channels } = check(whole);
    for (const k of ['expected', 'delivered', 'lost', 'duplicated', 'reordered', 'phantom', 'deliveriesTotal'] as const) {
      assert.equal(totals[k], channels.reduce((sum, c) => sum + c[k], 0), k);
    }
    assert.equal(totals.lost, totals.lostSilent + totals.lostAnnounced);
    assert.equal(totals.expected, totals.delivered + totals.lost);
  });

  test('maxExamples caps each kind', () => {
    const whole = new IntegrityLedger({ publishers: PUBLISHERS, filler: FILLER });
    faultyRun(5, () => [whole]);
    const { examples } = account([whole.snapshot()], { ...options, maxExamples: 2 });
    for (const kind of ['lost', 'duplicated', 'reordered', 'phantom'] as const) {
      assert.equal(examples.filter((e) => e.kind === kind).length, 2, kind);
    }
  });

  test('a snapshot of another version is refused with a one-line error', () => {
    assert.throws(
      () => account([{ version: 1 } as never], options),
      (err: Error) => err.name === 'UserError' && /snapshot version 1/.test(err.message),
    );
  });
});

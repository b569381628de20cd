// The v1 fast path (src/adapters/v1-msg-reader.ts) against the full parse: a frame it accepts
// must read exactly as JSON.parse reads it, any other frame must be left to the full parse, and
// a changed key or payload must still be caught by the ledger through the view.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readMsg } from '../../src/adapters/v1-msg-reader';
import { encode, parseBrokerFrame } from '../../src/protocol/codec';
import { fillerFor, idempotencyKey, paddingMatches, readEnvelope, sealedPadding } from '../../src/protocol/envelope';
import { idMatches, IntegrityLedger } from '../../src/verify/ledger';

const FILLER = fillerFor(128);
const CH = 'room-7';
const P = 'c12';

/** A msg frame exactly as the reference broker writes it (it re-encodes the parsed publish). */
function brokerFrame(s: number, n: number, ts: number, opts: { ch?: string; p?: string; id?: string; x?: string } = {}): string {
  const ch = opts.ch ?? CH;
  const p = opts.p ?? P;
  const published = JSON.stringify({ p, n, ts, x: opts.x ?? sealedPadding(p, n, ts, FILLER) });
  return encode({ t: 'msg', ch, s, id: opts.id ?? idempotencyKey(p, ch, n), d: JSON.parse(published) });
}

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/** What the full parse makes of a frame: the checks the ledger would apply to it, or null when it is no msg. */
function fullRead(text: string) {
  const parsed = parseBrokerFrame(text);
  if (!parsed.ok || parsed.frame.t !== 'msg') return null;
  const f = parsed.frame;
  const env = readEnvelope(f.d);
  if (env === null) return null;
  return { channel: f.ch, serial: f.s, p: env.p, n: env.n, ts: env.ts, keyOk: idMatches(f.id, env.p, f.ch, env.n), padOk: paddingMatches(env.x, env.p, env.n, env.ts, FILLER) };
}

/** Asserts: the fast path either declines the frame or reads exactly what the full parse reads. */
function agrees(text: string, label: string): 'fast' | 'fallback' {
  const v = readMsg(bytes(text));
  if (v === null) return 'fallback';
  const full = fullRead(text);
  assert.notEqual(full, null, `${label}: the fast path accepted a frame the full parse rejects: ${text}`);
  assert.deepEqual(
    { channel: v.channel, serial: v.serial, p: v.p, n: v.n, ts: v.ts, keyOk: v.keyMatches(v.channel), padOk: v.paddingMatches(FILLER) },
    full, `${label}: ${text}`);
  return 'fast';
}

test('a broker-shaped msg frame is read in place with the right values, key and padding', () => {
  const ts = 1_796_232_475_220_123; // 16 digits, as real µs timestamps are
  const v = readMsg(bytes(brokerFrame(42, 7, ts)));
  assert.ok(v, 'the broker shape must take the fast path');
  assert.deepEqual({ channel: v.channel, serial: v.serial, p: v.p, n: v.n, ts: v.ts }, { channel: CH, serial: 42, p: P, n: 7, ts });
  assert.equal(v.keyMatches(CH), true);
  assert.equal(v.keyMatches('room-8'), false);
  assert.equal(v.paddingMatches(FILLER), true);
  assert.equal(v.paddingMatches(FILLER + 'x'), false);
  // the same names come back as the same strings (no copy per delivery)
  const again = readMsg(bytes(brokerFrame(43, 8, ts)));
  assert.equal(again?.channel, CH);
  assert.equal(again?.p, P);
});

test('malformed or oddly shaped frames fall back to the full parse, never read with other values', () => {
  const good = brokerFrame(5, 3, 1000);
  const x = sealedPadding(P, 3, 1000, FILLER);
  const declined: Array<[string, string]> = [
    ['keys reordered', `{"t":"msg","s":5,"ch":"${CH}","id":"${P}:${CH}:3","d":{"p":"${P}","n":3,"ts":1000,"x":"${x}"}}`],
    ['envelope keys reordered', `{"t":"msg","ch":"${CH}","s":5,"id":"${P}:${CH}:3","d":{"n":3,"p":"${P}","ts":1000,"x":"${x}"}}`],
    ['whitespace', good.replace('"s":5', '"s": 5')],
    ['escaped channel', good.replace(`"ch":"${CH}"`, `"ch":"room\\u002d7"`)],
    ['escaped key', good.replace(`"id":"${P}`, `"id":"\\u0063${P.slice(1)}`)],
    ['escaped publisher', good.replace(`"p":"${P}"`, `"p":"\\u0063${P.slice(1)}"`)],
    ['escaped padding', good.replace(`"x":"${x}"`, `"x":"${x.slice(0, 10)}\\u0078${x.slice(11)}"`)],
    ['non-ASCII publisher', brokerFrame(5, 3, 1000, { p: 'cé' })],
    ['leading zero serial', good.replace('"s":5', '"s":05')],
    ['fraction serial', good.replace('"s":5', '"s":5.0')],
    ['exponent ts', good.replace('"ts":1000', '"ts":1e3')],
    ['negative ts', good.replace('"ts":1000', '"ts":-1000')],
    ['serial 0', good.replace('"s":5', '"s":0')],
    ['n 0', brokerFrame(5, 0, 1000)],
    ['unsafe serial', good.replace('"s":5', '"s":9007199254740993')],
    ['17-digit ts', good.replace('"ts":1000', '"ts":10000000000000000')],
    ['string serial', good.replace('"s":5', '"s":"5"')],
    ['extra envelope field', good.replace('"ts":1000,', '"ts":1000,"z":1,')],
    ['extra frame field', good.replace('"d":{', '"q":1,"d":{')],
    ['duplicate serial key', good.replace('}}', '},"s":6}')],
    ['missing padding', good.replace(`,"x":"${x}"`, '')],
    ['truncated', good.slice(0, -1)],
    ['trailing bytes', `${good} `],
    ['empty channel', brokerFrame(5, 3, 1000, { ch: '' })],
    ['empty publisher', brokerFrame(5, 3, 1000, { p: '' })],
    ['channel of 257', brokerFrame(5, 3, 1000, { ch: 'c'.repeat(257) })],
    ['quote in padding', good.replace(`"x":"${x}"`, `"x":"${x.slice(0, 10)}","y":"${x.slice(10)}"`)],
    ['control character', good.replace(`"x":"${x}"`, `"x":"${x.slice(0, 10)}\t${x.slice(11)}"`)],
    ['subd frame', '{"t":"subd","ch":"room-7","at":0}'],
    ['not JSON', '{"t":"msg","ch":"room-7",'],
  ];
  for (const [label, text] of declined) assert.equal(agrees(text, label), 'fallback', `${label} must fall back: ${text}`);
  assert.equal(agrees(good, 'good'), 'fast');
});

test('every single-byte change of a frame is either declined or read as the full parse reads it; a changed key or payload never passes', () => {
  const ts = 1_700_000_000_123_456;
  const good = brokerFrame(12, 34, ts);
  const dStart = good.indexOf('"id":');
  const replacements = [0x22, 0x5c, 0x20, 0x30, 0x31, 0x39, 0x3a, 0x2c, 0x7d, 0x78, 0x79, 0x61, 0x7f, 0x0a, 0xc3];
  let fast = 0;
  for (let i = 0; i < good.length; i++) {
    for (const r of replacements) {
      const b = Buffer.from(good, 'latin1');
      if (b[i] === r) continue;
      b[i] = r;
      const text = b.toString('latin1');
      const label = `byte ${i} → 0x${r.toString(16)}`;
      if (r >= 0x80) {
        // not ASCII: never the fast path (the full parse decodes it differently)
        assert.equal(readMsg(b), null, label);
        continue;
      }
      if (agrees(text, label) !== 'fast') continue;
      fast++;
      const v = readMsg(b)!;
      // Everything from the key on is checked against the seal and the key: a changed byte there
      // must be caught (the channel and serial are the target's own, checked by the ledger's order rules).
      if (i >= dStart) assert.equal(v.keyMatches(CH) && v.paddingMatches(FILLER), false, `${label} was accepted as intact`);
    }
  }
  assert.ok(fast > 100, `the property must be exercised on accepted mutants (only ${fast})`);
});

test('the ledger gives the same verdicts through the view as through the full parse', () => {
  const frames = [
    brokerFrame(1, 1, 1000),
    brokerFrame(2, 2, 2000, { x: sealedPadding(P, 2, 2001, FILLER) }),              // ts changed after sealing
    brokerFrame(3, 3, 3000, { id: idempotencyKey(P, CH, 4) }),                      // key of another message
    brokerFrame(4, 3, 3000),                                                        // fine (n 3 never arrived intact)
    brokerFrame(4, 3, 3000),                                                        // serial again
    brokerFrame(6, 5, 5000, { p: 'stranger' }),                                     // unknown publisher
    brokerFrame(3, 4, 4000),                                                        // serial went back
    brokerFrame(7, 6, 6000, { x: sealedPadding(P, 6, 6000, FILLER).replace(/x$/, 'y') }), // filler changed
    brokerFrame(8, 4, 4000),                                                        // n again under a new serial
  ];
  const viaView = new IntegrityLedger({ publishers: [P], filler: FILLER });
  const viaParse = new IntegrityLedger({ publishers: [P], filler: FILLER });
  const sv = viaView.openStream('c1', CH);
  const sp = viaParse.openStream('c1', CH);
  for (const text of frames) {
    const v = readMsg(bytes(text));
    assert.ok(v, `the test frames take the fast path: ${text}`);
    const f = parseBrokerFrame(text);
    assert.ok(f.ok && f.frame.t === 'msg');
    const a = viaView.deliverView(sv, v.serial, v, 10_000);
    const b = viaParse.deliver(sp, f.frame.s, f.frame.id, f.frame.d, 10_000);
    assert.equal(a, b, text);
  }
  const snap = viaView.snapshot().streams[0];
  assert.deepEqual(snap, viaParse.snapshot().streams[0]);
  assert.equal(snap.phantom, 4);
  assert.equal(snap.duplicated, 2);
  assert.equal(snap.reordered, 1);
});

// The v1 adapter's fast path for its most frequent frame, a delivery, in the one shape the
// reference broker writes (JSON.stringify of the frame and of the published envelope):
//
//   {"t":"msg","ch":"…","s":S,"id":"…","d":{"p":"…","n":N,"ts":TS,"x":"…"}}
//
// It is read in place from the frame's bytes: no string decoded, no JSON.parse, no object
// built; the key and the padding stay in the bytes and are compared there by the ledger
// (EnvelopeView). Only a frame that is exactly this shape is read here: keys in this order, no
// whitespace, strings of printable ASCII without escapes, integers in canonical form, nothing
// else. For such a frame JSON.parse would give the same values, so accepting it here changes
// no verdict; any other frame (a misbehaving target's, another serializer's) returns false and
// goes through the full parse and its checks.
import { paddingBytesMatch, type EnvelopeView } from '../protocol/envelope';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

const HEAD = ascii('{"t":"msg","ch":"');
const AFTER_CH = ascii('","s":');
const AFTER_S = ascii(',"id":"');
const AFTER_ID = ascii('","d":{"p":"');
const AFTER_P = ascii('","n":');
const AFTER_N = ascii(',"ts":');
const AFTER_TS = ascii(',"x":"');
const TAIL = ascii('"}}');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const ZERO = 0x30;
/** codec.ts: channels and keys are 1–256 characters. */
const MAX_NAME = 256;
/** Digits of the largest safe integer (9007199254740991). */
const MAX_DIGITS = 16;

/** What readMsg() found; one object, reused for every frame (valid during the delivery only). */
class MsgView implements EnvelopeView {
  bytes: Uint8Array = HEAD;
  channel = '';
  serial = 0;
  p = '';
  n = 0;
  ts = 0;
  idStart = 0;
  idEnd = 0;
  xStart = 0;
  xEnd = 0;

  keyMatches(channel: string): boolean {
    const b = this.bytes;
    const p = this.p;
    let at = this.idStart;
    const end = this.idEnd;
    // `${p}:${channel}:${n}`: compared piece by piece, n as canonical decimal digits
    if (end - at < p.length + channel.length + 3) return false;
    for (let i = 0; i < p.length; i++) if (b[at++] !== p.charCodeAt(i)) return false;
    if (b[at++] !== COLON) return false;
    for (let i = 0; i < channel.length; i++) if (b[at++] !== channel.charCodeAt(i)) return false;
    if (b[at++] !== COLON) return false;
    return readUint(b, at, end) === end && lastUint === this.n;
  }

  paddingMatches(filler: string): boolean {
    return paddingBytesMatch(this.bytes, this.xStart, this.xEnd, this.p, this.n, this.ts, filler);
  }
}

const view = new MsgView();
/** The value of the integer readUint() read last (a module variable: no tuple per call). */
let lastUint = 0;

/** Reads a canonical non-negative integer at `at` (no sign, no leading zero, safe); returns its end, or -1. */
function readUint(b: Uint8Array, at: number, limit: number): number {
  if (at < 0) return -1;
  const start = at;
  let v = 0;
  while (at < limit) {
    const d = b[at] - ZERO;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    at++;
  }
  const digits = at - start;
  if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && b[start] === ZERO) || v > Number.MAX_SAFE_INTEGER) return -1;
  lastUint = v;
  return at;
}

/** Whether `lit` is at `at`; returns the position after it, or -1. */
function expect(b: Uint8Array, at: number, lit: Uint8Array): number {
  if (at < 0 || at + lit.length > b.length) return -1;
  for (let i = 0; i < lit.length; i++) if (b[at + i] !== lit[i]) return -1;
  return at + lit.length;
}

/** The end (closing quote) of a JSON string body starting at `at` made only of printable ASCII without escapes, or -1. */
function plainStringEnd(b: Uint8Array, at: number): number {
  if (at < 0) return -1;
  for (let i = at; i < b.length; i++) {
    const c = b[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 0x20 || c > 0x7e) return -1;
  }
  return -1;
}

// ------------------------------------------------------------------ strings without copies

/**
 * Channel names and publisher ids repeat on every frame: a small direct-mapped table hands back
 * the same string for the same bytes, so a delivery creates none. A slot taken by another
 * string is replaced (correct either way; only a copy is made).
 */
const INTERN_SLOTS = 4096;
const interned: string[] = new Array<string>(INTERN_SLOTS).fill('');

function intern(b: Uint8Array, start: number, end: number): string {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  const slot = (h >>> 0) & (INTERN_SLOTS - 1);
  const s = interned[slot];
  if (s.length === end - start) {
    let same = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) !== b[start + i]) { same = false; break; }
    }
    if (same) return s;
  }
  const fresh = String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
  interned[slot] = fresh;
  return fresh;
}

// ------------------------------------------------------------------ the reader

/**
 * Reads `frame` if it is a msg frame in the broker's own shape with a well-formed envelope;
 * returns the (reused) view, or null: then the caller must parse the frame in full.
 */
export function readMsg(frame: Uint8Array): MsgView | null {
  const b = frame;
  let at = expect(b, 0, HEAD);
  if (at < 0) return null;
  const chEnd = plainStringEnd(b, at);
  if (chEnd - at < 1 || chEnd - at > MAX_NAME) return null;
  const chStart = at;
  at = readUint(b, expect(b, chEnd, AFTER_CH), b.length);
  if (at < 0 || lastUint < 1) return null;
  const serial = lastUint;
  const idStart = expect(b, at, AFTER_S);
  const idEnd = plainStringEnd(b, idStart);
  if (idEnd - idStart < 1 || idEnd - idStart > MAX_NAME) return null;
  const pStart = expect(b, idEnd, AFTER_ID);
  const pEnd = plainStringEnd(b, pStart);
  if (pEnd - pStart < 1 || pEnd - pStart > MAX_NAME) return null;
  at = readUint(b, expect(b, pEnd, AFTER_P), b.length);
  if (at < 0 || lastUint < 1) return null;
  const n = lastUint;
  at = readUint(b, expect(b, at, AFTER_N), b.length);
  if (at < 0) return null;
  const ts = lastUint;
  const xStart = expect(b, at, AFTER_TS);
  const xEnd = plainStringEnd(b, xStart);
  if (xEnd < 0 || expect(b, xEnd, TAIL) !== b.length) return null;

  view.bytes = b;
  view.channel = intern(b, chStart, chEnd);
  view.serial = serial;
  view.idStart = idStart;
  view.idEnd = idEnd;
  view.p = intern(b, pStart, pEnd);
  view.n = n;
  view.ts = ts;
  view.xStart = xStart;
  view.xEnd = xEnd;
  return view;
}

export type { MsgView };

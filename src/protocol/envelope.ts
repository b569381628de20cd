// The envelope chat-bench puts in every published `d` (DESIGN.md): who sent it, its
// per-publisher-per-channel sequence, and when it was SCHEDULED to be sent (µs).
//
// The padding `x` is not inert filler: it starts with a seal, a hash of (p, n, ts), followed
// by a fixed filler. Any process can then tell whether a delivered payload is byte for byte
// what was published, without the publisher's log: a changed ts, n or p breaks the seal, a
// changed filler breaks the comparison with the filler every process derives from the
// scenario's payloadBytes.
export interface Envelope { p: string; n: number; ts: number; x: string }

export const idempotencyKey = (publisher: string, channel: string, seq: number): string => `${publisher}:${channel}:${seq}`;

/** Characters of the seal at the start of `x` (a 32-bit hash in base 36, zero-padded). */
export const SEAL_LENGTH = 7;

/** Bytes of a pub frame besides the padding: {"t":"pub","ch":…,"id":…,"d":{"p":…,"n":1,"ts":…,"x":""}}. */
const FRAME_OVERHEAD_BYTES = 70;

/** The filler after the seal, so that a pub frame is about `payloadBytes` long (scenario payloadBytes). */
export const fillerFor = (payloadBytes: number): string => 'x'.repeat(Math.max(0, payloadBytes - FRAME_OVERHEAD_BYTES - SEAL_LENGTH));

/** FNV-1a over the publisher id and the two numbers, without building a string. */
function sealHash(p: string, n: number, ts: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p.charCodeAt(i), 0x01000193);
  // both are non-negative safe integers: mix their low and high 32 bits (unrolled: hot path)
  h = Math.imul(h ^ (n >>> 0), 0x01000193);
  h = Math.imul(h ^ Math.floor(n / 0x1_0000_0000), 0x01000193);
  h = Math.imul(h ^ (ts >>> 0), 0x01000193);
  h = Math.imul(h ^ Math.floor(ts / 0x1_0000_0000), 0x01000193);
  return h >>> 0;
}

const sealOf = (p: string, n: number, ts: number): string => sealHash(p, n, ts).toString(36).padStart(SEAL_LENGTH, '0');

/** The character code of base-36 digit d, as toString(36) writes it ('0'–'9', 'a'–'z'). */
const digitCode = (d: number): number => (d < 10 ? 48 + d : 87 + d);

/** Base-36 digit of each byte as toString(36) writes it ('0'–'9', 'a'–'z'); -1 for any other byte. */
const DIGIT_OF = new Int8Array(256).fill(-1);
for (let d = 0; d < 36; d++) DIGIT_OF[digitCode(d)] = d;

// The seal at the start of a padding, read as one number from its 7 base-36 digits (a 7-digit
// form is unique below 36^7 > 2^32, so equal numbers mean equal digits); -1 if one is not a
// digit. One loop for a string, one for bytes: both run per delivery, so no accessor closure.

function sealOfText(x: string): number {
  if (x.length < SEAL_LENGTH) return -1;
  let v = 0;
  for (let i = 0; i < SEAL_LENGTH; i++) {
    const c = x.charCodeAt(i);
    const d = c < 256 ? DIGIT_OF[c] : -1;
    if (d < 0) return -1;
    v = v * 36 + d;
  }
  return v;
}

function sealOfBytes(bytes: Uint8Array, start: number): number {
  let v = 0;
  for (let i = start; i < start + SEAL_LENGTH; i++) {
    const d = DIGIT_OF[bytes[i]];
    if (d < 0) return -1;
    v = v * 36 + d;
  }
  return v;
}

/** The filler's bytes, kept for the last filler asked for (one per run: the scenario's payloadBytes). */
let fillerText = '';
let fillerBytes = new Uint8Array(0);
function bytesOf(filler: string): Uint8Array {
  if (filler !== fillerText) {
    fillerBytes = Uint8Array.from(filler, (c) => c.charCodeAt(0));
    fillerText = filler;
  }
  return fillerBytes;
}

/**
 * paddingMatches() for a padding still in a frame's bytes: bytes [start, end) are exactly
 * sealedPadding(p, n, ts, filler) in ASCII (an adapter's fast path; nothing decoded or copied).
 * The seal is read as one number (sealOfBytes); the filler is compared byte for byte.
 */
export function paddingBytesMatch(bytes: Uint8Array, start: number, end: number, p: string, n: number, ts: number, filler: string): boolean {
  if (end - start !== SEAL_LENGTH + filler.length) return false;
  if (sealOfBytes(bytes, start) !== sealHash(p, n, ts)) return false;
  const f = bytesOf(filler);
  for (let i = 0, at = start + SEAL_LENGTH; i < f.length; i++, at++) if (bytes[at] !== f[i]) return false;
  return true;
}

/** The `x` of message (p, n) scheduled at ts. */
export const sealedPadding = (p: string, n: number, ts: number, filler: string): string => sealOf(p, n, ts) + filler;

/** Whether `x` is exactly what sealedPadding() gave for (p, n, ts) and this filler. */
export function paddingMatches(x: string, p: string, n: number, ts: number, filler: string): boolean {
  return x.length === SEAL_LENGTH + filler.length && x.endsWith(filler) && sealOfText(x) === sealHash(p, n, ts);
}

/** Returns the envelope if `d` is a well-formed one, else null (the delivery is then a phantom). */
export function readEnvelope(d: unknown): Envelope | null {
  if (d === null || typeof d !== 'object') return null;
  const e = d as Record<string, unknown>;
  if (typeof e.p !== 'string' || typeof e.n !== 'number' || typeof e.ts !== 'number' || typeof e.x !== 'string') return null;
  if (!Number.isSafeInteger(e.n) || e.n < 1 || !Number.isSafeInteger(e.ts) || e.ts < 0) return null;
  return e as unknown as Envelope;
}

/**
 * An envelope read in place from a frame by an adapter's fast path: p, n and ts as values, the
 * publisher's key and the padding left in the frame's bytes and compared there. Valid only
 * during the call that hands it over (the reader reuses it for the next frame).
 */
export interface EnvelopeView {
  readonly p: string;
  readonly n: number;
  readonly ts: number;
  /** Whether the message's key is idempotencyKey(p, channel, n). */
  keyMatches(channel: string): boolean;
  /** Whether the padding is exactly sealedPadding(p, n, ts, filler). */
  paddingMatches(filler: string): boolean;
}

// The envelope chat-bench puts in every published `d` (DESIGN.md): who sent it, its
// per-publisher-per-channel sequence, and when it was SCHEDULED to be sent (µs).
export interface Envelope { p: string; n: number; ts: number; x: string }

export const idempotencyKey = (publisher: string, channel: string, seq: number): string => `${publisher}:${channel}:${seq}`;

/** Returns the envelope if `d` is a well-formed one, else null (the delivery is then a phantom). */
export function readEnvelope(d: unknown): Envelope | null {
  if (d === null || typeof d !== 'object') return null;
  const e = d as Record<string, unknown>;
  if (typeof e.p !== 'string' || typeof e.n !== 'number' || typeof e.ts !== 'number' || typeof e.x !== 'string') return null;
  if (!Number.isSafeInteger(e.n) || e.n < 1 || !Number.isFinite(e.ts)) return null;
  return e as unknown as Envelope;
}

// The `corrupt` misbehaviour: a msg frame whose payload differs from what was published while
// its id and serial stay the same, so only a checker that compares payloads notices.
import type { EncodedFrame } from './channel-log';

export type Corruption = 'padding' | 'ts';

/** Flips one character of the envelope's padding `x`, or moves its `ts` by 1 µs. */
export function corruptFrame(frame: EncodedFrame, how: Corruption): string {
  const msg = JSON.parse(typeof frame === 'string' ? frame : frame.toString('utf8')) as { d: unknown };
  msg.d = corruptPayload(msg.d, how);
  return JSON.stringify(msg);
}

function corruptPayload(d: unknown, how: Corruption): unknown {
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return { corrupted: d }; // not an envelope: still altered
  const e = { ...(d as Record<string, unknown>) };
  const padding = typeof e.x === 'string' && e.x.length > 0 ? e.x : null;
  if (padding !== null && (how === 'padding' || typeof e.ts !== 'number')) {
    const i = Math.floor(padding.length / 2);
    e.x = padding.slice(0, i) + (padding[i] === 'x' ? 'y' : 'x') + padding.slice(i + 1);
  } else if (typeof e.ts === 'number') {
    e.ts += 1;
  } else {
    e.corrupted = true;
  }
  return e;
}

// Durations ("250ms", "1.5s", "1m30s") and rates ("5/s", "300/m", "1/10s"). A bare number is
// refused on purpose: "rampUp: 10" could mean seconds or milliseconds, and guessing wrong
// silently changes a benchmark by a factor of 1000.
import { usageError } from '../util/errors';
import { Problem, shown } from './problem';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)/gy;
const WHOLE = /^(?:(?:\d+(?:\.\d+)?|\.\d+)(?:ms|s|m|h))+$/;

/** Milliseconds in a duration text; throws Problem. */
export function durationMsOf(value: unknown): number {
  if (typeof value === 'number' && value >= 0) {
    throw new Problem(`${shown(value)} has no unit`, `write "${value}s" or "${value}ms"`);
  }
  if (typeof value !== 'string') {
    const hint = typeof value === 'number' ? 'durations cannot be negative' : 'write it like "250ms", "10s", "2m" or "1h"';
    throw new Problem(`${shown(value)} is not a duration`, hint);
  }
  const text = value.trim();
  if (/^\+?(\d+(\.\d+)?|\.\d+)$/.test(text)) {
    throw new Problem(`${shown(value)} has no unit`, `write "${text}s" or "${text}ms"`);
  }
  if (!WHOLE.test(text)) {
    const hint = /^-/.test(text) ? 'durations cannot be negative' : 'write it like "250ms", "10s", "2m" or "1h"';
    throw new Problem(`${shown(value)} is not a duration`, hint);
  }
  let ms = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
}

/** Messages per second in a rate text; throws Problem. */
export function ratePerSecondOf(value: unknown): number {
  const hint = 'write it like "5/s"';
  if (typeof value === 'number') throw new Problem(`${shown(value)} has no time unit`, `write "${value}/s"`);
  if (typeof value !== 'string') throw new Problem(`${shown(value)} is not a rate`, hint);
  const m = /^\s*([+-]?(?:\d+(?:\.\d+)?|\.\d+))\s*\/\s*(\S+)\s*$/.exec(value);
  if (!m) throw new Problem(`${shown(value)} is not a rate`, hint);
  const count = Number(m[1]);
  if (count < 0) throw new Problem(`${shown(value)} is not a rate`, hint);
  // "/s" means "/1s"; "/10s" is a duration
  const per = /^[a-z]+$/.test(m[2]) ? `1${m[2]}` : m[2];
  let perMs: number;
  try {
    perMs = durationMsOf(per);
  } catch {
    throw new Problem(`${shown(value)} is not a rate`, `${hint}, "300/m" or "1/10s"`);
  }
  if (perMs === 0) throw new Problem(`${shown(value)} divides by zero time`, hint);
  return (count * 1000) / perMs;
}

/** Duration in milliseconds; `field` names the setting in the error (a UserError, exit 2). */
export function parseDuration(s: unknown, field: string): number {
  return withField(field, () => durationMsOf(s));
}

/** Rate in messages per second; `field` names the setting in the error (a UserError, exit 2). */
export function parseRate(s: unknown, field: string): number {
  return withField(field, () => ratePerSecondOf(s));
}

function withField<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof Problem) throw usageError(`${field}: ${e.message}`, e.hint);
    throw e;
  }
}

/** "1500" ms → "1.5s": the shortest exact way to write a duration back. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && Number.isInteger((ms / size) * 1000)) return `${+(ms / size).toFixed(3)}${unit}`;
  }
  return `${+ms.toFixed(3)}ms`;
}

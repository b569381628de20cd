// Reading one object of the scenario file field by field, so that every refusal names its
// path (e.g. "faults[1].attributes.latency") and unknown fields are caught (a typo such as
// "publishrate" must not silently fall back to a default).
import { LIMITS } from './limits';
import { Problem, shown } from './problem';
import { durationMsOf, formatDuration, ratePerSecondOf } from './units';

export type Path = ReadonlyArray<string | number>;

/** A refusal tied to a place in the scenario; parseScenario turns it into one UserError line. */
export class FieldError extends Error {
  constructor(readonly path: Path, readonly problem: string, readonly hint?: string) {
    super(`${pathText(path)}: ${problem}`);
    this.name = 'FieldError';
  }
}

/** Runs `read`; a FieldError is collected (and undefined returned) so the next field or section is still checked. */
export function collecting<T>(errors: FieldError[], read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    errors.push(e);
    return undefined;
  }
}

/** clients.publishRate · faults[1].target · thresholds["latency.p99{phase:steady}"] */
export function pathText(path: Path): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) text += text ? `.${part}` : part;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text || '(top level)';
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface Range { min?: number; max?: number; hint?: string }

export class Fields {
  private constructor(private readonly obj: Record<string, unknown>, readonly path: Path, private readonly known: readonly string[]) {}

  /**
   * Opens `value` as an object with exactly the `known` keys (others are an error at once, so
   * the first message a user sees is about the typo, not about a default it caused).
   * `renamed` maps a likely wrong key to a hint, e.g. historySeconds → "write historyAge: 1h".
   */
  static open(value: unknown, path: Path, known: readonly string[], renamed: Record<string, string> = {}): Fields {
    const unknown: FieldError[] = [];
    const fields = Fields.openCollecting(value, path, known, unknown, renamed);
    if (unknown.length > 0) throw unknown[0];
    return fields;
  }

  /** As open(), but every unknown key is added to `unknown` (and then ignored) instead of thrown. */
  static openCollecting(value: unknown, path: Path, known: readonly string[], unknown: FieldError[], renamed: Record<string, string> = {}): Fields {
    if (!isPlainObject(value)) {
      throw new FieldError(path, `${shown(value)} is not a mapping`, `write it as { ${known.slice(0, 2).map((k) => `${k}: …`).join(', ')} }`);
    }
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const near = renamed[key] ?? didYouMean(key, known);
      unknown.push(new FieldError([...path, key], 'unknown field', near ?? `known fields: ${known.join(', ')}`));
    }
    return new Fields(value, path, known);
  }

  at(key: string): Path {
    return [...this.path, key];
  }

  /** The raw value; undefined when absent or written empty (`key:` with nothing). */
  raw(key: string): unknown {
    if (!this.known.includes(key)) throw new Error(`bug: field ${key} not declared for ${pathText(this.path)}`);
    const v = this.obj[key];
    return v === null ? undefined : v;
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  fail(key: string, problem: string, hint?: string): never {
    throw new FieldError(this.at(key), problem, hint);
  }

  required<T>(key: string, read: (key: string) => T | undefined, hint?: string): T {
    const v = read.call(this, key);
    if (v === undefined) this.fail(key, 'is required', hint);
    return v;
  }

  string(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') this.fail(key, `${shown(v)} is not a text`, 'write it in quotes if in doubt');
    return v;
  }

  boolean(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(key, `${shown(v)} is not true or false`);
    return v;
  }

  number(key: string, range: Range = {}): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `${shown(v)} is not a number`, range.hint);
    this.checkRange(key, v, range);
    return v;
  }

  integer(key: string, range: Range = {}): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(key, `${shown(v)} is not a whole number`, range.hint);
    this.checkRange(key, v, range);
    return v;
  }

  /** A fraction 0..1, also written as a percentage text ("5%"). */
  fraction(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(v) ? parseFloat(v) / 100 : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 1) {
      this.fail(key, `${shown(v)} is not a fraction between 0 and 1`, 'write it like 0.05 or "5%"');
    }
    return n;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      const near = typeof v === 'string' ? didYouMean(v, values) : undefined;
      this.fail(key, `${shown(v)} is not one of ${values.join(', ')}`, near);
    }
    return v as T;
  }

  durationMs(key: string): number | undefined {
    const ms = this.convert(key, durationMsOf);
    if (ms !== undefined && ms > LIMITS.durationMs) {
      this.fail(key, `${shown(this.raw(key))} is longer than ${formatDuration(LIMITS.durationMs)}`, 'durations are bounded so timers stay exact; split a longer soak into several runs');
    }
    return ms;
  }

  ratePerSecond(key: string): number | undefined {
    return this.convert(key, ratePerSecondOf);
  }

  /** A mapping whose keys are the user's own (hosts, headers, claims), returned as written. */
  mapping(key: string, hint: string): Record<string, unknown> | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isPlainObject(v)) this.fail(key, `${shown(v)} is not a mapping`, hint);
    return v;
  }

  object(key: string, known: readonly string[], renamed?: Record<string, string>): Fields | undefined {
    const v = this.raw(key);
    return v === undefined ? undefined : Fields.open(v, this.at(key), known, renamed);
  }

  array(key: string): unknown[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.fail(key, `${shown(v)} is not a list`, 'write it as a YAML list ("- …" lines)');
    return v;
  }

  private convert<T>(key: string, read: (v: unknown) => T): T | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    try {
      return read(v);
    } catch (e) {
      if (e instanceof Problem) this.fail(key, e.message, e.hint);
      throw e;
    }
  }

  private checkRange(key: string, v: number, { min, max, hint }: Range): void {
    if (min !== undefined && max !== undefined && (v < min || v > max)) this.fail(key, `${v} is not between ${min} and ${max}`, hint);
    if (min !== undefined && v < min) this.fail(key, `${v} is less than ${min}`, hint);
    if (max !== undefined && v > max) this.fail(key, `${v} is more than ${max}`, hint);
  }
}

/** `did you mean "publishRate"?` for a key or value that is one small typo away. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? `did you mean "${best}"?` : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

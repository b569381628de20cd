// Toxiproxy decodes request bodies with Go's encoding/json: only the first JSON value is read,
// keys match case-insensitively, unknown keys are ignored, null leaves a field as it was, and
// errors have Go's wording ("EOF", "unexpected EOF", "invalid character 'x' looking for
// beginning of value", "json: cannot unmarshal string into Go struct field ...").
// This module reproduces that so error bodies match Toxiproxy's byte for byte where it matters.

export type JValue =
  | { kind: 'object'; entries: Array<[string, JValue]> }
  | { kind: 'array'; items: JValue[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; raw: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' };

/** A decode failure; the message is Go's text (Toxiproxy prefixes "bad request body: "). */
export class GoJsonError extends Error {}

/** Go's quoteChar: how the scanner names an offending character. */
function quoteChar(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '"') return "'\"'";
  // Go reports the offending byte; a non-ASCII character starts with a byte >= 0x80.
  const code = ch.charCodeAt(0) < 0x80 ? ch.charCodeAt(0) : Buffer.from(ch)[0];
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x5c: '\\\\' };
  if (named[code]) return `'${named[code]}'`;
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  if (code >= 0x80 && code < 0xa0) return `'\\u${code.toString(16).padStart(4, '0')}'`;
  return `'${String.fromCharCode(code)}'`;
}

/**
 * Deepest nesting read. Go's scanner stops at 10000 ("exceeded max depth"); this scanner
 * recurses, and V8's stack ends near 5000, so it stops earlier with Go's wording: either way a
 * 400, never a stack overflow (a Toxiproxy body nests 2 levels).
 */
export const MAX_DEPTH = 1000;

class Scanner {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  private enter(): void {
    // Go's scanner.error(c, "exceeded max depth"): the offending bracket is named
    if (++this.depth > MAX_DEPTH) this.fail('exceeded max depth');
  }

  private ws(): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++;
      else return;
    }
  }

  private fail(context: string): never {
    if (this.i >= this.s.length) throw new GoJsonError('unexpected EOF');
    throw new GoJsonError(`invalid character ${quoteChar(this.s[this.i])} ${context}`);
  }

  first(): JValue {
    this.ws();
    if (this.i >= this.s.length) throw new GoJsonError('EOF');
    return this.value();
  }

  private value(): JValue {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { kind: 'string', value: this.string() };
    if (c === '-' || (c >= '0' && c <= '9')) return { kind: 'number', raw: this.number() };
    if (c === 't') return this.literal('true', { kind: 'bool', value: true });
    if (c === 'f') return this.literal('false', { kind: 'bool', value: false });
    if (c === 'n') return this.literal('null', { kind: 'null' });
    return this.fail('looking for beginning of value');
  }

  private object(): JValue {
    this.enter();
    this.i++;
    const entries: Array<[string, JValue]> = [];
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      this.depth--;
      return { kind: 'object', entries };
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail('after object key');
      this.i++;
      entries.push([key, this.value()]);
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === ',') continue;
      if (c === '}') {
        this.depth--;
        return { kind: 'object', entries };
      }
      this.i--;
      this.fail('after object key:value pair');
    }
  }

  private array(): JValue {
    this.enter();
    this.i++;
    const items: JValue[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      this.depth--;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value());
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === ',') continue;
      if (c === ']') {
        this.depth--;
        return { kind: 'array', items };
      }
      this.i--;
      this.fail('after array element');
    }
  }

  private string(): string {
    this.i++; // opening quote
    let out = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail('in string literal');
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === '\\') {
        this.i++;
        const e = this.s[this.i];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          this.i++;
        } else if (e === 'u') {
          this.i++;
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(this.s[this.i + k] ?? '')) {
              this.i += k;
              this.fail('in \\u hexadecimal character escape');
            }
          }
          out += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + 4), 16));
          this.i += 4;
        } else this.fail('in string escape code');
        continue;
      }
      if (c.charCodeAt(0) < 0x20) this.fail('in string literal');
      out += c;
      this.i++;
    }
  }

  private number(): string {
    const start = this.i;
    const digit = () => this.s[this.i] >= '0' && this.s[this.i] <= '9';
    if (this.s[this.i] === '-') {
      this.i++;
      if (!digit()) this.fail('in numeric literal');
    }
    if (this.s[this.i] === '0') this.i++;
    else while (digit()) this.i++;
    if (this.s[this.i] === '.') {
      this.i++;
      if (!digit()) this.fail('after decimal point in numeric literal');
      while (digit()) this.i++;
    }
    if (this.s[this.i] === 'e' || this.s[this.i] === 'E') {
      this.i++;
      if (this.s[this.i] === '+' || this.s[this.i] === '-') this.i++;
      if (!digit()) this.fail('in exponent of numeric literal');
      while (digit()) this.i++;
    }
    return this.s.slice(start, this.i);
  }

  private literal(word: string, v: JValue): JValue {
    for (let k = 0; k < word.length; k++, this.i++) {
      if (this.s[this.i] !== word[k]) this.fail(`in literal ${word} (expecting ${quoteChar(word[k])})`);
    }
    return v;
  }
}

/** Reads the first JSON value of a body, as Go's json.Decoder.Decode does. */
export function decodeFirstValue(text: string): JValue {
  return new Scanner(text).first();
}

// ---- typed decoding into "Go structs" ------------------------------------------------------

export type GoScalar = 'string' | 'bool' | 'int64' | 'int' | 'float32';

export interface GoStruct {
  /** Go type name as reported in errors ("Proxy", "LatencyToxic"; "" for anonymous structs) */
  name: string;
  fields: GoField[];
}

export type GoField =
  | { key: string; type: GoScalar }
  | { key: string; struct: GoStruct; goType: string /* e.g. toxics.LatencyToxic */ };

export type Decoded = { [key: string]: string | boolean | number | Decoded };

const kindName = (v: JValue): string => v.kind;

/** Shortest decimal that round-trips through float32, as Go prints a float32. */
export function float32Shortest(v: number): number {
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

class StructDecoder {
  firstError: string | null = null;

  private typeError(value: string, struct: string, path: string[], goType: string): void {
    this.firstError ??= `json: cannot unmarshal ${value} into Go struct field ${struct}.${path.join('.')} of type ${goType}`;
  }

  private scalar(v: JValue, type: GoScalar, struct: string, path: string[]): string | boolean | number | undefined {
    const mismatch = (value = kindName(v)) => void this.typeError(value, struct, path, type);
    switch (type) {
      case 'string':
        if (v.kind === 'string') return v.value;
        return mismatch();
      case 'bool':
        if (v.kind === 'bool') return v.value;
        return mismatch();
      case 'int':
      case 'int64': {
        if (v.kind !== 'number') return mismatch();
        if (!/^-?\d+$/.test(v.raw)) return mismatch(`number ${v.raw}`);
        const n = BigInt(v.raw);
        if (n < INT64_MIN || n > INT64_MAX) return mismatch(`number ${v.raw}`);
        return Number(n);
      }
      case 'float32': {
        if (v.kind !== 'number') return mismatch();
        const n = Number(v.raw);
        if (!Number.isFinite(Math.fround(n))) return mismatch(`number ${v.raw}`);
        return float32Shortest(n);
      }
    }
  }

  /** Decodes an object's entries over `into` (fields missing from the JSON stay as they are). */
  object(entries: Array<[string, JValue]>, spec: GoStruct, path: string[], into: Decoded): void {
    for (const [key, v] of entries) {
      const field = spec.fields.find((f) => f.key === key) ?? spec.fields.find((f) => f.key.toLowerCase() === key.toLowerCase());
      if (!field || v.kind === 'null') continue;
      const fieldPath = [...path, field.key];
      if ('type' in field) {
        const value = this.scalar(v, field.type, spec.name, fieldPath);
        if (value !== undefined) into[field.key] = value;
      } else if (v.kind === 'object') {
        const nested = (typeof into[field.key] === 'object' ? into[field.key] : {}) as Decoded;
        into[field.key] = nested;
        this.object(v.entries, field.struct, fieldPath, nested);
      } else {
        this.typeError(kindName(v), spec.name, fieldPath, field.goType);
      }
    }
  }
}

/**
 * Decodes a JSON value into a struct shape. `start` holds the current values (Go decodes over
 * an existing struct); `goType` names the target in top-level mismatch errors.
 * Throws GoJsonError with Go's message on the first type mismatch.
 */
export function decodeStruct(value: JValue, spec: GoStruct, goType: string, start: Decoded = {}): Decoded {
  const out: Decoded = structuredClone(start);
  if (value.kind === 'null') return out;
  if (value.kind !== 'object') throw new GoJsonError(`json: cannot unmarshal ${kindName(value)} into Go value of type ${goType}`);
  const decoder = new StructDecoder();
  decoder.object(value.entries, spec, [], out);
  if (decoder.firstError) throw new GoJsonError(decoder.firstError);
  return out;
}

/** Go's json.Marshal: compact, with <, > and & escaped as \u003c, \u003e, \u0026. */
export function goMarshal(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

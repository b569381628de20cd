// `--set clients.count=5000`: one scenario field from the command line. Applied to the raw
// scenario before validation, so a --set value is checked by the same rules as the file.
import { parse as parseYaml } from 'yaml';
import { usageError } from '../util/errors';
import { isPlainObject } from './fields';

export interface SetValue {
  path: Array<string | number>;  // "faults.0.at" → ['faults', 0, 'at']
  value: unknown;                // the text after "=" read as a YAML scalar: 5000, true, "10s"
  text: string;                  // as written, for messages
}

const HINT = 'write it like --set clients.count=5000, --set faults.0.for=10s or --set "thresholds[latency.p99]=< 200ms"';
const WHOLE_PATH = /^(?:[^.[\]]+|\[[^\]]+\])(?:\.[^.[\]]+|\[[^\]]+\])*$/;
const SEGMENT = /\.?([^.[\]]+)|\[([^\]]+)\]/g;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * "clients.count" → ['clients', 'count']; "faults.0.at" and "faults[0].at" → ['faults', 0, 'at'];
 * a key with dots in brackets: "thresholds[latency.p99]" → ['thresholds', 'latency.p99'].
 */
function pathOf(key: string): Array<string | number> | undefined {
  if (!WHOLE_PATH.test(key)) return undefined;
  const path: Array<string | number> = [];
  for (const m of key.matchAll(SEGMENT)) {
    const part = (m[1] ?? m[2]).trim().replace(/^(["'])(.*)\1$/, '$2');
    if (part === '' || FORBIDDEN.has(part)) return undefined;
    path.push(/^\d+$/.test(part) ? Number(part) : part);
  }
  return typeof path[0] === 'string' ? path : undefined;
}

/** "a.b.0.c=value" → SetValue; throws a usage error (exit 2) naming the --set. */
export function parseSet(text: string): SetValue {
  const eq = text.indexOf('=');
  if (eq <= 0) throw usageError(`--set ${JSON.stringify(text)}: is not field=value`, HINT);
  const key = text.slice(0, eq).trim();
  const path = pathOf(key);
  if (!path) throw usageError(`--set ${JSON.stringify(text)}: "${key}" is not a field path`, HINT);
  return { path, value: scalarOf(text.slice(eq + 1), text), text };
}

/** A YAML scalar (number, boolean, null, text); a mapping or list is refused: set its fields one by one. */
function scalarOf(raw: string, text: string): unknown {
  if (raw.trim() === '') return '';
  let value: unknown;
  try {
    value = parseYaml(raw);
  } catch {
    return raw; // e.g. "a: b: c" is no scalar YAML knows; the text as written is what was meant
  }
  if (value !== null && typeof value === 'object') {
    throw usageError(`--set ${JSON.stringify(text)}: the value is a ${Array.isArray(value) ? 'list' : 'mapping'}, not a single value`, 'set one field per --set, e.g. --set clients.reconnect.max=2s');
  }
  return value;
}

/** Writes every --set into `raw` in order (a later one wins), creating missing mappings. */
export function applySets(raw: Record<string, unknown>, sets: readonly SetValue[]): void {
  for (const { path, value, text } of sets) {
    let node: unknown = raw;
    const listNeedsIndex = (i: number) => {
      if (Array.isArray(node) && typeof path[i] !== 'number') throw usageError(`--set ${JSON.stringify(text)}: ${path.slice(0, i).join('.')} is a list`, 'name an item by its index, e.g. faults.0.at');
    };
    for (let i = 0; i < path.length - 1; i++) {
      listNeedsIndex(i);
      const part = path[i];
      const container = node as Record<string | number, unknown>;
      let next = container[part];
      if (next === undefined || next === null) {
        if (typeof path[i + 1] === 'number') throw usageError(`--set ${JSON.stringify(text)}: ${path.slice(0, i + 1).join('.')} has no list to index`, 'an index can only point into a list the file already has');
        next = {};
        container[part] = next;
      }
      if (!isPlainObject(next) && !Array.isArray(next)) {
        throw usageError(`--set ${JSON.stringify(text)}: ${path.slice(0, i + 1).join('.')} is a single value, not a mapping`, HINT);
      }
      if (Array.isArray(next) && typeof path[i + 1] === 'number' && (path[i + 1] as number) >= next.length) {
        throw usageError(`--set ${JSON.stringify(text)}: ${path.slice(0, i + 1).join('.')} has ${next.length} items, no item ${path[i + 1]}`, 'items are counted from 0');
      }
      node = next;
    }
    listNeedsIndex(path.length - 1);
    (node as Record<string | number, unknown>)[path[path.length - 1]] = value;
  }
}

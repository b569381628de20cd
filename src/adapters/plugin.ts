// Plug-in adapters: `cluster.adapter: ./my-adapter.js` names a module of the user's that
// implements the Adapter interface (types.ts, docs/adapters.md). It is loaded with require(),
// synchronously, so the scenario reader can check it like a built-in before anything starts;
// Node >= 20.19 require() also loads an ES module (one without top-level await). The module
// is loaded again, by its absolute path, in every process that runs clients (driver, workers).
import { GUARANTEES } from '../contracts/metrics';
import type { Adapter } from './types';

/** A written adapter that is a path, not a built-in name: ./x, ../x, /x, or a .js/.cjs/.mjs file. */
export function isAdapterPath(name: string): boolean {
  return /^\.{1,2}\//.test(name) || name.startsWith('/') || /\.(c|m)?js$/i.test(name);
}

/** Why a module cannot serve as an adapter: one line, for "cluster.adapter: <written> <problem>". */
export class PluginProblem extends Error {}

export const PLUGIN_HINT = 'see docs/adapters.md';

const loaded = new Map<string, Adapter>();

/** The adapter exported by the module at `absolutePath`, checked; throws PluginProblem. Cached per path. */
export function loadPluginAdapter(absolutePath: string): Adapter {
  const cached = loaded.get(absolutePath);
  if (cached) return cached;
  let mod: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(absolutePath);
  } catch (e) {
    throw new PluginProblem(loadFailure(e, absolutePath));
  }
  const adapter = exportedAdapter(mod);
  if (adapter === undefined) throw new PluginProblem('exports no adapter (module.exports = adapter, export default adapter, or export const adapter)');
  const missing = adapterProblem(adapter);
  if (missing) throw new PluginProblem(missing);
  loaded.set(absolutePath, adapter as Adapter);
  return adapter as Adapter;
}

/** export default first, then a named `adapter`, then (CommonJS) module.exports itself. */
function exportedAdapter(mod: unknown): unknown {
  if (!isObject(mod)) return undefined;
  for (const candidate of [mod.default, mod.adapter, mod]) if (looksLikeAdapter(candidate)) return candidate;
  // nothing adapter-like: judge what was most likely meant, so the problem names a member
  return [mod.default, mod.adapter].find(isObject) ?? (Object.keys(mod).length > 0 ? mod : undefined);
}

const looksLikeAdapter = (v: unknown): v is Record<string, unknown> =>
  isObject(v) && ('createClient' in v || 'capabilities' in v || 'urlSchemes' in v || 'defaultGuarantee' in v);

/** The first thing an adapter lacks or gets wrong, or null when it is complete. */
function adapterProblem(a: unknown): string | null {
  if (!isObject(a)) return 'exports no adapter object';
  if (typeof a.name !== 'string' || a.name.trim() === '') return 'has no name (a non-empty string)';
  if (typeof a.createClient !== 'function') return 'has no createClient(url, events, opts)';
  const caps = a.capabilities;
  if (!isObject(caps)) return 'has no capabilities { serials, resume, acks, idempotentPublish, ordering }';
  for (const flag of ['serials', 'acks', 'idempotentPublish'] as const) {
    if (typeof caps[flag] !== 'boolean') return `has no capabilities.${flag} (true or false; it is ${shownValue(caps[flag])})`;
  }
  if (!['serial', 'session', 'none'].includes(caps.resume as string)) return `has no valid capabilities.resume (serial, session or none; it is ${shownValue(caps.resume)})`;
  if (!['total', 'per-publisher'].includes(caps.ordering as string)) return `has no valid capabilities.ordering (total or per-publisher; it is ${shownValue(caps.ordering)})`;
  if (!(GUARANTEES as readonly unknown[]).includes(a.defaultGuarantee)) {
    return `has no valid defaultGuarantee (${GUARANTEES.join(', ')}; it is ${shownValue(a.defaultGuarantee)})`;
  }
  const schemes = a.urlSchemes;
  if (!Array.isArray(schemes) || schemes.length === 0 || !schemes.every((s) => typeof s === 'string' && /^[a-z][a-z0-9+.-]*$/.test(s))) {
    return `has no urlSchemes (a non-empty list of URL schemes without the colon, e.g. ["ws"]; it is ${shownValue(schemes)})`;
  }
  if (a.resendsAfterReconnect !== undefined && typeof a.resendsAfterReconnect !== 'function') {
    return `has a resendsAfterReconnect that is not a function (options) => boolean (it is ${shownValue(a.resendsAfterReconnect)})`;
  }
  return null;
}

function loadFailure(e: unknown, path: string): string {
  const err = e as { code?: string; message?: string };
  if (err?.code === 'MODULE_NOT_FOUND' && err.message?.includes(`'${path}'`)) return `does not exist (looked for ${path})`;
  if (err?.code === 'ERR_REQUIRE_ASYNC_MODULE') return 'is an ES module with top-level await, which require() cannot load (move the await into createClient or connect)';
  if (err?.code === 'ERR_REQUIRE_ESM') return 'is an ES module, which this Node cannot require() (use Node >= 20.19, or write it as CommonJS: module.exports = adapter)';
  const first = String(err?.message ?? e).split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  return `does not load: ${e instanceof Error ? `${e.name}: ` : ''}${first.trim().slice(0, 200)}`;
}

function shownValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'function') return 'a function';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null;
}

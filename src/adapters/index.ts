// Picks the adapter a run's clients speak. Client libraries load only when their adapter is used.
import { ADAPTERS } from './catalog';
import type { Adapter, AdapterConfig } from './types';
import { loadPluginAdapter, PluginProblem, PLUGIN_HINT } from './plugin';
import { usageError } from '../util/errors';

const loaded = new Map<string, Adapter>();

export function adapterFor(name = 'v1'): Adapter {
  const cached = loaded.get(name);
  if (cached) return cached;
  const entry = Object.prototype.hasOwnProperty.call(ADAPTERS, name) ? ADAPTERS[name] : undefined;
  if (!entry) throw usageError(`unknown adapter "${name}"`, `one of ${Object.keys(ADAPTERS).join(', ')}`);
  if (!entry.load) throw usageError(`adapter "${name}" is not built yet`, 'use v1, nats, redis-pubsub, redis-streams or mqtt');
  const adapter = entry.load();
  loaded.set(name, adapter);
  return adapter;
}

/** The adapter of a run: a user's plug-in module when the config names one, else a built-in. */
export function adapterOf(config: AdapterConfig | undefined): Adapter {
  if (!config?.module) return adapterFor(config?.name);
  try {
    return loadPluginAdapter(config.module);
  } catch (e) {
    // checked when the scenario was read; a module changed since then is still the user's
    if (e instanceof PluginProblem) throw usageError(`cluster.adapter: ${config.name} ${e.message}`, PLUGIN_HINT);
    throw e;
  }
}

export type { Adapter, AdapterConfig, AdapterCapabilities } from './types';

// Picks the adapter a run's clients speak. Client libraries load only when their adapter is used.
import { ADAPTERS } from './catalog';
import type { Adapter } from './types';
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

export type { Adapter, AdapterConfig, AdapterCapabilities } from './types';

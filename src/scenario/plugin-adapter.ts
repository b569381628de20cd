// cluster.adapter written as a path (./my-adapter.js): the user's module is found relative to
// the scenario file's folder, loaded and checked here, before anything starts, so a broken
// module is one line naming what it lacks (exit 2). Only runtime external takes a plug-in:
// it speaks the user's own system, which chat-bench cannot start.
import { isAbsolute, resolve } from 'node:path';
import type { Guarantee } from '../contracts/metrics';
import type { ClusterSpec, RuntimeKind } from '../contracts/scenario';
import { defaultGuaranteeOf, type AdapterEntry } from '../adapters/catalog';
import { loadPluginAdapter, PLUGIN_HINT, PluginProblem } from '../adapters/plugin';
import type { Fields } from './fields';

export { isAdapterPath } from '../adapters/plugin';

export interface PluginChoice {
  /** the module's absolute path */
  module: string;
  entry: AdapterEntry;
}

/** Resolves, loads and checks the module `written` names (relative to `baseDir`); fails on cluster.adapter. */
export function readPluginAdapter(f: Fields, written: string, runtime: RuntimeKind, baseDir: string): PluginChoice {
  if (runtime !== 'external') {
    f.fail('adapter', `${written} is a plug-in adapter, which needs runtime external (runtime is ${runtime})`,
      'write "runtime: external" and the URLs of your system; chat-bench starts only the systems it has built-in adapters for');
  }
  if (f.has('system')) f.fail('system', `is not used with a plug-in adapter (${written})`, 'leave system out: the URLs say where your system is');
  const module = isAbsolute(written) ? written : resolve(baseDir, written);
  try {
    const adapter = loadPluginAdapter(module);
    return {
      module,
      entry: {
        system: null, // a plug-in runs on runtime external only
        capabilities: adapter.capabilities, defaultGuarantee: adapter.defaultGuarantee, urlSchemes: adapter.urlSchemes, load: () => adapter,
      },
    };
  } catch (e) {
    if (e instanceof PluginProblem) f.fail('adapter', `${written} ${e.message}`, PLUGIN_HINT);
    throw e;
  }
}

/** cluster.options of a plug-in: any mapping, handed to the adapter as written (ClientOptions.options). */
export function readPluginOptions(f: Fields): Record<string, unknown> | undefined {
  return f.mapping('options', 'write it like { room: lobby }: the adapter receives it as ClientOptions.options');
}

/** The guarantee a scenario is held to when it writes none: a plug-in's own, or the built-in's. */
export function defaultGuaranteeFor(cluster: ClusterSpec | undefined): Guarantee {
  if (cluster?.adapterModule) return loadPluginAdapter(cluster.adapterModule).defaultGuarantee;
  return defaultGuaranteeOf(cluster?.adapter ?? 'v1', cluster?.adapterOptions);
}

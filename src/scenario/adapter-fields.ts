// cluster.system, cluster.adapter and cluster.resume: which system is under test and how the
// clients speak to it. Refuses an unknown adapter, one that does not speak the system, a
// resume mode the adapter cannot do, and URLs whose scheme is not the adapter's.
import { ADAPTERS, ADAPTER_NAMES, ADAPTER_OPTIONS, DEFAULT_ADAPTER, type AdapterEntry } from '../adapters/catalog';
import { SYSTEMS, type ResumeMode, type RuntimeKind, type SystemKind } from '../contracts/scenario';
import { FieldError, type Fields } from './fields';
import { shown } from './problem';
import { readSocketIoOptions } from './socketio-options';
import { isAdapterPath, readPluginAdapter, readPluginOptions } from './plugin-adapter';

export interface AdapterChoice {
  system: SystemKind;
  adapter: string;
  entry: AdapterEntry;
  resume?: ResumeMode;
  options?: Record<string, unknown>;
  /** a plug-in adapter: the module's absolute path */
  module?: string;
}

const RESUME_MODES: readonly ResumeMode[] = ['serial', 'session', 'none'];

export function readAdapterChoice(f: Fields | undefined, runtime: RuntimeKind, baseDir = process.cwd()): AdapterChoice {
  const writtenSystem = f?.oneOf('system', SYSTEMS);
  const name = f?.string('adapter');
  const plugin = name !== undefined && isAdapterPath(name) ? readPluginAdapter(f!, name, runtime, baseDir) : undefined;
  if (name !== undefined && !plugin && !ADAPTER_NAMES.includes(name)) f!.fail('adapter', `${shown(name)} is not an adapter`, `one of ${ADAPTER_NAMES.join(', ')}`);
  const adapter = name ?? DEFAULT_ADAPTER[writtenSystem ?? 'reference'];
  const entry = plugin?.entry ?? ADAPTERS[adapter];
  if (!entry.load) f!.fail('adapter', `${adapter} is not built yet`, 'built: v1, nats, redis-pubsub, redis-streams, mqtt');
  if (entry.system === null && runtime !== 'external') {
    f!.fail('adapter', `${adapter} needs runtime external: chat-bench starts no ${adapter} server`, 'run your server and write "runtime: external" with its urls');
  }
  // On runtime external the system is whatever the URLs point at; elsewhere the adapter names it.
  const system = writtenSystem ?? entry.system ?? 'reference';
  if (runtime !== 'external' && entry.system !== system) {
    f!.fail('adapter', `${adapter} speaks to ${entry.system}, not to system ${system}`,
      `with system ${system} use adapter ${ADAPTER_NAMES.filter((n) => ADAPTERS[n].system === system).join(' or ')}`);
  }
  if (runtime === 'docker' && system !== 'reference') f!.fail('system', `runtime docker starts only the reference broker (not ${system})`, 'use runtime local for real systems');
  const choice: AdapterChoice = { system, adapter, entry, ...(plugin ? { module: plugin.module } : {}) };
  const resume = f?.oneOf('resume', RESUME_MODES);
  if (resume !== undefined) {
    const can = entry.capabilities.resume;
    if (resume !== 'none' && resume !== can) {
      f!.fail('resume', `adapter ${adapter} cannot resume by ${resume} (it resumes: ${can})`,
        can === 'none' ? `${adapter} is at-most-once across a reconnect; leave resume out or write "resume: none"` : `write "resume: ${can}" or leave it out`);
    }
    choice.resume = resume;
  }
  if (plugin) {
    const options = readPluginOptions(f!);
    if (options) choice.options = options;
    return choice;
  }
  const known = ADAPTER_OPTIONS[adapter] ?? [];
  if (f?.has('options')) {
    if (known.length === 0) f.fail('options', `adapter ${adapter} takes no options`);
    const o = f.object('options', known)!;
    if (adapter === 'socketio') {
      choice.options = readSocketIoOptions(o);
      return choice;
    }
    const options: Record<string, unknown> = {};
    const qos = o.integer('qos', { min: 0, max: 2, hint: 'MQTT QoS is 0, 1 or 2' });
    if (qos !== undefined) options.qos = qos;
    const session = o.oneOf('session', ['clean', 'persistent'] as const);
    if (session !== undefined) options.session = session;
    choice.options = options;
  }
  return choice;
}

/** Each URL of runtime external must use a scheme of the adapter. */
export function checkUrlSchemes(f: Fields, urls: unknown[], choice: AdapterChoice): void {
  const schemes = choice.entry.urlSchemes;
  urls.forEach((url, i) => {
    const scheme = typeof url === 'string' ? /^([a-z][a-z0-9+.-]*):\/\/[^\s/]+/i.exec(url)?.[1]?.toLowerCase() : undefined;
    if (scheme === undefined || !schemes.includes(scheme)) {
      throw new FieldError([...f.at('urls'), i], `${shown(url)} is not a ${schemes.map((s) => `${s}://`).join(' or ')} URL${choice.adapter === 'v1' ? '' : ` (adapter ${choice.adapter})`}`,
        `write it like ${schemes[0]}://host:port${choice.adapter === 'v1' ? '/ws' : ''}`);
    }
  });
}

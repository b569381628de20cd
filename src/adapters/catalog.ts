// What every built-in adapter is, without loading its client library: the scenario checks
// names, capabilities and URL schemes against this; the driver loads the adapter itself
// (adapterFor) only in the processes that run clients.
import type { Guarantee } from '../contracts/metrics';
import type { SystemKind } from '../contracts/scenario';
import { SOCKETIO_OPTIONS } from './socketio-settings';
import type { Adapter, AdapterCapabilities } from './types';

export interface AdapterEntry {
  /** the system the local runtime starts for it; null: none (runtime external only) */
  system: SystemKind | null;
  capabilities: AdapterCapabilities;
  defaultGuarantee: Guarantee;
  urlSchemes: readonly string[];
  /** the cluster.auth fields it applies to its connections (jwt goes wherever a template does) */
  auth?: readonly AuthField[];
  /** applies cluster.tls and the origin's name to TLS (else cluster.tls is refused for it) */
  tls?: boolean;
  /** null: named in DESIGN.md but not built yet */
  load: (() => Adapter) | null;
}

export type AuthField = 'headers' | 'query' | 'subprotocols' | 'username' | 'password' | 'payload';

/* eslint-disable @typescript-eslint/no-require-imports */
export const ADAPTERS: Readonly<Record<string, AdapterEntry>> = {
  v1: {
    system: 'reference', defaultGuarantee: 'exactly-once-ordered', urlSchemes: ['ws', 'wss'],
    auth: ['headers', 'query', 'subprotocols', 'username', 'password'], tls: true, // username/password: HTTP basic
    capabilities: { serials: true, resume: 'serial', acks: true, idempotentPublish: true, ordering: 'total' },
    load: () => (require('./v1') as typeof import('./v1')).v1Adapter,
  },
  nats: {
    // Core NATS: fire-and-forget subjects; a subscriber away misses what was sent meanwhile.
    system: 'nats', defaultGuarantee: 'at-most-once', urlSchemes: ['nats'],
    capabilities: { serials: false, resume: 'none', acks: false, idempotentPublish: false, ordering: 'per-publisher' },
    load: () => (require('./nats') as typeof import('./nats')).natsAdapter,
  },
  'redis-pubsub': {
    // PUBLISH/SUBSCRIBE: delivered to the subscribers connected at that moment, else dropped.
    system: 'redis', defaultGuarantee: 'at-most-once', urlSchemes: ['redis'],
    capabilities: { serials: false, resume: 'none', acks: false, idempotentPublish: false, ordering: 'total' },
    load: () => (require('./redis-pubsub') as typeof import('./redis-pubsub')).redisPubSubAdapter,
  },
  jetstream: {
    // A stream per channel (its sequence is the channel's serial, gap-free), durable consumers
    // with explicit acks (resume = the server-side consumer), Nats-Msg-Id dedupe on publish.
    // At-least-once as JetStream documents: a delivery whose ack was lost comes again.
    system: 'nats', defaultGuarantee: 'at-least-once', urlSchemes: ['nats'],
    capabilities: { serials: true, resume: 'session', acks: true, idempotentPublish: true, ordering: 'total' },
    load: () => (require('./jetstream') as typeof import('./jetstream')).jetstreamAdapter,
  },
  'redis-streams': {
    system: 'redis', defaultGuarantee: 'exactly-once-ordered', urlSchemes: ['redis'],
    capabilities: { serials: false, resume: 'serial', acks: true, idempotentPublish: true, ordering: 'total' },
    load: () => (require('./redis-streams') as typeof import('./redis-streams')).redisStreamsAdapter,
  },
  mqtt: {
    system: 'mosquitto', defaultGuarantee: 'at-least-once', urlSchemes: ['mqtt'],
    capabilities: { serials: false, resume: 'session', acks: true, idempotentPublish: false, ordering: 'per-publisher' },
    load: () => (require('./mqtt') as typeof import('./mqtt')).mqttAdapter,
  },
  socketio: {
    // A Socket.IO app of the user's (runtime external). At most once unless the server enables
    // connection state recovery, which replays what a client missed while briefly away.
    system: null, defaultGuarantee: 'at-least-once', urlSchemes: ['http', 'https', 'ws', 'wss'],
    auth: ['headers', 'query', 'subprotocols', 'payload'], tls: true, // payload: the handshake's `auth`
    capabilities: { serials: false, resume: 'session', acks: true, idempotentPublish: false, ordering: 'per-publisher' },
    load: () => (require('./socketio') as typeof import('./socketio')).socketIoAdapter,
  },
};

export const ADAPTER_NAMES = Object.keys(ADAPTERS);

/** cluster.options each adapter takes (values checked by the scenario reader). */
export const ADAPTER_OPTIONS: Readonly<Record<string, readonly string[]>> = { mqtt: ['qos', 'session'], socketio: SOCKETIO_OPTIONS };

/** The guarantee a scenario is held to when it writes none: the adapter's, as configured. */
export function defaultGuaranteeOf(adapter: string, options: Readonly<Record<string, unknown>> = {}): Guarantee {
  // MQTT QoS 0, or a clean session (nothing kept while away): the system promises at most once.
  if (adapter === 'mqtt' && (options.qos === 0 || options.session === 'clean')) return 'at-most-once';
  // Socket.IO without recovery, or with nothing acked: at most once, as its docs say.
  if (adapter === 'socketio' && (options.recovery === false || options.ack === 'none')) return 'at-most-once';
  return ADAPTERS[adapter].defaultGuarantee;
}

/** The adapter a system speaks when the scenario names none. */
export const DEFAULT_ADAPTER: Readonly<Record<SystemKind, string>> = {
  reference: 'v1', nats: 'nats', redis: 'redis-pubsub', mosquitto: 'mqtt',
};

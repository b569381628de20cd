// One NATS connection as both NATS adapters open it: the library's own reconnect off (the
// virtual client reconnects, with its backoff and accounting), its dead-link check on top of
// chat-bench's pings, and cluster updates ignored so no connection goes around its proxy.
import { connect, type NatsConnection } from 'nats';
import type { ClientOptions } from './types';

export function connectNats(url: string, opts: ClientOptions): Promise<NatsConnection> {
  return connect({
    servers: url, name: opts.clientId, reconnect: false, timeout: opts.connectTimeoutMs,
    pingInterval: Math.max(1000, Math.floor(opts.connectTimeoutMs / 2)), maxPingOut: 2,
    ignoreClusterUpdates: true,
  });
}

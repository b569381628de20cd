// Core NATS (the `nats` npm package, the NATS maintainers' Node client): one subject per
// channel, at-most-once. The client library's own reconnect is off: reconnecting is the
// virtual client's job (backoff, accounting). "Acked" and "subscribed" mean the server has
// processed the PUB/SUB: a flush (PING/PONG) after it came back.
import type { NatsConnection } from 'nats';
import { connectNats } from './nats-connect';
import { ADAPTERS } from './catalog';
import { deliverKeyed, encodeKeyed } from './keyed-payload';
import type { Adapter, AdapterClient, AdapterEvents, ClientOptions } from './types';

const text = new TextDecoder();
const bytes = new TextEncoder();

class NatsClient implements AdapterClient {
  private nc: NatsConnection | null = null;
  private generation = 0;                 // a late callback of an old connection is ignored

  constructor(private readonly url: string, private readonly events: AdapterEvents, private readonly opts: ClientOptions) {}

  connect(): void {
    const gen = ++this.generation;
    connectNats(this.url, this.opts).then((nc) => {
      if (gen !== this.generation) {
        void nc.close();
        return;
      }
      this.nc = nc;
      void nc.closed().then(() => this.lost(gen));
      this.events.opened();
    }, () => this.lost(gen));
  }

  private lost(gen: number): void {
    if (gen !== this.generation) return;
    this.generation++;
    this.nc = null;
    this.events.closed();
  }

  subscribe(channel: string): void {
    const nc = this.nc;
    if (!nc) return;
    const gen = this.generation;
    nc.subscribe(channel, {
      callback: (err, msg) => {
        if (err || gen !== this.generation) return;
        deliverKeyed(this.events, channel, text.decode(msg.data));
      },
    });
    nc.flush().then(() => { if (gen === this.generation) this.events.subscribed(channel, undefined, undefined); }, () => {});
  }

  publish(channel: string, key: string, payload: string): void {
    const nc = this.nc;
    if (!nc) return;
    const gen = this.generation;
    try {
      nc.publish(channel, bytes.encode(encodeKeyed(key, payload)));
    } catch {
      return; // closing: the ack deadline decides
    }
    nc.flush().then(() => { if (gen === this.generation) this.events.acked(key, 0); }, () => {});
  }

  ping(): void {
    const gen = this.generation;
    this.nc?.flush().then(() => { if (gen === this.generation) this.events.heard(); }, () => {});
  }

  terminate(): void {
    const nc = this.nc;
    if (!nc) return;
    this.lost(this.generation);     // at once: a graceful close may wait on a dead link
    void nc.close().catch(() => {});
  }

  stop(): void {
    this.generation++;
    const nc = this.nc;
    this.nc = null;
    if (nc) void nc.close().catch(() => {});
  }
}

export const natsAdapter: Adapter = {
  name: 'nats',
  ...ADAPTERS.nats,
  createClient: (url, events, opts) => new NatsClient(url, events, opts),
};

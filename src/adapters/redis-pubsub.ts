// Redis PUBLISH/SUBSCRIBE with `redis` (node-redis, the client Redis itself maintains; chosen
// over ioredis for that, its types, and a per-client switch that turns its reconnect off).
// A subscribed Redis connection can do nothing but subscribe, so each virtual client holds
// two: one to publish (and ping), one to subscribe. Either dropping drops both.
import { createClient } from 'redis';
import { ADAPTERS } from './catalog';
import { deliverKeyed, encodeKeyed } from './keyed-payload';
import type { Adapter, AdapterClient, AdapterEvents, ClientOptions } from './types';

type Redis = ReturnType<typeof createClient>;

class RedisPubSubClient implements AdapterClient {
  private pub: Redis | null = null;
  private sub: Redis | null = null;
  private generation = 0;

  constructor(private readonly url: string, private readonly events: AdapterEvents, private readonly opts: ClientOptions) {}

  connect(): void {
    const gen = ++this.generation;
    const pub = createClient({
      url: this.url, disableOfflineQueue: true,
      socket: { reconnectStrategy: false, connectTimeout: this.opts.connectTimeoutMs,
        ...(this.opts.localAddress ? { localAddress: this.opts.localAddress } : {}) },
    });
    const sub = pub.duplicate();
    for (const c of [pub, sub]) {
      c.on('error', () => this.lost(gen));
      c.on('end', () => this.lost(gen));
    }
    this.pub = pub;
    this.sub = sub;
    Promise.all([pub.connect(), sub.connect()]).then(() => {
      if (gen === this.generation) this.events.opened();
    }, () => this.lost(gen));
  }

  private lost(gen: number): void {
    if (gen !== this.generation) return;
    this.generation++;
    this.drop();
    this.events.closed();
  }

  private drop(): void {
    for (const c of [this.pub, this.sub]) if (c) c.disconnect().catch(() => {});
    this.pub = this.sub = null;
  }

  subscribe(channel: string): void {
    const sub = this.sub;
    if (!sub) return;
    const gen = this.generation;
    sub.subscribe(channel, (message) => {
      if (gen === this.generation) deliverKeyed(this.events, channel, message);
    }).then(() => { if (gen === this.generation) this.events.subscribed(channel, undefined, undefined); }, () => {});
  }

  publish(channel: string, key: string, payload: string): void {
    const pub = this.pub;
    if (!pub) return;
    const gen = this.generation;
    pub.publish(channel, encodeKeyed(key, payload)).then(() => { if (gen === this.generation) this.events.acked(key, 0); }, () => {});
  }

  ping(): void {
    const gen = this.generation;
    this.pub?.ping().then(() => { if (gen === this.generation) this.events.heard(); }, () => {});
  }

  terminate(): void {
    this.lost(this.generation);
  }

  stop(): void {
    this.generation++;
    this.drop();
  }
}

export const redisPubSubAdapter: Adapter = {
  name: 'redis-pubsub',
  ...ADAPTERS['redis-pubsub'],
  createClient: (url, events, opts) => new RedisPubSubClient(url, events, opts),
};

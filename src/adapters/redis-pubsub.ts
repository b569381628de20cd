// Redis PUBLISH/SUBSCRIBE with `redis` (node-redis, the client Redis itself maintains; chosen
// over ioredis for that, its types, and a per-client switch that turns its reconnect off).
// A subscribed Redis connection can do nothing but subscribe, so each virtual client holds
// two (redis-pair.ts): one to publish (and ping), one to subscribe.
import { ADAPTERS } from './catalog';
import { deliverKeyed, encodeKeyed } from './keyed-payload';
import { RedisPairClient } from './redis-pair';
import type { Adapter } from './types';

class RedisPubSubClient extends RedisPairClient {
  subscribe(channel: string): void {
    const sub = this.second;
    if (!sub) return;
    const gen = this.generation;
    sub.subscribe(channel, (message) => {
      if (gen === this.generation) deliverKeyed(this.events, channel, message);
    }).then(() => { if (gen === this.generation) this.events.subscribed(channel, undefined, undefined); }, () => {});
  }

  publish(channel: string, key: string, payload: string): void {
    const pub = this.cmd;
    if (!pub) return;
    const gen = this.generation;
    pub.publish(channel, encodeKeyed(key, payload)).then(() => { if (gen === this.generation) this.events.acked(key, 0); }, () => {});
  }
}

export const redisPubSubAdapter: Adapter = {
  name: 'redis-pubsub',
  ...ADAPTERS['redis-pubsub'],
  createClient: (url, events, opts) => new RedisPubSubClient(url, events, opts),
};

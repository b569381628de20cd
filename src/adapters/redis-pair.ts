// Two node-redis connections per virtual client, living and dying together: `cmd` for commands
// (publish, ping) and `second` for what blocks a connection (SUBSCRIBE in redis-pubsub, the
// XREAD loop in redis-streams). node-redis's own reconnect and offline queue are off: the
// virtual client reconnects. Either connection dropping drops both, and closed() fires once.
import { createClient } from 'redis';
import type { AdapterClient, AdapterEvents, ClientOptions } from './types';

export type Redis = ReturnType<typeof createClient>;

export abstract class RedisPairClient implements AdapterClient {
  protected cmd: Redis | null = null;
  protected second: Redis | null = null;
  /** bumped on every connect and drop: callbacks of an older connection compare and do nothing */
  protected generation = 0;

  constructor(private readonly url: string, protected readonly events: AdapterEvents, protected readonly opts: ClientOptions) {}

  abstract subscribe(channel: string, from: number | undefined): void;
  abstract publish(channel: string, key: string, payload: string): void;

  /** Per-connection state of the subclass, reset before each connect. */
  protected beforeConnect(): void { /* none by default */ }

  connect(): void {
    const gen = ++this.generation;
    this.beforeConnect();
    const cmd = createClient({
      url: this.url, disableOfflineQueue: true,
      socket: { reconnectStrategy: false, connectTimeout: this.opts.connectTimeoutMs,
        ...(this.opts.localAddress ? { localAddress: this.opts.localAddress } : {}) },
    });
    const second = cmd.duplicate();
    for (const c of [cmd, second]) {
      c.on('error', () => this.lost(gen));
      c.on('end', () => this.lost(gen));
    }
    this.cmd = cmd;
    this.second = second;
    Promise.all([cmd.connect(), second.connect()]).then(() => {
      if (gen === this.generation) this.events.opened();
    }, () => this.lost(gen));
  }

  protected lost(gen: number): void {
    if (gen !== this.generation) return;
    this.generation++;
    this.drop();
    this.events.closed();
  }

  private drop(): void {
    for (const c of [this.cmd, this.second]) if (c) c.disconnect().catch(() => {});
    this.cmd = this.second = null;
  }

  ping(): void {
    const gen = this.generation;
    this.cmd?.ping().then(() => { if (gen === this.generation) this.events.heard(); }, () => {});
  }

  terminate(): void {
    this.lost(this.generation);
  }

  stop(): void {
    this.generation++;
    this.drop();
  }
}

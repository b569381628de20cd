// Redis Streams (node-redis, as redis-pubsub): one stream per channel. Publish = XADD, made
// idempotent by key with a small Lua script (the key remembers the entry id it was stored
// as; a retry returns that id instead of adding again). Subscribe = XREAD from the last id
// this client saw, which it keeps across reconnects: resume by position, nothing missed.
import { ADAPTERS } from './catalog';
import { RedisPairClient } from './redis-pair';
import type { Adapter } from './types';

const ADD_ONCE = `local seen = redis.call('GET', KEYS[2])
if seen then return seen end
local id = redis.call('XADD', KEYS[1], '*', 'id', ARGV[1], 'd', ARGV[2])
redis.call('SET', KEYS[2], id, 'EX', 86400)
return id`;
const READ_BLOCK_MS = 1000;
const READ_COUNT = 200;

/** `cmd`: XADD, PING, XREVRANGE; `second` (redis-pair.ts): the blocking XREAD loop only. */
class RedisStreamsClient extends RedisPairClient {
  private reading = false;
  /** channel → last entry id seen; kept across reconnects (that is the resume) */
  private readonly lastId = new Map<string, string>();
  /** channels confirmed on this connection, in the order the XREAD names them */
  private live: string[] = [];

  protected override beforeConnect(): void {
    this.live = [];
    this.reading = false;
  }

  subscribe(channel: string): void {
    const cmd = this.cmd;
    if (!cmd) return;
    const gen = this.generation;
    const known = this.opts.resume !== 'none' ? this.lastId.get(channel) : undefined;
    // First time (or no resume): start after the stream's current last entry.
    const position = known !== undefined ? Promise.resolve(known)
      : cmd.xRevRange(channel, '+', '-', { COUNT: 1 }).then((last) => last[0]?.id ?? '0-0');
    position.then((id) => {
      if (gen !== this.generation) return;
      this.lastId.set(channel, id);
      if (!this.live.includes(channel)) this.live.push(channel);
      this.events.subscribed(channel, undefined, known !== undefined);
      if (!this.reading) void this.readLoop(gen);
    }, () => {});
  }

  private async readLoop(gen: number): Promise<void> {
    this.reading = true;
    while (gen === this.generation && this.second) {
      const streams = this.live.map((key) => ({ key, id: this.lastId.get(key)! }));
      let reply;
      try {
        reply = await this.second.xRead(streams, { BLOCK: READ_BLOCK_MS, COUNT: READ_COUNT });
      } catch {
        return; // the connection went: lost() runs from its events
      }
      if (gen !== this.generation || !reply) continue;
      for (const stream of reply) {
        const channel = String(stream.name);
        for (const entry of stream.messages) {
          this.lastId.set(channel, entry.id);
          this.deliver(channel, entry.message);
        }
      }
    }
  }

  private deliver(channel: string, fields: Record<string, string>): void {
    let envelope: unknown;
    try {
      envelope = JSON.parse(fields.d);
    } catch {
      this.events.protocolError('stream entry field "d" is not JSON');
      return;
    }
    if (typeof fields.id !== 'string') {
      this.events.protocolError('stream entry has no "id" field');
      return;
    }
    this.events.delivered(channel, -1, fields.id, envelope);
  }

  publish(channel: string, key: string, payload: string): void {
    const cmd = this.cmd;
    if (!cmd) return;
    const gen = this.generation;
    cmd.eval(ADD_ONCE, { keys: [channel, `chat-bench:key:${key}`], arguments: [key, payload] })
      .then(() => { if (gen === this.generation) this.events.acked(key, 0); }, () => {});
  }
}

export const redisStreamsAdapter: Adapter = {
  name: 'redis-streams',
  ...ADAPTERS['redis-streams'],
  createClient: (url, events, opts) => new RedisStreamsClient(url, events, opts),
};

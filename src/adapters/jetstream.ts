// JetStream (the `nats` npm package's JetStream API, as core NATS uses it). One stream per
// channel (subject = the channel, file storage, replicas = min(3, the servers the cluster has)),
// so a channel's stream sequence counts 1, 2, 3 … with no gap: it is the channel's serial, as
// in protocol v1. Publish = a JetStream publish with Nats-Msg-Id = the chat-bench key (the
// server keeps a retried key once within its 2-minute duplicate window); acked = the PubAck,
// serial = its stream sequence. Subscribe = a durable pull consumer per (virtual client,
// channel) with explicit acks, which the server keeps while the client is away: resume =
// session, from the consumer's own position.
//
// Two things a pull consumer does not do for itself, done here as a careful JetStream client
// would (both are plain consumer operations, nothing the server is spared):
// - Messages the server sent on a connection that died are "pending" until AckWait (30 s)
//   and would come back long after later ones. So on a reconnect, when the durable has
//   pending or waiting pulls, it is recreated at its ack floor + 1 (its own position).
// - A delivery above the next expected sequence (messages lost in transit on a cut route,
//   still pending) re-syncs the same way at the next expected sequence, like the library's
//   ordered consumers do. Once: if the stream itself lacks a sequence, what follows is taken
//   and the checker sees the loss.
// Redeliveries below the expected sequence are passed on: the checker counts them as
// duplicates (JetStream is at-least-once).
import {
  AckPolicy, DeliverPolicy, StorageType,
  type ConsumerConfig, type ConsumerInfo, type ConsumerMessages, type JetStreamClient,
  type JetStreamManager, type JsMsg, type NatsConnection,
} from 'nats';
import { ADAPTERS } from './catalog';
import { deliverKeyed, encodeKeyed } from './keyed-payload';
import { connectNats } from './nats-connect';
import type { Adapter, AdapterClient, AdapterEvents, ClientOptions } from './types';

const text = new TextDecoder();
const bytes = new TextEncoder();

const RETRY_MS = 1000;                 // a JetStream API call that failed (no leader yet, a cut route) is tried again
const PULL = { max_messages: 256, expires: 5000, idle_heartbeat: 1000 }; // a dead pull is noticed within ~2 s
const MAX_REPLICAS = 3;
// err_codes of a stream asking for more replicas than the cluster has
const TOO_FEW_PEERS = new Set([10074 /* non-clustered */, 10023 /* insufficient resources */, 10005 /* no suitable peers */]);
const CONSUMER_NOT_FOUND = 10014;
const STREAM_NOT_FOUND = 10059;

/** A stream or consumer name from any text: [A-Za-z0-9-] kept, anything else as _XX (injective). */
const safeName = (s: string): string => s.replace(/[^A-Za-z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
const streamNameOf = (channel: string): string => `chatbench_${safeName(channel)}`;
const durableNameOf = (clientId: string, channel: string): string => `${safeName(clientId)}__${safeName(channel)}`;

const jsErrCode = (err: unknown): number | undefined => (err as { api_error?: { err_code?: number } })?.api_error?.err_code;

/** One channel of one virtual client; lives across reconnects (the durable's name and the sequence reached). */
interface ChannelState {
  /** a durable was created for it (on this or an earlier connection) */
  known: boolean;
  /** the stream sequence the durable was created after: its floor while nothing is acked (the server then reports 0) */
  start: number;
  /** the next stream sequence expected; deliveries below it are redeliveries */
  expect: number;
  /** after a re-sync: take the next delivery whatever its sequence (the stream may lack one) */
  acceptAny: boolean;
  /** the consumer being read; bumped to ignore an old one's late deliveries */
  token: number;
  messages: ConsumerMessages | null;
  /** connection generation on which the subscription was last confirmed; 0: never (generations start at 1) */
  confirmedGen: number;
  /** an open or re-sync in progress */
  busy: boolean;
}

class JetStreamAdapterClient implements AdapterClient {
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private jsm: JetStreamManager | null = null;
  private generation = 0;
  private readonly channels = new Map<string, ChannelState>();
  private readonly streams = new Map<string, Promise<void>>(); // streams known to exist, on this connection
  private readonly timers = new Set<NodeJS.Timeout>();
  private publishAttempt = 0;

  constructor(private readonly url: string, private readonly events: AdapterEvents, private readonly opts: ClientOptions) {}

  connect(): void {
    const gen = ++this.generation;
    connectNats(this.url, this.opts).then(async (nc) => {
      // checkAPI off: no round trip here; a server without JetStream fails the first stream call
      const jsm = await nc.jetstreamManager({ timeout: this.apiTimeoutMs, checkAPI: false }).catch(() => null);
      if (gen !== this.generation || !jsm) {
        void nc.close().catch(() => {});
        this.lost(gen); // nothing when this connect is no longer the current one
        return;
      }
      this.nc = nc;
      this.jsm = jsm;
      this.js = nc.jetstream({ timeout: this.apiTimeoutMs });
      void nc.closed().then(() => this.lost(gen));
      this.events.opened();
    }).catch(() => this.lost(gen));
  }

  private get apiTimeoutMs(): number {
    return Math.max(1000, this.opts.connectTimeoutMs);
  }

  private lost(gen: number): void {
    if (gen !== this.generation) return;
    this.drop();
    this.events.closed();
  }

  /** Ends the current connection's consumers and timers (the library's consume loop must be stopped, or it spins). */
  private drop(): void {
    this.generation++;
    for (const st of this.channels.values()) {
      st.token++;
      st.busy = false;
      st.messages?.stop();
      st.messages = null;
    }
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.streams.clear();
    const nc = this.nc;
    this.nc = this.js = this.jsm = null;
    if (nc) void nc.close().catch(() => {});
  }

  private later(fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, RETRY_MS * (0.5 + Math.random()));
    this.timers.add(t);
  }

  // --- streams ---------------------------------------------------------------------------

  /** The channel's stream exists (created here if not: replicas 3, or as many as the cluster has). */
  private ensureStream(channel: string): Promise<void> {
    const name = streamNameOf(channel);
    let ready = this.streams.get(name);
    if (!ready) {
      ready = this.createStream(name, channel);
      this.streams.set(name, ready);
      ready.catch(() => { if (this.streams.get(name) === ready) this.streams.delete(name); });
    }
    return ready;
  }

  private async createStream(name: string, channel: string): Promise<void> {
    const jsm = this.jsm!;
    try {
      await jsm.streams.info(name);
      return;
    } catch (err) {
      if (jsErrCode(err) !== STREAM_NOT_FOUND) throw err;
    }
    for (let replicas = MAX_REPLICAS; ; replicas--) {
      try {
        await jsm.streams.add({ name, subjects: [channel], storage: StorageType.File, num_replicas: replicas });
        return;
      } catch (err) {
        const code = jsErrCode(err);
        if (code === 10058) return; // created meanwhile by another client, with its replica count
        if (replicas === 1 || code === undefined || !TOO_FEW_PEERS.has(code)) throw err;
      }
    }
  }

  // --- subscribing -----------------------------------------------------------------------

  subscribe(channel: string): void {
    let st = this.channels.get(channel);
    if (!st) {
      st = { known: false, start: 0, expect: 1, acceptAny: false, token: 0, messages: null, confirmedGen: 0, busy: false };
      this.channels.set(channel, st);
    }
    this.open(channel, st, this.generation);
  }

  /**
   * Finds (or makes) the channel's durable consumer and reads it; retried while the connection
   * lives. With `from`, a re-sync: the same durable recreated to start at that sequence, and
   * the next delivery taken whatever its sequence (the stream may lack one).
   */
  private open(channel: string, st: ChannelState, gen: number, from?: number): void {
    if (gen !== this.generation || !this.jsm || st.busy) return;
    st.busy = true;
    const token = ++st.token;
    st.messages?.stop();
    st.messages = null;
    if (from !== undefined) st.acceptAny = true;
    const found = from === undefined ? this.findConsumer(channel, st)
      : this.recreate(st, streamNameOf(channel), durableNameOf(this.opts.clientId, channel), channel, from).then((info) => ({ info, kept: true }));
    found.then(async ({ info, kept }) => {
      if (gen !== this.generation || token !== st.token) return;
      await this.read(channel, st, info, token);
      if (gen !== this.generation || token !== st.token) return;
      st.busy = false;
      // (a re-sync comes from a delivery, so after this connection's confirmation: nothing to say)
      if (st.confirmedGen !== gen) {
        // at: the sequence the consumer delivers after. resumed: only after an earlier confirmation.
        const resumed = st.confirmedGen !== 0 ? kept : undefined;
        st.confirmedGen = gen;
        this.events.subscribed(channel, info.delivered.stream_seq, resumed);
      }
    }).catch(() => {
      if (gen !== this.generation || token !== st.token) return;
      st.busy = false;
      this.later(() => this.open(channel, st, gen));
    });
  }

  /**
   * The durable as it stands. First time, or resume none: a fresh one from the next message
   * on. After a reconnect: the one kept by the server (resumed), recreated at its ack floor
   * when it holds messages sent to the old connection; a fresh one if it is gone (not resumed).
   */
  private async findConsumer(channel: string, st: ChannelState): Promise<{ info: ConsumerInfo; kept: boolean }> {
    await this.ensureStream(channel);
    const jsm = this.jsm!;
    const stream = streamNameOf(channel);
    const durable = durableNameOf(this.opts.clientId, channel);
    if (st.known && this.opts.resume !== 'none') {
      let info: ConsumerInfo | null = null;
      try {
        info = await jsm.consumers.info(stream, durable);
      } catch (err) {
        if (jsErrCode(err) !== CONSUMER_NOT_FOUND) throw err;
      }
      if (info) {
        if (info.num_ack_pending > 0 || info.num_waiting > 0) {
          info = await this.recreate(st, stream, durable, channel, Math.max(info.ack_floor.stream_seq, st.start) + 1);
        }
        return { info, kept: true };
      }
    }
    await jsm.consumers.delete(stream, durable).catch(() => false); // a leftover of an earlier run, or resume none
    const info = await jsm.consumers.add(stream, this.consumerConfig(durable, channel, { deliver_policy: DeliverPolicy.New }));
    st.known = true;
    st.start = info.delivered.stream_seq;
    return { info, kept: false };
  }

  private consumerConfig(durable: string, channel: string, start: Partial<ConsumerConfig>): Partial<ConsumerConfig> {
    // One replica: the consumer's state lives on one server's disk (a killed server's consumers
    // carry on when it is back); the stream's messages stay replicated. Replicated consumers
    // made every publish ~20x slower on a loaded 3-node loopback cluster (p50 187 ms vs 9 ms).
    return { durable_name: durable, filter_subject: channel, ack_policy: AckPolicy.Explicit, max_deliver: -1, num_replicas: 1, ...start };
  }

  /** The same durable, starting at `from` (deleting it drops its pending and its pulls). */
  private async recreate(st: ChannelState, stream: string, durable: string, channel: string, from: number): Promise<ConsumerInfo> {
    const jsm = this.jsm!;
    await jsm.consumers.delete(stream, durable).catch((err) => { if (jsErrCode(err) !== CONSUMER_NOT_FOUND) throw err; });
    const info = await jsm.consumers.add(stream, this.consumerConfig(durable, channel, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from }));
    st.start = from - 1;
    return info;
  }

  private async read(channel: string, st: ChannelState, info: ConsumerInfo, token: number): Promise<void> {
    const consumer = await this.js!.consumers.get(info.stream_name, info.name);
    if (token !== st.token) return;
    st.expect = info.delivered.stream_seq + 1;
    const gen = this.generation;
    const messages = await consumer.consume({ ...PULL, bind: true, callback: (m) => this.onMessage(channel, st, token, m) });
    if (token !== st.token || gen !== this.generation) {
      messages.stop();
      return;
    }
    st.messages = messages;
    // The library ends a consume on a terminal status (consumer deleted …): open it again.
    void messages.closed().then(() => {
      if (token !== st.token || gen !== this.generation) return;
      st.messages = null;
      st.token++;
      this.later(() => this.open(channel, st, gen));
    });
  }

  private onMessage(channel: string, st: ChannelState, token: number, m: JsMsg): void {
    if (token !== st.token) return;
    const seq = m.seq;
    if (seq > st.expect && !st.acceptAny) {
      // A gap: what lies between was sent somewhere else and is pending. Read again from the next expected sequence.
      this.open(channel, st, this.generation, st.expect);
      return;
    }
    st.acceptAny = false;
    if (seq >= st.expect) st.expect = seq + 1;
    deliverKeyed(this.events, channel, text.decode(m.data), seq);
    m.ack();
  }

  // --- publishing ------------------------------------------------------------------------

  publish(channel: string, key: string, payload: string): void {
    const js = this.js;
    if (!js) return;
    const gen = this.generation;
    const attempt = ++this.publishAttempt;
    this.ensureStream(channel)
      .then(() => js.publish(channel, bytes.encode(encodeKeyed(key, payload)), { msgID: key }))
      .then((ack) => { if (gen === this.generation) this.events.acked(key, ack.seq); }, (err: Error) => {
        // Only the latest attempt may be refused: an older one's failure says nothing about the retry.
        if (gen !== this.generation || attempt !== this.publishAttempt) return;
        this.streams.delete(streamNameOf(channel)); // checked again before the retry
        this.events.refused(key, 'unavailable', err.message);
      });
  }

  ping(): void {
    const gen = this.generation;
    this.nc?.flush().then(() => { if (gen === this.generation) this.events.heard(); }, () => {});
  }

  terminate(): void {
    if (this.nc) this.lost(this.generation);
  }

  stop(): void {
    this.drop();
  }
}

export const jetstreamAdapter: Adapter = {
  name: 'jetstream',
  ...ADAPTERS.jetstream,
  createClient: (url, events, opts) => new JetStreamAdapterClient(url, events, opts),
};

// MQTT 3.1.1 (the `mqtt` npm package, MQTT.js: the ecosystem's Node client) against a broker
// such as mosquitto: one topic per channel, QoS 0/1/2 (cluster.options.qos, default 1), clean
// or persistent session (cluster.options.session, default persistent). A persistent session
// keeps the subscriptions and queues QoS>0 messages while the client is away: resume = session.
// MQTT.js's own reconnect is off; the virtual client reconnects with the same client id, and
// resends a QoS 1 publish left unacked (resendsAfterReconnect below).
import mqtt, { type MqttClient } from 'mqtt';
import { ADAPTERS } from './catalog';
import { deliverKeyed, encodeKeyed } from './keyed-payload';
import type { Adapter, AdapterClient, AdapterEvents, ClientOptions } from './types';

export type MqttQos = 0 | 1 | 2;

export function mqttSettings(options: Readonly<Record<string, unknown>>): { qos: MqttQos; persistent: boolean } {
  const qos = options.qos === 0 || options.qos === 2 ? options.qos : 1;
  return { qos, persistent: options.session !== 'clean' };
}

class MqttAdapterClient implements AdapterClient {
  private client: MqttClient | null = null;
  private generation = 0;
  private sessionPresent = false;
  private readonly qos: MqttQos;
  private readonly persistent: boolean;

  constructor(private readonly url: string, private readonly events: AdapterEvents, private readonly opts: ClientOptions) {
    ({ qos: this.qos, persistent: this.persistent } = mqttSettings(opts.options));
  }

  connect(): void {
    const gen = ++this.generation;
    const client = mqtt.connect(this.url, {
      clientId: this.opts.clientId, clean: !this.persistent, reconnectPeriod: 0, protocolVersion: 4,
      connectTimeout: this.opts.connectTimeoutMs, keepalive: Math.max(1, Math.round(this.opts.connectTimeoutMs / 2000)),
    });
    this.client = client;
    client.on('connect', (connack) => {
      if (gen !== this.generation) return;
      this.sessionPresent = connack.sessionPresent === true;
      this.events.opened();
    });
    client.on('message', (topic, payload) => {
      if (gen === this.generation) deliverKeyed(this.events, topic, payload.toString());
    });
    client.on('error', () => { /* 'close' follows */ });
    client.on('close', () => this.lost(gen));
  }

  private lost(gen: number): void {
    if (gen !== this.generation) return;
    this.generation++;
    const c = this.client;
    this.client = null;
    c?.end(true);
    this.events.closed();
  }

  subscribe(channel: string): void {
    const c = this.client;
    if (!c) return;
    const gen = this.generation;
    c.subscribe(channel, { qos: this.qos }, (err, granted) => {
      if (gen !== this.generation) return;
      if (err || !granted || granted.some((g) => g.qos === 128)) {
        this.events.protocolError(`subscribe refused: ${err?.message ?? 'qos 128'}`);
        return;
      }
      this.events.subscribed(channel, undefined, this.persistent && this.sessionPresent);
    });
  }

  publish(channel: string, key: string, payload: string): void {
    const c = this.client;
    if (!c) return;
    const gen = this.generation;
    // QoS 1/2: called on PUBACK/PUBCOMP. QoS 0 confirms nothing: called once written to the socket.
    c.publish(channel, encodeKeyed(key, payload), { qos: this.qos }, (err) => {
      if (!err && gen === this.generation) this.events.acked(key, 0);
    });
  }

  ping(): void {
    // MQTT.js has no ping on demand: its keepalive closes a dead link, and 'close' follows.
    if (this.client?.connected) this.events.heard();
  }

  terminate(): void {
    this.lost(this.generation);
  }

  stop(): void {
    this.generation++;
    this.client?.end(true);
    this.client = null;
  }
}

export const mqttAdapter: Adapter = {
  name: 'mqtt',
  ...ADAPTERS.mqtt,
  createClient: (url, events, opts) => new MqttAdapterClient(url, events, opts),
  // MQTT 3.1.1 §4.4: on a reconnect with a persistent session the client re-sends every unacked
  // QoS>0 PUBLISH. As each connection is a fresh MQTT.js client here, the virtual client does
  // it (same key, new packet id): the same thing for QoS 1, which the broker never dedupes.
  // Not for QoS 2: a new packet id would defeat the broker's exactly-once handshake, so an
  // unacked QoS 2 publish stays in doubt. Clean session: the client's state is gone, no resend.
  resendsAfterReconnect: (options) => {
    const { qos, persistent } = mqttSettings(options);
    return qos === 1 && persistent;
  },
};

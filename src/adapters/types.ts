// The adapter interface (DESIGN.md "Adapters"): how a virtual client talks to one kind of
// target. Virtual clients, reconnect/backoff, heartbeats, the envelope and the ledger stay
// adapter-independent; an adapter only moves subscriptions, publishes and deliveries over
// its system's own protocol and reports them through AdapterEvents.
// Published as `chat-bench/adapter` (tsconfig.types.json): it imports only declarations that
// need nothing else (contracts/metrics, contracts/connection, the envelope's), so a user's
// adapter type-checks without @types/node.
import type { Guarantee, ResumeMode } from '../contracts/metrics';
import type { AuthSpec, TlsSpec } from '../contracts/connection';
import type { EnvelopeView } from '../protocol/envelope';

export type { Guarantee, ResumeMode } from '../contracts/metrics';

export interface AdapterCapabilities {
  /** deliveries carry a per-channel serial the ledger can check (else the client numbers them) */
  serials: boolean;
  /** how a subscription continues after a reconnect: from a serial, through a server-side session, or not at all */
  resume: ResumeMode;
  /** a publish is confirmed by the target (else "acked" = the target received it) */
  acks: boolean;
  /** a publish retried under the same key is stored at most once */
  idempotentPublish: boolean;
  /** total: one order per channel for every subscriber; per-publisher: only each publisher's own order holds */
  ordering: 'total' | 'per-publisher';
}

/** What the serial argument of AdapterEvents.delivered is when the target has none. */
export const NO_SERIAL = -1;

/** Callbacks of one adapter client; the virtual client implements them (no closure per delivery). */
export interface AdapterEvents {
  /** The connection is up: subscribe and publish now. */
  opened(): void;
  /** The connection is gone (or never came up). Fires once per connect(); never after stop(). */
  closed(): void;
  /** The target confirmed the subscription on this connection (`at`/`resumed` when it says so). */
  subscribed(channel: string, at: number | undefined, resumed: boolean | undefined): void;
  /** One message: serial (or NO_SERIAL), the publisher's key, the envelope object. */
  delivered(channel: string, serial: number, id: string, envelope: unknown): void;
  /**
   * Optional: the same, from an adapter's fast path that read the message in place (no parse,
   * no copy): the key and the padding are checked through the view, valid only during the call.
   * A listener without it gets every message through delivered().
   */
  deliveredView?(channel: string, serial: number, view: EnvelopeView): void;
  /** The target took the publish with this key (serial 0 when it gives none). */
  acked(key: string, serial: number): void;
  /** The target refused the publish with this key (code as protocol v1's err codes). */
  refused(key: string | undefined, code: string, message: string): void;
  /** Any sign of life (a pong). */
  heard(): void;
  /** The target broke its protocol. */
  protocolError(reason: string): void;
  /**
   * The target refused this connection for a reason no retry can fix (a certificate that does
   * not verify, credentials refused): the run stops at once, exit 3, with `reason` and `hint`
   * as its one line. Call it instead of closed().
   */
  rejected(reason: string, hint: string): void;
}

export interface ClientOptions {
  /** the virtual client's id: a stable client/consumer/session name across reconnects */
  clientId: string;
  connectTimeoutMs: number;
  localAddress?: string;
  /** how subscriptions continue after a reconnect (the adapter's own, or weaker: cluster.resume) */
  resume: ResumeMode;
  /** adapter options from the scenario (cluster.adapterOptions) */
  options: Readonly<Record<string, unknown>>;
  /**
   * The host[:port] the URL stands for when `url` is the fault proxy's loopback address
   * (runtime external): the TLS name (SNI and certificate check) and the Host header.
   */
  origin?: string;
  /** cluster.auth: credentials per connection (fill them with credentials.ts) */
  auth?: AuthSpec;
  /** cluster.tls: extra CA, or no verification (apply it with tls.ts) */
  tls?: TlsSpec;
}

/** What every client of one node connects with: ClientOptions but the client's own fields. */
export type ConnectionSettings = Omit<ClientOptions, 'clientId' | 'connectTimeoutMs'>;

/** One virtual client's link to the target; lives as long as the virtual client (across reconnects). */
export interface AdapterClient {
  connect(): void;
  /** `from`: the ledger's last serial, given only when the adapter resumes by serial and has serials. */
  subscribe(channel: string, from: number | undefined): void;
  /** payload: the envelope as JSON text; the same key on every retry. */
  publish(channel: string, key: string, payload: string): void;
  /** Asks for a sign of life; heard() follows if the link is alive. */
  ping(): void;
  /** Drops the connection at once (a dead link): closed() follows. */
  terminate(): void;
  /** Ends for good (end of run): no event follows. */
  stop(): void;
}

export interface Adapter {
  readonly name: string;
  readonly capabilities: AdapterCapabilities;
  /** the guarantee a scenario is held to when it writes none */
  readonly defaultGuarantee: Guarantee;
  /** URL schemes it connects to, without the colon (checked against cluster.urls) */
  readonly urlSchemes: readonly string[];
  createClient(url: string, events: AdapterEvents, opts: ClientOptions): AdapterClient;
  /**
   * Whether the protocol, configured with these options, sends a publish again after a
   * reconnect when its ack did not come (MQTT QoS 1 with a persistent session). The virtual
   * client then resends it under the same key although publish is not idempotent: a second
   * copy is a duplicate, which the target's guarantee allows. Absent: only idempotent publish
   * is resent.
   */
  resendsAfterReconnect?(options: Readonly<Record<string, unknown>>): boolean;
}

/** Serializable choice of adapter (crosses to worker processes). */
export interface AdapterConfig {
  name: string;
  options?: Record<string, unknown>;
  /** the scenario's cluster.resume (may only weaken what the adapter can do) */
  resume?: ResumeMode;
  auth?: AuthSpec;
  tls?: TlsSpec;
  /** per node (index as the node URLs): ClientOptions.origin of its clients */
  origins?: Array<string | undefined>;
  /** a plug-in adapter: the absolute path of the user's module (`name` is then its written path) */
  module?: string;
}

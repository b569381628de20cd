// A chat-bench adapter for the toy JSON protocol of server.js: the model to copy when you
// write one for your own system. Plain CommonJS, no dependency but Node itself. chat-bench
// loads it with require() from `cluster.adapter: ./adapter.js` (relative to the scenario file)
// and checks it before the run: docs/adapters.md says what each member means to the checker.
//
// TypeScript users: `import type { Adapter, AdapterClient, AdapterEvents, ClientOptions } from 'chat-bench/adapter'`.
'use strict';
const net = require('node:net');

/**
 * One virtual client's link to the server. chat-bench creates one per virtual client and keeps
 * it for the whole run; connect() is called again after every drop (chat-bench does the
 * backoff, the heartbeats and the resubscribing — the adapter only moves frames).
 * @implements {import('chat-bench/adapter').AdapterClient}
 */
class ToyClient {
  constructor(url, events, opts) {
    const { hostname, port } = new URL(url); // toy://host:port (chat-bench's fault proxy, in front of your server)
    this.host = hostname;
    this.port = Number(port);
    this.events = events; // call its methods as events.x(...): it is the virtual client itself
    this.opts = opts;
    this.socket = null;
  }

  connect() {
    const socket = net.connect({ host: this.host, port: this.port, ...(this.opts.localAddress ? { localAddress: this.opts.localAddress } : {}) });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    // A connection that does not come up in time counts as closed (chat-bench then retries).
    const timer = setTimeout(() => socket.destroy(), this.opts.connectTimeoutMs);
    let buffered = '';
    socket.on('connect', () => {
      clearTimeout(timer);
      if (socket === this.socket) this.events.opened();
    });
    socket.on('data', (chunk) => {
      if (socket !== this.socket) return;
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        this.onLine(line);
      }
    });
    socket.on('error', () => { /* 'close' follows */ });
    socket.on('close', () => {
      clearTimeout(timer);
      // closed() exactly once per connect(), and never after stop() (which clears this.socket)
      if (socket !== this.socket) return;
      this.socket = null;
      this.events.closed();
    });
  }

  onLine(line) {
    let f;
    try {
      f = JSON.parse(line);
    } catch {
      return this.events.protocolError(`not JSON: ${line.slice(0, 60)}`);
    }
    switch (f.t) {
      // serial, the publisher's key, and the envelope object exactly as chat-bench published it
      case 'msg': return this.events.delivered(f.ch, f.s, f.id, f.d);
      // at: the newest serial when the subscription started; resumed: history reaches from+1
      case 'subd': return this.events.subscribed(f.ch, f.at, f.resumed);
      case 'ack': return this.events.acked(f.id, f.s);
      case 'err': return this.events.refused(f.id, f.code, f.msg);
      case 'pong': return this.events.heard();
      default: return this.events.protocolError(`unknown frame type ${JSON.stringify(f.t)}`);
    }
  }

  /** from: the last serial this subscriber got; given only because capabilities say resume: 'serial'. */
  subscribe(channel, from) {
    this.write(from === undefined ? { t: 'sub', ch: channel } : { t: 'sub', ch: channel, from });
  }

  /** payload is the envelope as JSON text: embed it as it is (parsing it again would cost time). */
  publish(channel, key, payload) {
    this.socket?.write(`{"t":"pub","ch":${JSON.stringify(channel)},"id":${JSON.stringify(key)},"d":${payload}}\n`);
  }

  ping() {
    this.write({ t: 'ping' });
  }

  /** A dead link: drop it now; closed() follows. */
  terminate() {
    this.socket?.destroy();
  }

  /** End of the run: nothing may follow, not even closed(). */
  stop() {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
  }

  write(frame) {
    this.socket?.write(`${JSON.stringify(frame)}\n`);
  }
}

/** @type {import('chat-bench/adapter').Adapter} */
const adapter = {
  name: 'toy',
  // What the server promises; the checker uses exactly these (docs/adapters.md "Capabilities").
  capabilities: {
    serials: true,            // every msg carries the channel's serial
    resume: 'serial',         // {"t":"sub","from":F} replays everything after F
    acks: true,               // every publish is acked with its serial
    idempotentPublish: true,  // a publish retried with the same key is stored once
    ordering: 'total',        // one order per channel, the same for every subscriber
  },
  // With all of the above, the server promises every message once, in order.
  defaultGuarantee: 'exactly-once-ordered',
  urlSchemes: ['toy'],
  createClient: (url, events, opts) => new ToyClient(url, events, opts),
};

module.exports = adapter;

// The node's side of liveness: every inbound connection is pinged, and one that leaves a ping
// unanswered for the timeout is dropped. A pong can only come back after the peer has read
// everything sent before the ping, so this also catches clients that stopped reading. One sweep
// for all connections instead of a timer each.
import type { Connection } from './connection';
import { CLOSE } from './connection';

export interface HeartbeatOptions {
  pingMs: number;      // a connection with no ping outstanding is pinged this often
  timeoutMs: number;   // an outstanding ping older than this drops the connection
}

interface PingState { sentAt: number; waiting: boolean }

export class Heartbeat {
  private readonly conns = new Map<Connection, PingState>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: HeartbeatOptions, private readonly now: () => number = Date.now) {}

  /**
   * Sweep period: a twentieth of the shorter of the two (at most 1 s), so a deadline is missed by
   * at most that and each connection is pinged close to its own time. Pings follow the times the
   * connections came; a coarse sweep (it was half the interval, 5 s by default) gathered them
   * into one burst of thousands of pings and pongs, a write each through the proxy: a 100–150 ms
   * stall of every delivery, every 5 s, with 5,000 clients.
   */
  get tickMs(): number { return Math.max(5, Math.min(1000, Math.floor(Math.min(this.opts.pingMs, this.opts.timeoutMs) / 20))); }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.conns.clear();
  }

  add(conn: Connection): void { this.conns.set(conn, { sentAt: this.now(), waiting: false }); }
  remove(conn: Connection): void { this.conns.delete(conn); }

  answered(conn: Connection): void {
    const state = this.conns.get(conn);
    if (state) state.waiting = false;
  }

  private sweep(): void {
    const now = this.now();
    for (const [conn, state] of this.conns) {
      if (state.waiting) {
        if (now - state.sentAt < this.opts.timeoutMs) continue;
        this.conns.delete(conn);
        conn.drop(CLOSE.heartbeatTimeout, `heartbeat timeout: no pong for ${this.opts.timeoutMs} ms`);
      } else if (now - state.sentAt >= this.opts.pingMs) {
        state.sentAt = now;
        state.waiting = true;
        try {
          conn.ws.ping();
        } catch { /* closing already: 'close' removes it */ }
      }
    }
  }
}

// This node's one WebSocket to another node, multiplexing every channel homed there. It
// reconnects with exponential backoff and full jitter, and pings so that a link through a
// stalled proxy (no RST, just silence) is noticed and replaced.
import WebSocket from 'ws';
import { encode, parseBrokerFrame } from '../src/protocol';
import type { BrokerFrame, ClientFrame } from '../src/protocol';
import { backoffDelay, type BackoffPolicy } from '../src/util/backoff';

export interface PeerLinkOptions {
  selfId: string;
  peerId: string;
  url: string;
  reconnect: BackoffPolicy;
  pingMs: number;
  timeoutMs: number;
  log: (line: string) => void;
}

export interface PeerLinkHandlers {
  onOpen(): void;
  onClose(): void;
  /** raw is the frame's bytes (a mirror keeps them as the frame to fan out). */
  onFrame(frame: BrokerFrame, raw: Buffer): void;
}

/** The link URL: the peer's address (possibly a proxy's) plus who is calling. */
export function linkUrl(url: string, selfId: string): string {
  const u = new URL(url);
  u.searchParams.set('peer', selfId);
  return u.toString();
}

export class PeerLink {
  private ws: WebSocket | null = null;
  private open = false;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pongDeadline: NodeJS.Timeout | null = null;

  constructor(private readonly opts: PeerLinkOptions, private readonly handlers: PeerLinkHandlers) {}

  get peerId(): string { return this.opts.peerId; }
  get isOpen(): boolean { return this.open; }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  send(frame: ClientFrame): boolean {
    return this.sendText(encode(frame));
  }

  /** Sends a frame the caller already encoded (and so knows to be encodable). */
  sendText(text: string): boolean {
    if (!this.open || !this.ws) return false;
    this.ws.send(text);
    return true;
  }

  close(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.ws?.terminate();
  }

  private connect(): void {
    const ws = new WebSocket(linkUrl(this.opts.url, this.opts.selfId), {
      perMessageDeflate: false,
      handshakeTimeout: this.opts.timeoutMs,
      maxPayload: 256 * 1024 * 1024,
    });
    this.ws = ws;
    ws.on('open', () => {
      this.open = true;
      this.attempt = 0;
      this.opts.log(JSON.stringify({ event: 'link-up', id: this.opts.selfId, peer: this.opts.peerId }));
      this.pingTimer = setInterval(() => this.heartbeat(ws), this.opts.pingMs);
      this.handlers.onOpen();
    });
    ws.on('pong', () => this.clearPongDeadline());
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const parsed = parseBrokerFrame(data.toString('utf8'));
      if (parsed.ok) this.handlers.onFrame(parsed.frame, data);
      else this.opts.log(JSON.stringify({ event: 'link-bad-frame', peer: this.opts.peerId, reason: parsed.reason }));
    });
    ws.on('error', () => { /* 'close' follows and handles it */ });
    ws.on('close', () => this.onClosed(ws));
  }

  /** Pings; a ping left unanswered for timeoutMs ends the link (the reconnect loop takes over). */
  private heartbeat(ws: WebSocket): void {
    ws.ping();
    if (this.pongDeadline) return; // an earlier ping is still waiting: its deadline stands
    this.pongDeadline = setTimeout(() => {
      this.pongDeadline = null;
      this.opts.log(JSON.stringify({ event: 'link-timeout', id: this.opts.selfId, peer: this.opts.peerId }));
      ws.terminate();
    }, this.opts.timeoutMs);
  }

  private clearPongDeadline(): void {
    if (this.pongDeadline) clearTimeout(this.pongDeadline);
    this.pongDeadline = null;
  }

  private onClosed(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.ws = null;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.clearPongDeadline();
    const wasOpen = this.open;
    this.open = false;
    if (wasOpen) {
      this.opts.log(JSON.stringify({ event: 'link-down', id: this.opts.selfId, peer: this.opts.peerId }));
      this.handlers.onClose();
    }
    if (this.stopped) return;
    const delay = backoffDelay(this.opts.reconnect, this.attempt++, Math.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }
}

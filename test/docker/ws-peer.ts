// A plain protocol-v1 WebSocket client for the docker tests: sends frames, keeps every frame it
// receives, and waits for the ones a test expects.
import WebSocket from 'ws';

export type Frame = Record<string, unknown> & { t: string };

export class WsPeer {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    ws.on('close', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(url: string, timeoutMs = 5000): Promise<WsPeer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: timeoutMs });
      ws.once('open', () => resolve(new WsPeer(ws)));
      ws.once('error', reject);
    });
  }

  send(frame: Frame): void {
    this.ws.send(JSON.stringify(frame));
  }

  get closed(): boolean {
    return this.ws.readyState === WebSocket.CLOSED || this.ws.readyState === WebSocket.CLOSING;
  }

  /** The first received frame matching `match`, waiting up to `timeoutMs`. */
  async waitFor(match: (f: Frame) => boolean, timeoutMs: number, what = 'frame'): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) throw new Error(`no ${what} within ${timeoutMs} ms${this.closed ? ' (connection closed)' : ''}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  /** Messages received on channel `ch`, in arrival order. */
  messages(ch: string): Frame[] {
    return this.frames.filter((f) => f.t === 'msg' && f.ch === ch);
  }

  close(): void {
    this.ws.terminate();
  }
}

/**
 * Publishes until acked, resending the same idempotency key after an `err` or a silence of
 * `retryMs` (a correct broker stores it once): what a real publisher does through a fault.
 */
export async function publishUntilAcked(
  open: () => Promise<WsPeer>,
  ch: string,
  id: string,
  d: unknown,
  timeoutMs: number,
  retryMs = 1000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    let peer: WsPeer | undefined;
    try {
      peer = await open();
      const seen = peer.frames.length;
      peer.send({ t: 'pub', ch, id, d });
      const answer = await peer.waitFor(
        (f) => peer!.frames.indexOf(f) >= seen && f.id === id && (f.t === 'ack' || f.t === 'err'),
        retryMs,
        `ack of ${id}`,
      );
      if (answer.t === 'ack') return answer.s as number;
      last = `err ${String(answer.code)}`;
    } catch (err) {
      last = (err as Error).message;
    } finally {
      peer?.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`publish ${id} never acked within ${timeoutMs} ms (last: ${last})`);
}

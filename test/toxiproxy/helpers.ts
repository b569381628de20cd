// Real sockets for the toxiproxy conformance tests: an echo server, a server whose side of each
// connection the test drives, a recording client, and raw HTTP for exact API bodies.
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startToxiproxyServer, type ToxiproxyServer } from '../../src/toxiproxy/toxiproxy-server';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

export interface TestUpstream {
  port: number;
  address: string;
  /** server-side sockets, in accept order */
  sockets: Socket[];
  /** bytes each server-side socket received */
  received: Buffer[][];
  /** the next socket accepted after this call (call it before connecting) */
  nextSocket(): Promise<Socket>;
  close(): Promise<void>;
}

/** A TCP server; echo=true sends every byte back. */
export async function startUpstream(echo = false): Promise<TestUpstream> {
  const sockets: Socket[] = [];
  const received: Buffer[][] = [];
  const waiters: ((s: Socket) => void)[] = [];
  const server = createServer({ allowHalfOpen: false, noDelay: true }, (socket) => {
    socket.on('error', () => {});
    const mine: Buffer[] = [];
    received.push(mine);
    socket.on('data', (d) => {
      mine.push(d);
      if (echo) socket.write(d);
    });
    sockets.push(socket);
    waiters.shift()?.(socket);
  });
  const port = await listen(server);
  return {
    port,
    address: `127.0.0.1:${port}`,
    sockets,
    received,
    nextSocket: () => new Promise<Socket>((resolve) => waiters.push(resolve)),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A client socket that records everything that happens to it, with times. */
export class TestClient {
  readonly chunks: { data: Buffer; at: number }[] = [];
  endedAt: number | null = null;
  closedAt: number | null = null;
  error: NodeJS.ErrnoException | null = null;
  private listeners: (() => void)[] = [];

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (data) => this.notify(() => this.chunks.push({ data, at: performance.now() })));
    socket.on('end', () => this.notify(() => (this.endedAt = performance.now())));
    socket.on('error', (err) => this.notify(() => (this.error = err)));
    socket.on('close', () => this.notify(() => (this.closedAt = performance.now())));
  }

  static async connect(port: number): Promise<TestClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    const client = new TestClient(socket);
    await Promise.race([once(socket, 'connect'), once(socket, 'error').then(([e]) => Promise.reject(e))]);
    return client;
  }

  private notify(change: () => void): void {
    change();
    for (const l of this.listeners.splice(0)) l();
  }

  get bytes(): number {
    return this.chunks.reduce((n, c) => n + c.data.length, 0);
  }

  get text(): string {
    return Buffer.concat(this.chunks.map((c) => c.data)).toString();
  }

  /** Waits until cond() holds; rejects after timeoutMs. */
  async until(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!cond()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 20)); // also poll: not every change is an event
        this.listeners.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Writes `text` and returns the ms until `expectBytes` more bytes arrived. */
  async roundTrip(text: string, expectBytes = Buffer.byteLength(text), timeoutMs = 3000): Promise<number> {
    const target = this.bytes + expectBytes;
    const t0 = performance.now();
    this.socket.write(text);
    await this.until(() => this.bytes >= target, timeoutMs, `${expectBytes} bytes back`);
    return performance.now() - t0;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export interface Harness {
  server: ToxiproxyServer;
  toxiproxy: Toxiproxy;
  cleanup: (() => Promise<void> | void)[];
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  const cleanup: (() => Promise<void> | void)[] = [];
  return {
    server,
    toxiproxy: new Toxiproxy(server.url),
    cleanup,
    async close() {
      for (const fn of cleanup.splice(0).reverse()) await fn();
      await server.close();
    },
  };
}

export const portOf = (listen: string): number => Number(listen.slice(listen.lastIndexOf(':') + 1));

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

export async function raw(url: string, method: string, body?: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await fetch(url, { method, body, headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

// A front for a plain ws:// server (the reference broker), as apps put one before theirs: a real
// HTTPS (or HTTP) server on a real socket that terminates TLS, checks each WebSocket upgrade
// (`check` answers 0 to let it through, else an HTTP status) and forwards accepted ones byte for
// byte to the upstream. It records what each upgrade carried: SNI, Host, URL, headers.
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface SeenUpgrade {
  servername: string | null;   // SNI the client sent (TLS only)
  host: string | undefined;
  url: string;
  headers: IncomingHttpHeaders;
  status: number;              // 101 when forwarded, else the refusal
}

export interface WsFront {
  port: number;
  seen: SeenUpgrade[];
  /** TLS handshakes that failed (the client refused our certificate, …): one per attempt */
  failedHandshakes: { count: number };
  close(): Promise<void>;
}

export async function startWsFront(opts: {
  upstreamPort: number;
  tls?: { key: string; cert: string };
  check?: (req: IncomingMessage) => number;
}): Promise<WsFront> {
  const server: Server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }) : createHttpServer();
  const sockets = new Set<Socket>();
  const seen: SeenUpgrade[] = [];
  const failedHandshakes = { count: 0 };
  server.on('tlsClientError', () => { failedHandshakes.count++; });
  server.on('connection', (s: Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  server.on('secureConnection', (s: Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  server.on('request', (_req, res) => { res.statusCode = 426; res.end(); });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const status = opts.check?.(req) ?? 0;
    const servername = opts.tls ? ((socket as TLSSocket).servername || null) : null;
    seen.push({ servername, host: req.headers.host, url: req.url ?? '', headers: req.headers, status: status || 101 });
    if (status) {
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: opts.upstreamPort });
    sockets.add(upstream);
    upstream.once('close', () => { sockets.delete(upstream); socket.destroy(); });
    upstream.on('error', () => socket.destroy());
    socket.once('close', () => upstream.destroy());
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    seen,
    failedHandshakes,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

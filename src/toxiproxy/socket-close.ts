// How the proxy closes a socket. Toxiproxy closes a whole TCP connection (no half-close) and,
// on connections opened while a reset_peer toxic existed, with SO_LINGER 0, i.e. an RST.
import type { Socket } from 'node:net';

const resetOnClose = new WeakSet<Socket>();

/** Every later close of this socket becomes an RST (Toxiproxy's SetLinger(0)). */
export function markResetOnClose(socket: Socket): void {
  resetOnClose.add(socket);
}

/** Flushes what was written, then closes both directions (Go's Close after the last Write). */
export function closeSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (resetOnClose.has(socket)) {
    socket.resetAndDestroy();
    return;
  }
  if (socket.writableFinished) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  if (!socket.writableEnded) socket.end();
}

/** Closes at once, dropping unsent data (proxy disabled or deleted). */
export function destroySocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (resetOnClose.has(socket)) socket.resetAndDestroy();
  else socket.destroy();
}

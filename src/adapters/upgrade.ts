// The HTTP upgrade of a WebSocket-based adapter (v1, socketio): what one client's request
// carries (cluster.auth filled now, and the Host of the URL the user wrote when the socket goes
// to the fault proxy), and which answers to it no retry can fix.
import type { CredentialSource } from './credentials';
import type { Refusal } from './tls';

export interface Upgrade {
  /** cluster.auth.headers, plus Host = the origin when the URL is the proxy's */
  headers: Record<string, string>;
  /** cluster.auth.query: parameters to add to the URL */
  query: Record<string, string>;
  subprotocols: string[];
  /** "user:password" for HTTP basic, when cluster.auth gives either */
  basic?: string;
  /** cluster.auth.payload (Socket.IO's handshake `auth`) */
  payload?: Record<string, unknown>;
}

/** One connect's upgrade request: called for every connect, so a renewed token goes out. */
export function upgradeOf(credentials: CredentialSource | null, origin: string | undefined): Upgrade {
  const upgrade: Upgrade = { headers: {}, query: {}, subprotocols: [] };
  if (credentials) {
    const c = credentials.current();
    Object.assign(upgrade.headers, c.headers);
    Object.assign(upgrade.query, c.query);
    upgrade.subprotocols = c.subprotocols;
    if (c.username !== undefined || c.password !== undefined) upgrade.basic = `${c.username ?? ''}:${c.password ?? ''}`;
    if (c.payload !== undefined) upgrade.payload = c.payload;
  }
  if (origin !== undefined) upgrade.headers.Host = origin;
  return upgrade;
}

/** `url` with `query` set in its query string (the URL's own parameters kept). */
export function withQuery(url: string, query: Readonly<Record<string, string>>): string {
  const entries = Object.entries(query);
  if (entries.length === 0) return url;
  const u = new URL(url);
  for (const [k, v] of entries) u.searchParams.set(k, v);
  return u.href;
}

const AUTH_HINT = 'check cluster.auth (headers, query, subprotocols, payload, the jwt key and claims)';

/** An upgrade answered with a status no retry changes (credentials, a wrong path); null: retry. */
export function httpRefusal(status: number, target: string, clientId: string): Refusal | null {
  if (status === 401 || status === 403) {
    return { reason: `${target} refused the credentials of client ${clientId}: HTTP ${status}`, hint: AUTH_HINT };
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return { reason: `${target} refused the WebSocket upgrade: HTTP ${status}`, hint: 'check the path of cluster.urls and cluster.auth' };
  }
  return null;
}

/** The WebSocket close codes servers use to turn a connection away: RFC 6455's, and the common 4000+ mirrors of HTTP 401/403. */
const REFUSING_CLOSE_CODES: Readonly<Record<number, string>> = { 1008: 'policy violation', 4401: 'unauthorized', 4403: 'forbidden' };

/**
 * A WebSocket the server accepted and then closed with a refusing code before it sent anything
 * (an auth check after the upgrade): every retry would meet the same answer. Once the server has
 * spoken on a connection, the same code ends a session (a token that expired meanwhile): null,
 * reconnect, with credentials made again.
 */
export function closeRefusal(code: number, reason: string, heardFromServer: boolean, target: string, clientId: string): Refusal | null {
  const meaning = REFUSING_CLOSE_CODES[code];
  if (meaning === undefined || heardFromServer) return null;
  const said = reason.trim() === '' ? 'no reason given' : `"${reason.trim().replace(/[\r\n]+/g, ' ')}"`;
  return { reason: `${target} closed the connection of client ${clientId} with code ${code} (${meaning}): ${said}`, hint: AUTH_HINT };
}

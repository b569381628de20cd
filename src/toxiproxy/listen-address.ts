// Addresses the way Go's net package reads and prints them, so the API reports what
// Toxiproxy reports: "127.0.0.1:0" becomes "127.0.0.1:<port>", "0.0.0.0:N", ":N" and ""
// become a dual-stack "[::]:N", and errors read "address x: missing port in address".
import { lookup } from 'node:dns/promises';
import { isIP, type AddressInfo } from 'node:net';

/** An error worded like Go's net package; the API reports it as a 500. */
export class GoNetError extends Error {}

export interface TcpAddr {
  /** null = no host given (Go's nil IP: every interface) */
  ip: string | null;
  port: number;
}

/** Go's net.SplitHostPort. */
export function splitHostPort(hostport: string): { host: string; port: string } {
  const fail = (why: string) => new GoNetError(`address ${hostport}: ${why}`);
  const colon = hostport.lastIndexOf(':');
  if (colon < 0) throw fail('missing port in address');
  let host: string;
  let openFrom = 0;
  let closeFrom = 0;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) throw fail("missing ']' in address");
    if (end + 1 === hostport.length) throw fail('missing port in address');
    if (end + 1 !== colon) throw fail(hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = hostport.slice(1, end);
    openFrom = 1;
    closeFrom = end + 1;
  } else {
    host = hostport.slice(0, colon);
    if (host.includes(':')) throw fail('too many colons in address');
  }
  if (hostport.indexOf('[', openFrom) >= 0) throw fail("unexpected '[' in address");
  if (hostport.indexOf(']', closeFrom) >= 0) throw fail("unexpected ']' in address");
  return { host, port: hostport.slice(colon + 1) };
}

function parsePort(port: string): number {
  if (port === '') return 0;
  if (!/^\d+$/.test(port)) throw new GoNetError(`lookup tcp/${port}: unknown port`);
  const n = Number(port);
  if (n > 65535) throw new GoNetError(`address ${port}: invalid port`);
  return n;
}

/** Go's net.ResolveTCPAddr("tcp", address): an IP literal, or a name's first IPv4 address. */
export async function resolveTcpAddr(address: string): Promise<TcpAddr> {
  if (address === '') return { ip: null, port: 0 };
  const { host, port } = splitHostPort(address);
  const portNumber = parsePort(port);
  if (host === '') return { ip: null, port: portNumber };
  if (isIP(host)) return { ip: host, port: portNumber };
  let addresses: { address: string; family: number }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    throw new GoNetError(`lookup ${host}: no such host`);
  }
  const chosen = addresses.find((a) => a.family === 4) ?? addresses[0];
  if (!chosen) throw new GoNetError(`lookup ${host}: no such host`);
  return { ip: chosen.address, port: portNumber };
}

/** Go's JoinHostPort. */
export const joinHostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** Go's TCPAddr.String(): ":0" for no host, brackets around IPv6. */
export const tcpAddrString = (a: TcpAddr): string => joinHostPort(a.ip ?? '', a.port);

/** Go binds the unspecified address (none, 0.0.0.0 or ::) as one dual-stack socket. */
export const isWildcard = (a: TcpAddr): boolean => a.ip === null || a.ip === '0.0.0.0' || a.ip === '::';

/** What Toxiproxy stores as `listen` once bound: listener.Addr().String(). */
export const listenerAddress = (info: AddressInfo): string => joinHostPort(info.address, info.port);

/** Go's wording of a failed bind, e.g. "bind: address already in use". */
export function bindErrorText(err: NodeJS.ErrnoException): string {
  const known: Record<string, string> = {
    EADDRINUSE: 'address already in use',
    EACCES: 'permission denied',
    EADDRNOTAVAIL: 'cannot assign requested address',
    EAFNOSUPPORT: 'address family not supported by protocol',
  };
  return `bind: ${known[err.code ?? ''] ?? err.message}`;
}

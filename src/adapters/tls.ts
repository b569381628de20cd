// TLS for a client whose socket goes to the fault proxy (a TCP proxy on 127.0.0.1): the TLS
// name (SNI) and the certificate check use the name the user wrote (ClientOptions.origin), not
// the proxy's address. And which TLS failures no retry can fix, with a hint for each.
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, createSecureContext, rootCertificates, type ConnectionOptions, type PeerCertificate, type SecureContext } from 'node:tls';
import type { TlsSpec } from '../contracts/scenario';

/** The host name of an origin "host[:port]" ("[::1]:443" → "::1"). */
function originHostname(origin: string): string {
  return new URL(`tls://${origin}`).hostname.replace(/^\[|\]$/g, '');
}

const contexts = new Map<string, SecureContext>();

/**
 * The system's CAs plus the CA file (the scenario reader checked it), made once per process.
 * Handing `ca: [...rootCertificates, pem]` to Node parses ~140 PEM roots (~0.2 s, seconds on a
 * loaded machine) for each context; adding the one certificate to a default context (whose
 * roots are built in) takes a few ms. That method is Node's own (what the `ca` option calls),
 * not documented: without it, the slow way.
 */
function contextWith(caFile: string): SecureContext {
  let context = contexts.get(caFile);
  if (context === undefined) {
    const pem = readFileSync(caFile, 'utf8');
    const base = createSecureContext();
    const native = (base as SecureContext & { context?: { addCACert?: (pem: string) => void } }).context;
    if (typeof native?.addCACert === 'function') {
      native.addCACert(pem);
      context = base;
    } else {
      context = createSecureContext({ ca: [...rootCertificates, pem] });
    }
    contexts.set(caFile, context);
  }
  return context;
}

/**
 * tls.connect options: the certificate is checked against `origin`'s name (when given), with
 * the system's CAs plus cluster.tls.ca; cluster.tls.insecure checks nothing.
 */
export function tlsOptions(origin: string | undefined, spec: TlsSpec | undefined): ConnectionOptions {
  const options: ConnectionOptions = {};
  if (spec?.caFile) options.secureContext = contextWith(spec.caFile); // adds to the system's CAs, as --ca promises
  if (spec?.insecure) options.rejectUnauthorized = false;
  if (origin !== undefined) {
    const name = originHostname(origin);
    options.servername = isIP(name) ? '' : name; // SNI carries names only
    // The socket's peer is the proxy: check the certificate against the name the user wrote.
    options.checkServerIdentity = (_host: string, cert: PeerCertificate) => checkServerIdentity(name, cert);
  }
  return options;
}

/**
 * The same options as an https.Agent, for a client library that takes an agent but hands only
 * some TLS options on (socket.io-client: no servername, no secureContext). An agent's own
 * options win over the request's.
 */
export function tlsAgent(origin: string | undefined, spec: TlsSpec | undefined): HttpsAgent {
  return new HttpsAgent(tlsOptions(origin, spec));
}

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'INVALID_CA', 'CERT_SIGNATURE_FAILURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'CERT_CHAIN_TOO_LONG', 'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE', 'CERT_REVOKED',
]);
const OUT_OF_DATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD']);
const WRONG_NAME = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);

export interface Refusal { reason: string; hint: string }

/**
 * A TLS failure that a retry cannot fix (the certificate, the name, a server that does not
 * speak TLS), as one line and a hint; null for anything else (a reset, a timeout: retried).
 */
export function tlsRefusal(err: unknown, target: string): Refusal | null {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return null;
  const detail = `${(err as Error).message} (${code})`;
  if (UNTRUSTED.has(code)) {
    return { reason: `TLS: the certificate of ${target} is not trusted: ${detail}`, hint: 'pass the CA that signed it with --ca FILE or cluster.tls.ca' };
  }
  if (WRONG_NAME.has(code)) {
    return { reason: `TLS: the certificate of ${target} is not valid for that name: ${detail}`, hint: 'write the name the certificate is for in cluster.urls (cluster.hosts maps it to an address)' };
  }
  if (OUT_OF_DATE.has(code)) {
    return { reason: `TLS: the certificate of ${target} is out of date: ${detail}`, hint: 'renew the server certificate, or check this machine\'s clock' };
  }
  if (NOT_TLS.has(code)) {
    return { reason: `TLS: ${target} does not answer TLS: ${detail}`, hint: 'write ws:// for a server without TLS' };
  }
  return null;
}

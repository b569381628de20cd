// cluster.hosts, cluster.tls and cluster.auth: how clients reach and prove themselves to a
// system of the user's own. Refuses what could never connect: a host mapping no URL uses, a
// CA file that is not PEM certificates, auth fields the adapter cannot send, unknown templates.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isKnownPlaceholder, placeholdersOf } from '../adapters/credentials';
import { ADAPTERS, type AdapterEntry, type AuthField } from '../adapters/catalog';
import { ENV_NAME } from '../contracts/connection';
import { JWT_ALGORITHMS, type AuthSpec, type JwtSpec, type RuntimeKind, type TlsSpec } from '../contracts/scenario';
import { FieldError, isPlainObject, type Fields, type Path } from './fields';
import { shown } from './problem';

export const AUTH = ['headers', 'query', 'subprotocols', 'username', 'password', 'payload', 'jwt'];
export const JWT = ['secretEnv', 'alg', 'claims', 'expiresIn'];
export const TLS = ['ca', 'insecure'];

/** URL schemes that connect with TLS (of those an adapter speaks) */
const SECURE_SCHEMES = ['wss', 'https', 'mqtts', 'rediss', 'tls'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** headers the WebSocket handshake itself writes (Host is the URL's own, see ClientOptions.origin) */
const MANAGED_HEADERS = ['host', 'connection', 'upgrade', 'content-length', 'transfer-encoding'];

/** The URL host names of cluster.urls, lower case (as URL parsing gives them). */
function urlHostnames(urls: readonly string[]): string[] {
  return urls.flatMap((u) => {
    try {
      return [new URL(u).hostname.toLowerCase()];
    } catch {
      return [];
    }
  });
}

/** cluster.hosts: { name: address } with address an IP or host, optionally ":port". */
export function readHosts(f: Fields, runtime: RuntimeKind, urls: readonly string[]): Record<string, string> | undefined {
  if (!f.has('hosts')) return undefined;
  if (runtime !== 'external') f.fail('hosts', `is only used with runtime external (runtime is ${runtime})`, 'the local and docker runtimes start their own nodes');
  const raw = f.mapping('hosts', 'write it like { chat.example.com: 127.0.0.1 }')!;
  const known = urlHostnames(urls);
  const hosts: Record<string, string> = {};
  for (const [name, address] of Object.entries(raw)) {
    const at = [...f.at('hosts'), name];
    const key = name.toLowerCase();
    if (!known.includes(key)) throw new FieldError(at, 'is not the host of any of cluster.urls', `hosts maps the name written in a URL; the URLs name ${known.join(', ') || 'no host'}`);
    if (typeof address !== 'string' || !validAddress(address)) {
      throw new FieldError(at, `${shown(address)} is not an address`, 'write an IP address or host name, optionally with ":port", e.g. 127.0.0.1 or 127.0.0.1:8443');
    }
    hosts[key] = address.trim();
  }
  return hosts;
}

function validAddress(text: string): boolean {
  try {
    const u = new URL(`tcp://${text.trim()}`);
    return u.hostname !== '' && u.pathname === '' && u.search === '' && !u.username && `${u.host}`.toLowerCase() === text.trim().toLowerCase();
  } catch {
    return false;
  }
}

/** cluster.tls: { ca: FILE, insecure: bool }; `ca` relative to the scenario's folder. */
export function readTls(f: Fields, runtime: RuntimeKind, urls: readonly string[], adapter: string, entry: AdapterEntry, baseDir: string): TlsSpec | undefined {
  const t = f.object('tls', TLS);
  if (!t) return undefined;
  if (runtime !== 'external') f.fail('tls', `is only used with runtime external (runtime is ${runtime})`, 'the local and docker runtimes start their nodes without TLS');
  if (!entry.tls) {
    const able = Object.keys(ADAPTERS).filter((name) => ADAPTERS[name].tls);
    f.fail('tls', `adapter ${adapter} does not apply cluster.tls yet`, `leave tls out (the system's CAs are used), or use adapter ${able.join(' or ')}`);
  }
  const secureSchemes = entry.urlSchemes.filter((s) => SECURE_SCHEMES.includes(s));
  if (!urls.some((u) => secureSchemes.some((s) => u.toLowerCase().startsWith(`${s}://`)))) {
    f.fail('tls', `is set but no URL of cluster.urls uses TLS${secureSchemes.length ? ` (${secureSchemes.map((s) => `${s}://`).join(', ')})` : ''}`,
      secureSchemes.length ? `write ${secureSchemes[0]}:// URLs, or leave tls out` : 'this adapter does not connect with TLS yet');
  }
  const spec: TlsSpec = {};
  const insecure = t.boolean('insecure');
  if (insecure) spec.insecure = true;
  const ca = t.string('ca');
  if (ca !== undefined) {
    if (insecure) t.fail('ca', 'is not used when insecure is true (nothing is verified)', 'leave out insecure: true to verify against this CA');
    spec.caFile = checkCaFile(t, isAbsolute(ca) ? ca : resolve(baseDir, ca));
  }
  return spec;
}

function checkCaFile(t: Fields, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    t.fail('ca', `${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (e as Error).message})`}`, 'name a PEM file of CA certificates');
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) t.fail('ca', `${path} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`, 'name the CA certificate in PEM form, not the server key');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (e) {
      t.fail('ca', `${path} holds a certificate that does not parse: ${(e as Error).message}`);
    }
  }
  return path;
}

/** cluster.auth, checked against what the adapter can send. */
export function readAuth(f: Fields, adapter: string, entry: AdapterEntry): AuthSpec | undefined {
  const a = f.object('auth', AUTH);
  if (!a) return undefined;
  const can: readonly AuthField[] = entry.auth ?? [];
  for (const key of ['headers', 'query', 'subprotocols', 'username', 'password', 'payload'] as const) {
    if (a.has(key) && !can.includes(key)) {
      a.fail(key, `adapter ${adapter} cannot send ${key}`, can.length ? `${adapter} sends ${can.join(', ')}` : `adapter ${adapter} takes no credentials yet`);
    }
  }
  const spec: AuthSpec = {};
  const headers = textMap(a, 'headers', (name, at) => {
    if (!TOKEN.test(name)) throw new FieldError(at, 'is not a header name', 'letters, digits and - only, e.g. Authorization');
    const lower = name.toLowerCase();
    if (MANAGED_HEADERS.includes(lower) || lower.startsWith('sec-websocket-')) {
      throw new FieldError(at, 'is written by the WebSocket handshake itself', lower === 'sec-websocket-protocol' ? 'write the values in auth.subprotocols' : 'Host is the URL\'s own host (cluster.hosts sends it elsewhere)');
    }
  });
  if (headers) spec.headers = headers;
  const query = textMap(a, 'query', () => {});
  if (query) spec.query = query;
  const subprotocols = a.array('subprotocols');
  if (subprotocols) {
    spec.subprotocols = subprotocols.map((p, i) => {
      const at = [...a.at('subprotocols'), i];
      const text = checkedText(p, at);
      if (!TOKEN.test(text.replace(/\{\{[^{}]*\}\}/g, 'x'))) throw new FieldError(at, `${shown(p)} is not a subprotocol name`, 'letters, digits and !#$%&\'*+-.^_`|~ only (no spaces or commas)');
      return text;
    });
    if (new Set(spec.subprotocols).size !== spec.subprotocols.length) a.fail('subprotocols', 'names one subprotocol twice');
  }
  for (const key of ['username', 'password'] as const) {
    const v = a.raw(key);
    if (v !== undefined) spec[key] = checkedText(v, a.at(key));
  }
  // Any JSON (the app reads it as it likes); its texts are templates, filled per connect.
  const payload = a.mapping('payload', 'write it like { token: "{{jwt}}" }');
  if (payload) spec.payload = payload;
  const jwt = readJwt(a);
  if (jwt) spec.jwt = jwt;
  checkTemplates(a, spec);
  return spec;
}

/** A mapping of texts (header or query values); `checkName` refuses a bad key. */
function textMap(a: Fields, key: string, checkName: (name: string, at: Path) => void): Record<string, string> | undefined {
  const raw = a.mapping(key, `write it like { ${key === 'headers' ? 'Authorization: "Bearer {{jwt}}"' : 'token: "{{jwt}}"'} }`);
  if (raw === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const at = [...a.at(key), name];
    checkName(name, at);
    out[name] = checkedText(value, at);
  }
  return out;
}

/** A text of auth: one line (a header value with a newline would be a second header). */
function checkedText(value: unknown, at: Path): string {
  if (typeof value !== 'string' || value === '') throw new FieldError(at, `${shown(value)} is not a text`, 'write it in quotes');
  if (/[\r\n\0]/.test(value)) throw new FieldError(at, 'must be one line');
  return value;
}

function readJwt(a: Fields): JwtSpec | undefined {
  const j = a.object('jwt', JWT, { secret: 'write secretEnv: NAME (the key is read from that environment variable, never from the file)', key: 'write secretEnv: NAME', exp: 'write expiresIn: 1h' });
  if (!j) return undefined;
  const secretEnv = j.required('secretEnv', j.string, 'name the environment variable holding the key, e.g. secretEnv: CHAT_BENCH_JWT_KEY');
  if (!ENV_NAME.test(secretEnv)) j.fail('secretEnv', `${shown(secretEnv)} is not an environment variable name`, 'the key itself never goes in the file: export it and name the variable here');
  const alg = j.oneOf('alg', JWT_ALGORITHMS) ?? 'HS256';
  const claims = j.mapping('claims', 'write it like { sub: "{{clientId}}" }') ?? {};
  for (const reserved of ['iat', 'exp']) {
    if (reserved in claims) throw new FieldError([...j.at('claims'), reserved], 'is set by chat-bench for each token', reserved === 'exp' ? 'write expiresIn: 1h beside claims' : 'leave it out');
  }
  const spec: JwtSpec = { secretEnv, alg, claims };
  const expiresInMs = j.durationMs('expiresIn');
  if (expiresInMs !== undefined) {
    if (expiresInMs < 1000) j.fail('expiresIn', 'is less than 1s', 'a token lives for whole seconds; give it at least a minute');
    spec.expiresInMs = expiresInMs;
  }
  return spec;
}

/** Every {{…}} is one chat-bench fills in; {{jwt}} needs auth.jwt, and not inside the claims. */
function checkTemplates(a: Fields, spec: AuthSpec): void {
  const check = (text: string, at: Path, inClaims: boolean) => {
    for (const name of placeholdersOf(text)) {
      if (!isKnownPlaceholder(name)) throw new FieldError(at, `{{${name}}} is not a template chat-bench knows`, 'write {{clientId}}, {{jwt}} or {{env.NAME}}');
      if (name === 'jwt' && inClaims) throw new FieldError(at, '{{jwt}} cannot be inside the token\'s own claims');
      if (name === 'jwt' && !spec.jwt) throw new FieldError(at, '{{jwt}} needs auth.jwt', 'add jwt: { secretEnv: NAME, claims: { sub: "{{clientId}}" } }');
    }
  };
  for (const key of ['headers', 'query'] as const) for (const [k, v] of Object.entries(spec[key] ?? {})) check(v, [...a.at(key), k], false);
  (spec.subprotocols ?? []).forEach((p, i) => check(p, [...a.at('subprotocols'), i], false));
  for (const key of ['username', 'password'] as const) if (spec[key] !== undefined) check(spec[key]!, a.at(key), false);
  const walk = (v: unknown, at: Path, inClaims = true): void => {
    if (typeof v === 'string') check(v, at, inClaims);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i], inClaims));
    else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) walk(x, [...at, k], inClaims);
  };
  if (spec.jwt) walk(spec.jwt.claims, [...a.at('jwt'), 'claims']);
  if (spec.payload) walk(spec.payload, a.at('payload'), false);
}

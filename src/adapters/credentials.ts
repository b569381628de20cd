// Per-connection credentials (cluster.auth): templates filled for each client, and a JWT signed
// per client with a key from an environment variable (node:crypto: HS256/384/512, RS256).
// Templates: {{clientId}}, {{jwt}}, {{env.NAME}}. Environment values are read here, when a
// client connects, so a secret never becomes part of the scenario kept in results.json.
import { createHmac, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { ENV_NAME } from '../contracts/connection';
import type { AuthSpec, JwtAlgorithm, JwtSpec } from '../contracts/scenario';
import { usageError } from '../util/errors';

export interface Credentials {
  headers: Record<string, string>;
  query: Record<string, string>;
  subprotocols: string[];
  username?: string;
  password?: string;
  /** the Socket.IO handshake's `auth` payload */
  payload?: Record<string, unknown>;
}

const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** What a template names: clientId, jwt, env.NAME, or something unknown (the reader refuses it). */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((m) => m[1]);
}

export const isKnownPlaceholder = (name: string): boolean =>
  name === 'clientId' || name === 'jwt' || (name.startsWith('env.') && ENV_NAME.test(name.slice(4)));

/** Every text of `auth` that may hold templates (claims included), for checks. */
export function templatedTexts(auth: AuthSpec): string[] {
  const texts = [...Object.values(auth.headers ?? {}), ...Object.values(auth.query ?? {}), ...(auth.subprotocols ?? [])];
  if (auth.username !== undefined) texts.push(auth.username);
  if (auth.password !== undefined) texts.push(auth.password);
  for (const v of Object.values(auth.jwt?.claims ?? {})) collectTexts(v, texts);
  for (const v of Object.values(auth.payload ?? {})) collectTexts(v, texts);
  return texts;
}

function collectTexts(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const v of value) collectTexts(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectTexts(v, into);
}

/**
 * Before anything starts: every environment variable `auth` reads is set, and an RS256 key is
 * a PEM private key. Refusals are usage errors (exit 2) naming the variable.
 */
export function checkAuthEnvironment(auth: AuthSpec | undefined, env: NodeJS.ProcessEnv = process.env): void {
  if (!auth) return;
  if (auth.jwt) signingKey(auth.jwt, env);
  for (const text of templatedTexts(auth)) {
    for (const name of placeholdersOf(text)) {
      if (!name.startsWith('env.')) continue;
      const variable = name.slice(4);
      if (!env[variable]) throw usageError(`cluster.auth: environment variable ${variable} (in {{${name}}}) is not set`, `export ${variable}=… before the run`);
    }
  }
}

const keys = new Map<string, string | KeyObject>();

/** The key of `jwt` from its environment variable (parsed once per process). */
function signingKey(jwt: JwtSpec, env: NodeJS.ProcessEnv): string | KeyObject {
  const text = env[jwt.secretEnv];
  if (!text) {
    throw usageError(`cluster.auth.jwt.secretEnv: environment variable ${jwt.secretEnv} is not set`,
      `export ${jwt.secretEnv}=… (${jwt.alg === 'RS256' ? 'a PEM private key' : 'the HMAC secret'}) before the run`);
  }
  const cacheKey = `${jwt.alg}\0${text}`;
  const known = keys.get(cacheKey);
  if (known) return known;
  let key: string | KeyObject = text;
  if (jwt.alg === 'RS256') {
    try {
      key = createPrivateKey(text);
    } catch (e) {
      throw usageError(`cluster.auth.jwt.secretEnv: environment variable ${jwt.secretEnv} does not hold a PEM private key (${(e as Error).message})`,
        'RS256 signs with an RSA private key: export it as PEM text ("-----BEGIN PRIVATE KEY-----…")');
    }
    if (key.asymmetricKeyType !== 'rsa') {
      throw usageError(`cluster.auth.jwt.secretEnv: environment variable ${jwt.secretEnv} holds a ${key.asymmetricKeyType} key, not an RSA key`, 'RS256 needs an RSA private key');
    }
  }
  keys.set(cacheKey, key);
  return key;
}

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/** A compact JWS (RFC 7515/7519) of `claims`, header {"alg","typ":"JWT"}. */
export function signJwt(alg: JwtAlgorithm, claims: Record<string, unknown>, key: string | KeyObject): string {
  const input = `${base64url(JSON.stringify({ alg, typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  const signature = alg === 'RS256'
    ? sign('sha256', Buffer.from(input), key as KeyObject)
    : createHmac(`sha${alg.slice(2)}`, key as string).update(input).digest();
  return `${input}.${base64url(signature)}`;
}

/**
 * The credentials of one virtual client. Its token is made on the first connect and made
 * again once half its lifetime is over, so reconnects never present an expired one.
 */
export class CredentialSource {
  private token: string | null = null;
  private madeAtMs = 0;

  constructor(private readonly auth: AuthSpec, private readonly clientId: string,
    private readonly env: NodeJS.ProcessEnv = process.env, private readonly nowMs: () => number = Date.now) {}

  current(): Credentials {
    const a = this.auth;
    const fill = (text: string) => this.fill(text);
    const creds: Credentials = {
      headers: mapValues(a.headers, fill),
      query: mapValues(a.query, fill),
      subprotocols: (a.subprotocols ?? []).map(fill),
    };
    if (a.username !== undefined) creds.username = fill(a.username);
    if (a.password !== undefined) creds.password = fill(a.password);
    if (a.payload !== undefined) creds.payload = fillJson(a.payload, fill);
    return creds;
  }

  private jwt(): string {
    const spec = this.auth.jwt;
    if (!spec) throw new Error('{{jwt}} without cluster.auth.jwt (the scenario reader refuses it)');
    const now = this.nowMs();
    const stale = this.token !== null && spec.expiresInMs !== undefined && now - this.madeAtMs >= spec.expiresInMs / 2;
    if (this.token === null || stale) {
      const iat = Math.floor(now / 1000);
      const claims: Record<string, unknown> = { ...fillJson(spec.claims, (t) => this.fill(t, false)), iat };
      if (spec.expiresInMs !== undefined) claims.exp = iat + Math.ceil(spec.expiresInMs / 1000);
      this.token = signJwt(spec.alg, claims, signingKey(spec, this.env));
      this.madeAtMs = now;
    }
    return this.token;
  }

  private fill(text: string, jwtAllowed = true): string {
    if (!text.includes('{{')) return text;
    return text.replace(TEMPLATE, (whole, name: string) => {
      if (name === 'clientId') return this.clientId;
      if (name === 'jwt' && jwtAllowed) return this.jwt();
      if (name.startsWith('env.')) {
        const value = this.env[name.slice(4)];
        if (value === undefined) throw usageError(`cluster.auth: environment variable ${name.slice(4)} is not set`, `export ${name.slice(4)}=… before the run`);
        return value;
      }
      return whole; // refused by the scenario reader; kept as written
    });
  }
}

function mapValues(record: Record<string, string> | undefined, fill: (t: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record ?? {})) out[k] = fill(v);
  return out;
}

/** A JSON object (claims, a handshake payload) with every text in it filled. */
function fillJson(value: Record<string, unknown>, fill: (t: string) => string): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return fill(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as Record<string, unknown>;
}

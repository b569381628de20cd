// Toxiproxy's HTTP API (api.go Routes()): same paths, methods, status codes, JSON shapes,
// headers and error bodies, so toxiproxy-node-client and @testcontainers/toxiproxy work
// against it unchanged. Requests are handled one at a time (Toxiproxy serialises them with
// its collection and proxy locks); the data path never waits for the API.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as errors from './api-errors';
import { describeError } from './api-errors';
import { decodeStruct, GoJsonError, goMarshal, type GoStruct } from './go-json';
import { GoNetError } from './listen-address';
import { Proxy, PROXY_FIELDS } from './proxy';
import type { ProxyCollection } from './proxy-collection';
import { parseBody, toxicJson } from './toxic-collection';

/** The Toxiproxy release whose API (and JSON shapes, "Logger":{} included) this server mirrors. */
export const TOXIPROXY_VERSION = '2.12.0';

/** Bodies above this are refused; Toxiproxy's are a few hundred bytes. */
export const MAX_BODY_BYTES = 1 << 20;

interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

const json = (status: number, value: unknown): Reply => ({
  status,
  body: goMarshal(value),
  headers: { 'Content-Type': 'application/json' },
});

/** Go's http.Error: text/plain, nosniff, body + "\n". */
const httpError = (status: number, text: string): Reply => ({
  status,
  body: `${text}\n`,
  headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
});

const apiError = (err: unknown): Reply => {
  const { status, message } = describeError(err);
  // Go-worded failures (bind, resolve) are expected 500s; anything else is a bug worth a line.
  if (status === 500 && !(err instanceof GoNetError)) reportUnexpected(err);
  return httpError(status, goMarshal({ error: message, status }));
};

const reported = new Set<string>();
/**
 * One line per distinct unexpected error, at most 100: a client repeating a request that hits
 * a bug must not flood stderr with a stack trace per request (CHAT_BENCH_DEBUG=1 adds it).
 */
function reportUnexpected(err: unknown): void {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  if (reported.has(message) || reported.size >= 100) return;
  reported.add(message);
  const stack = process.env.CHAT_BENCH_DEBUG ? `\n${(err as Error)?.stack ?? ''}` : '';
  process.emitWarning(`toxiproxy API: unexpected error answered 500: ${message}${stack}`);
}

const noContent: Reply = { status: 204 };

const PROXY_STRUCT: GoStruct = { name: 'Proxy', fields: PROXY_FIELDS };

function decodeProxy(body: string, start: { listen?: string; upstream?: string; enabled: boolean }) {
  try {
    const d = decodeStruct(parseBody(body), PROXY_STRUCT, 'toxiproxy.Proxy', start);
    return { name: String(d.name ?? ''), listen: String(d.listen ?? ''), upstream: String(d.upstream ?? ''), enabled: Boolean(d.enabled) };
  } catch (err) {
    if (err instanceof GoJsonError) throw errors.badRequestBody(err.message);
    throw err;
  }
}

type Params = { proxy?: string; toxic?: string };
type Handler = (c: ProxyCollection, p: Params, body: string) => Promise<Reply> | Reply;

const handlers = {
  version: (): Reply => ({
    status: 200,
    body: `{"version": "${TOXIPROXY_VERSION}"}\n`,
    headers: { 'Content-Type': 'application/json;charset=utf-8' },
  }),

  async reset(c: ProxyCollection): Promise<Reply> {
    for (const proxy of c.all()) {
      if (!proxy.enabled) await proxy.start(); // a bind failure stops the reset part-way (500)
      proxy.toxics.reset();
    }
    return noContent;
  },

  proxyIndex: (c: ProxyCollection): Reply => json(200, Object.fromEntries(c.all().map((p) => [p.name, p]))),

  async proxyCreate(c: ProxyCollection, _p: Params, body: string): Promise<Reply> {
    const input = decodeProxy(body, { enabled: true });
    if (!input.name) throw errors.missingField('name');
    if (!input.upstream) throw errors.missingField('upstream');
    const proxy = new Proxy(input.name, input.listen, input.upstream);
    await c.add(proxy, input.enabled);
    return json(201, proxy);
  },

  async populate(c: ProxyCollection, _p: Params, body: string): Promise<Reply> {
    const { proxies, error } = await c.populateJson(body);
    const list = proxies.length > 0 ? proxies : null; // Go marshals an empty slice it never appended to as null
    if (!error) return json(201, { proxies: list });
    const { status, message } = describeError(error);
    return json(status, { error: message, status, proxies: list });
  },

  proxyShow: (c: ProxyCollection, p: Params): Reply => json(200, c.get(p.proxy!)),

  async proxyUpdate(c: ProxyCollection, p: Params, body: string): Promise<Reply> {
    const proxy = c.get(p.proxy!);
    const input = decodeProxy(body, { listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled });
    await proxy.update(input);
    return json(200, proxy);
  },

  async proxyDelete(c: ProxyCollection, p: Params): Promise<Reply> {
    await c.remove(p.proxy!);
    return noContent;
  },

  toxicIndex: (c: ProxyCollection, p: Params): Reply => json(200, c.get(p.proxy!).toxics.list().map(toxicJson)),

  toxicCreate: (c: ProxyCollection, p: Params, body: string): Reply => json(200, toxicJson(c.get(p.proxy!).toxics.addJson(body))),

  toxicShow(c: ProxyCollection, p: Params): Reply {
    const toxic = c.get(p.proxy!).toxics.find(p.toxic!);
    if (!toxic) throw errors.toxicNotFound();
    return json(200, toxicJson(toxic));
  },

  toxicUpdate: (c: ProxyCollection, p: Params, body: string): Reply =>
    json(200, toxicJson(c.get(p.proxy!).toxics.updateJson(p.toxic!, body))),

  toxicDelete(c: ProxyCollection, p: Params): Reply {
    c.get(p.proxy!).toxics.remove(p.toxic!);
    return noContent;
  },
} satisfies Record<string, Handler>;

interface Route {
  path: string[]; // literal segments, or ':proxy' / ':toxic'
  methods: Record<string, Handler>;
}

const ROUTES: Route[] = [
  { path: ['reset'], methods: { POST: handlers.reset } },
  { path: ['proxies'], methods: { GET: handlers.proxyIndex, POST: handlers.proxyCreate } },
  { path: ['populate'], methods: { POST: handlers.populate } },
  {
    path: ['proxies', ':proxy'],
    methods: { GET: handlers.proxyShow, POST: handlers.proxyUpdate, PATCH: handlers.proxyUpdate, DELETE: handlers.proxyDelete },
  },
  { path: ['proxies', ':proxy', 'toxics'], methods: { GET: handlers.toxicIndex, POST: handlers.toxicCreate } },
  {
    path: ['proxies', ':proxy', 'toxics', ':toxic'],
    methods: { GET: handlers.toxicShow, POST: handlers.toxicUpdate, PATCH: handlers.toxicUpdate, DELETE: handlers.toxicDelete },
  },
  { path: ['version'], methods: { GET: handlers.version } },
];

function match(path: string): { route: Route; params: Params } | null {
  if (!path.startsWith('/')) return null;
  const segments = path.slice(1).split('/');
  for (const route of ROUTES) {
    if (route.path.length !== segments.length) continue;
    const params: Params = {};
    const ok = route.path.every((want, i) => {
      if (!want.startsWith(':')) return want === segments[i];
      if (segments[i] === '') return false; // gorilla/mux's [^/]+
      params[want.slice(1) as keyof Params] = segments[i];
      return true;
    });
    if (ok) return { route, params };
  }
  return null;
}

/** A request id like the xid that Toxiproxy's zerolog middleware sends. */
function requestId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  const bytes = randomBytes(20);
  let id = '';
  for (const b of bytes) id += alphabet[b & 31];
  return id;
}

/**
 * The body, or null as soon as it is known to exceed MAX_BODY_BYTES (by Content-Length or
 * while streaming): the rest is never read, and the reply closes the connection.
 */
function readBody(req: IncomingMessage): Promise<string | null> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      resolve(null);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Creates the request handler for node:http. */
export function createApiHandler(collection: ProxyCollection): (req: IncomingMessage, res: ServerResponse) => void {
  let queue: Promise<unknown> = Promise.resolve();

  const route = async (req: IncomingMessage): Promise<Reply> => {
    const rawPath = (req.url ?? '/').split('?')[0];
    let path: string;
    try {
      path = decodeURIComponent(rawPath); // gorilla/mux matches the decoded path
    } catch {
      return httpError(400, '400 Bad Request');
    }
    const found = match(path);
    if (!found) return httpError(404, '404 page not found');
    const handler = found.route.methods[req.method ?? ''];
    if (!handler) return { status: 405 };
    if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) return httpError(403, 'User agent not allowed');
    const body = await readBody(req);
    if (body === null) {
      const reply = apiError(errors.badRequestBody('http: request body too large'));
      return { ...reply, headers: { ...reply.headers, Connection: 'close' } }; // the unread rest is dropped with the connection
    }
    // One request at a time, like Toxiproxy's locks: no two updates race on a proxy.
    const run = queue.then(() => handler(collection, found.params, body));
    queue = run.catch(() => undefined);
    try {
      return await run;
    } catch (err) {
      return apiError(err);
    }
  };

  return (req, res) => {
    route(req)
      .catch((err) => apiError(err))
      .then((reply) => {
        res.setHeader('X-Toxiproxy-Request-Id', requestId());
        for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
        if (reply.body !== undefined) res.setHeader('Content-Length', Buffer.byteLength(reply.body));
        else if (reply.status !== 204) res.setHeader('Content-Length', 0);
        res.writeHead(reply.status);
        res.end(reply.body);
      })
      .catch(() => res.destroy());
  };
}

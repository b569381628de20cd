// The scenario file as written (before parsing: durations like "5s", rates like "2/s") as a
// zod schema: the source of schemas/scenario.schema.json, which editors use for completion
// and checks. src/scenario/parse.ts stays the judge (it gives the one-line errors); a test
// keeps the field lists of both the same.
import { z } from 'zod';
import { ENV_NAME } from '../contracts/connection';
import { GUARANTEES } from '../contracts/metrics';
import { CHURN_ARRIVALS, JWT_ALGORITHMS, MAX_SESSION_SIGMA, RANDOM_FAULT_KINDS, SESSION_DISTRIBUTIONS, SYSTEMS } from '../contracts/scenario';
import { ADAPTER_NAMES } from '../adapters/catalog';
import { SOCKETIO_ACK_STYLES, SOCKETIO_EVENT_ROLES } from '../adapters/socketio-settings';
import { MISBEHAVIOUR_MODES } from '../../reference-broker/misbehaviour';

// The same shapes src/scenario/units.ts reads; bare numbers are refused there on purpose.
const DURATION = /^\s*(?:(?:\d+(?:\.\d+)?|\.\d+)(?:ms|s|m|h))+\s*$/;
const duration = z.string().regex(DURATION).describe('e.g. "250ms", "10s", "1m30s", "1h"');
const rate = z.string().regex(/^\s*(?:\d+(?:\.\d+)?|\.\d+)\s*\/\s*(?:(?:\d+(?:\.\d+)?|\.\d+)?(?:ms|s|m|h))+\s*$/).describe('e.g. "5/s", "300/m", "1/10s"');
const int = (min: number) => z.number().int().min(min);
// a plug-in adapter module, as src/adapters/plugin.ts isAdapterPath() tells it from a built-in name
const pluginPath = z.string().regex(/^(\.{1,2}\/|\/)|\.(c|m)?js$/i).describe('e.g. ./my-adapter.js (relative to the scenario file)');

const template = z.string().min(1).describe('text; {{clientId}}, {{jwt}} and {{env.NAME}} are filled for each client');
const authSchema = z.strictObject({
  headers: z.record(z.string(), template).optional().describe('v1, socketio: HTTP headers of the WebSocket upgrade'),
  query: z.record(z.string(), template).optional().describe('v1, socketio: query parameters added to the URL'),
  subprotocols: z.array(template).optional().describe('v1, socketio: Sec-WebSocket-Protocol values'),
  username: template.optional().describe('v1: HTTP basic user'),
  password: template.optional().describe('v1: HTTP basic password'),
  payload: z.record(z.string(), z.unknown()).optional().describe('socketio: the handshake auth payload (socket.handshake.auth on the server), e.g. { token: "{{jwt}}" }; texts are templates'),
  jwt: z.strictObject({
    secretEnv: z.string().regex(ENV_NAME).describe('environment variable holding the key (HMAC secret, or PEM private key for RS256)'),
    alg: z.enum(JWT_ALGORITHMS).optional().describe('default HS256'),
    claims: z.record(z.string(), z.unknown()).optional().describe('e.g. { sub: "{{clientId}}" }; iat is added, exp from expiresIn'),
    expiresIn: duration.optional(),
  }).optional().describe('a JWT signed per client, used as {{jwt}}'),
});

export const clusterSchema = z.strictObject({
  runtime: z.enum(['local', 'docker', 'external']).optional(),
  nodes: int(1).optional(),
  durable: z.boolean().optional(),
  history: int(0).optional(),
  historyAge: duration.optional(),
  urls: z.array(z.string().regex(/^[a-z][a-z0-9+.-]*:\/\//)).optional().describe('runtime external: the URL of each node (ws://, nats://, redis://, mqtt://, http:// … as the adapter speaks)'),
  faultProxy: z.string().regex(/^https?:\/\/[^/\s]+\/?$/).optional().describe('runtime external: API of a Toxiproxy-compatible proxy the urls already go through (proxies clients:node-1 …); faults are driven through it, so all shards feel them'),
  misbehaviour: z.strictObject({ mode: z.enum(MISBEHAVIOUR_MODES), rate: z.number().min(0).max(1).optional() }).optional(),
  nodeImage: z.string().optional(),
  toxiproxyImage: z.string().optional(),
  system: z.enum(SYSTEMS).optional().describe('what the local runtime starts: the reference broker or a real system installed here'),
  adapter: z.union([z.enum(ADAPTER_NAMES as [string, ...string[]]), pluginPath]).optional().describe('how clients speak to the target (default: the system\'s own), or the path of your own adapter module (runtime external; docs/adapters.md)'),
  resume: z.enum(['serial', 'session', 'none']).optional().describe('may only weaken what the adapter can do'),
  options: z.strictObject({
    qos: int(0).max(2).optional(), session: z.enum(['clean', 'persistent']).optional(),
    events: z.strictObject(Object.fromEntries(SOCKETIO_EVENT_ROLES.map((r) => [r, z.string().min(1).optional()]))).optional().describe('socketio: event names (default join, leave, publish, message)'),
    ack: z.enum(SOCKETIO_ACK_STYLES).optional().describe('socketio: callback (default) or none'),
    recovery: z.boolean().optional().describe('socketio: use connection state recovery (default true)'),
  }).optional().describe('adapter options (mqtt: qos, session; socketio: events, ack, recovery)'),
  hosts: z.record(z.string(), z.string()).optional().describe('runtime external: host name of a URL → the address (IP or IP:port) its connections go to; the name stays the TLS name and Host header'),
  tls: z.strictObject({
    ca: z.string().optional().describe('PEM file of CA certificates trusted besides the system\'s (relative to the scenario file); --ca FILE sets it'),
    insecure: z.boolean().optional().describe('true: certificates are NOT verified (a warning is printed); --insecure sets it'),
  }).optional().describe('runtime external: TLS of wss:// (v1) and https:// or wss:// (socketio) targets'),
  auth: authSchema.optional().describe('per-connection credentials; texts may use {{clientId}}, {{jwt}}, {{env.NAME}}'),
});

const roomSchema = z.strictObject({ channels: int(1).optional(), subscribers: int(1), publishers: int(0).optional() });
const groupSchema = z.strictObject({
  name: z.string().optional(), count: int(1), subscriptionsPerClient: int(0).optional(), publishers: int(0).optional(), publishRate: rate.optional(),
});

export const clientsSchema = z.strictObject({
  count: int(1).optional().describe('required unless groups are given (then it is their sum)'),
  rampUp: duration.optional(),
  channels: int(1).optional(),
  subscriptionsPerClient: int(0).optional(),
  publishers: int(0).optional(),
  publishRate: rate.optional(),
  payloadBytes: int(0).optional(),
  reconnect: z.strictObject({ initial: duration.optional(), max: duration.optional(), multiplier: z.number().optional(), jitter: z.enum(['full', 'equal', 'none']).optional() }).optional(),
  heartbeat: z.strictObject({ interval: duration.optional(), timeout: duration.optional() }).optional(),
  channelDistribution: z.string().regex(/^\s*(uniform|zipf\(\s*\d+(\.\d+)?\s*\))\s*$/).optional().describe('uniform, or zipf(s)'),
  rooms: z.array(roomSchema).optional().describe('channels of a fixed size beside the others'),
  groups: z.array(groupSchema).optional().describe('clients in groups with their own counts and rates'),
});

// Faults are checked by the parser (targets, toxics and actions depend on each other); the
// schema names the fields and lets new ones through.
export const faultSchema = z.looseObject({
  at: duration, for: duration.optional(), target: z.string().optional(), toxic: z.string().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(), stream: z.enum(['upstream', 'downstream', 'both']).optional(),
  toxicity: z.number().min(0).max(1).optional(), action: z.string().optional(), nodes: z.unknown().optional(), restartAfter: duration.optional(),
});

export const randomFaultsSchema = z.strictObject({
  seed: int(0).optional(), every: duration.optional(), maxFor: duration.optional(), kinds: z.array(z.enum(RANDOM_FAULT_KINDS)).optional(),
}).describe('a random nemesis, reproducible from its seed');

export const scenarioSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  cluster: clusterSchema.optional(),
  clients: clientsSchema,
  duration,
  drain: duration.optional(),
  recovery: duration.optional(),
  faults: z.union([z.array(faultSchema), z.strictObject({ random: randomFaultsSchema.optional(), list: z.array(faultSchema).optional() })]).optional(),
  thresholds: z.record(z.string(), z.string()).optional().describe('e.g. { "latency.p99": "< 100ms", loss: "== 0" }'),
  guarantee: z.enum(GUARANTEES).optional(),
  seed: int(0).optional(),
  stages: z.array(z.strictObject({ duration, clients: int(0), publishRate: rate.optional().describe('per publisher, reached at the stage\'s end (linear from the previous stage\'s)') })).optional().describe('k6-style ramp / hold / ramp-down of connected clients and of publish rate'),
  churn: z.strictObject({
    rate: rate.describe('joins per second (without session: leaves, each replaced at once by a fresh client)'),
    session: z.strictObject({
      distribution: z.enum(SESSION_DISTRIBUTIONS),
      mean: duration.optional().describe('mean session length (uniform: or min and max)'),
      min: duration.optional().describe('uniform only (default mean − 50 %)'),
      max: duration.optional().describe('uniform only (default mean + 50 %)'),
      sigma: z.number().gt(0).max(MAX_SESSION_SIGMA).optional().describe('lognormal only: spread of the log (default 1)'),
    }).optional().describe('open model: clients join at rate and stay for a session of this length distribution'),
    arrivals: z.enum(CHURN_ARRIVALS).optional().describe('with session: joins evenly spaced (default) or Poisson'),
    resume: z.boolean().optional().describe('with session: a leaver comes back as itself and resumes (default false: fresh clients only)'),
    away: duration.optional().describe('with resume: the least time a leaver stays away (default 1s)'),
  }).optional().describe('clients leaving and joining at a rate'),
}).describe('chat-bench scenario file');

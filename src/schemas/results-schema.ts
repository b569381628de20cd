// results.json (schema 1) as a zod schema: the source of schemas/results.schema.json. The
// compile-time checks at the end keep it and ResultsV1 (src/contracts/results.ts) identical.
import { z } from 'zod';
import type { ResultsV1 } from '../contracts/results';

const n = z.number();
const latencySummary = z.object({ count: n, minUs: n, p50Us: n, p90Us: n, p99Us: n, p999Us: n, maxUs: n, meanUs: n });
const phase = z.enum(['steady', 'fault', 'recovery']);

const integrityCounts = {
  scheduled: n, published: n, acked: n, inDoubt: n, unsent: n, expected: n, delivered: n, deliveriesTotal: n,
  lost: n, lostSilent: n, lostAnnounced: n, lostInSession: n, notDelivered: n, duplicated: n, reordered: n,
  reorderedN: n, phantom: n, unackedDelivered: n, serialConflicts: n, unconfirmedStreams: n,
};

export const resultsSchema = z.object({
  schema: z.literal(1),
  tool: z.object({ name: z.literal('chat-bench'), version: z.string() }),
  runId: z.string(),
  startedAt: z.string().describe('ISO time'),
  durationMs: n,
  scenario: z.unknown().describe('the scenario as run (normalised)'),
  environment: z.object({ node: z.string(), platform: z.string(), cpus: n, hostname: z.string(), runtime: z.string(), workers: n, nodes: z.array(z.string()) }),
  timeline: z.array(z.object({
    atMs: n, endMs: n.optional(), kind: z.enum(['fault', 'phase', 'run']), label: z.string(), target: z.string().optional(),
    phase: phase.optional(), error: z.string().optional(), timeToRecoverMs: n.nullable().optional(),
  })),
  recovery: z.object({
    baseline: z.object({ p99Us: n, reconnectsPerSec: n, seconds: n, fromTarget: z.boolean() }),
    maxMs: n,
    windows: z.array(z.object({
      afterFaults: z.array(z.string()), startMs: n, endMs: n, timeToRecoverMs: n.nullable(),
      endedBy: z.enum(['baseline', 'maximum', 'next fault', 'end of publishing']),
    })),
  }).optional(),
  generatedFaults: z.array(z.record(z.string(), z.unknown())).optional().describe('the random nemesis\'s faults, as they could be written under faults:'),
  clients: z.object({ target: n, maxConnected: n, connects: n, reconnects: n, disconnects: n, connectFailures: n, heartbeatTimeouts: n, leaves: n.optional(), returns: n.optional() }),
  totals: z.object({ ...integrityCounts, protocolErrors: n }),
  channels: z.array(z.object({ ...integrityCounts, channel: z.string(), streams: n, lastSerial: n })),
  examples: z.array(z.object({
    kind: z.enum(['lost', 'duplicated', 'reordered', 'phantom']), channel: z.string(), serial: n.optional(), publisher: z.string().optional(),
    n: n.optional(), clients: z.array(z.string()), atMs: n.optional(), fault: z.string().optional(), announced: z.boolean().optional(),
    sentAtMs: n.optional(), ackedAtMs: n.optional(),
  })),
  latency: z.object({
    overall: latencySummary, phases: z.record(z.string(), latencySummary), connect: latencySummary, reconnect: latencySummary,
    continuity: latencySummary, percentiles: z.array(z.object({ percentile: n, valueUs: n })),
  }),
  histograms: z.record(z.string(), z.string()).describe('name → HDR histogram, compressed base64 (mergeable)'),
  series: z.array(z.object({
    t: n, latency: latencySummary, deliveries: n, scheduled: n.optional(), published: n, acked: n, connected: n, reconnects: n, disconnects: n, lost: n.optional(),
  })),
  thresholds: z.array(z.object({
    expression: z.string(), condition: z.string(), metric: z.string(), tags: z.record(z.string(), z.string()), actual: n.nullable(),
    unit: z.enum(['us', 'count', 'ratio', 'ms']), pass: z.boolean(), source: z.enum(['guarantee', 'scenario']), message: z.string(),
  })),
  verdict: z.enum(['pass', 'fail']),
  exitCode: n,
}).describe('chat-bench results.json, schema 1');

// Both directions: a field added to one and not the other fails the build.
// (Strict equality: optional fields count too.)
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const resultsMatch: Same<z.infer<typeof resultsSchema>, ResultsV1> = true;
void resultsMatch;

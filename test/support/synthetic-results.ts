// Realistic synthetic results.json objects for the report tests, until (and besides) real runs:
// a 60 s run of 2000 clients with a ramp-up, a latency fault, a link cut and a node kill, per-second
// series that react to those faults, loss/duplicate examples inside the fault windows, and a set of
// thresholds of which some fail. Deterministic for a given seed.
import type {
  ResultsV1, SecondSample, LatencySummary, TimelineEvent, ChannelIntegrity, IntegrityExample, ThresholdVerdict,
} from '../../src/contracts/results';
import { seededRandom, type Random } from '../../src/load/random';

export interface SyntheticOptions {
  seed?: number;
  seconds?: number;          // length of the per-second series (default 60)
  channels?: number;         // default 50
  failing?: boolean;         // losses, duplicates and a failed latency threshold (default true)
  hostile?: boolean;         // strings that try HTML/XML injection in every free-text field
}

const HOSTILE = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">&amp;"'</svg>]]>`;

export function makeSyntheticResults(opts: SyntheticOptions = {}): ResultsV1 {
  const seed = opts.seed ?? 7;
  const seconds = opts.seconds ?? 60;
  const failing = opts.failing ?? true;
  const hostile = opts.hostile ?? false;
  const random = seededRandom(seed);
  const tag = (s: string) => (hostile ? `${s}${HOSTILE}` : s);

  const target = 2000;
  const rampS = Math.min(10, Math.floor(seconds / 6));
  const at = (fraction: number) => Math.round(seconds * fraction) * 1000;
  const faults: TimelineEvent[] = [
    { atMs: at(1 / 3), endMs: at(1 / 2), kind: 'fault', label: tag('latency 300ms ±100ms on clients:node-2'), target: 'clients:node-2' },
    { atMs: at(35 / 60), endMs: at(40 / 60), kind: 'fault', label: tag('link down node-1>node-3'), target: 'link:node-1>node-3' },
    { atMs: at(45 / 60), endMs: at(45 / 60) + 3000, kind: 'fault', label: tag('kill node-2, restart after 3s'), target: 'node:node-2' },
  ];
  if (failing) {
    faults.push({ atMs: at(50 / 60), kind: 'fault', label: tag('reset_peer on clients:node-3'), target: 'clients:node-3',
      error: tag('toxic could not be removed: proxy not found') });
  }
  const phases: TimelineEvent[] = [
    { atMs: 0, kind: 'run', label: 'run started' },
    { atMs: rampS * 1000, kind: 'run', label: 'ramp-up done' },
    { atMs: rampS * 1000, endMs: faults[0].atMs, kind: 'phase', label: 'steady', phase: 'steady' },
    { atMs: faults[0].atMs, endMs: faults[0].endMs, kind: 'phase', label: 'fault', phase: 'fault' },
    { atMs: faults[0].endMs!, endMs: faults[0].endMs! + 5000, kind: 'phase', label: 'recovery', phase: 'recovery' },
    { atMs: seconds * 1000, kind: 'run', label: 'publishing stopped, draining' },
  ];
  const timeline = [...phases, ...faults].sort((a, b) => a.atMs - b.atMs);

  const inWindow = (t: number, e: TimelineEvent, extraS = 0) => t * 1000 >= e.atMs && t * 1000 < (e.endMs ?? e.atMs + 1000) + extraS * 1000;
  const series: SecondSample[] = [];
  let connected = 0;
  for (let t = 0; t < seconds; t++) {
    const ramp = Math.min(1, (t + 1) / Math.max(1, rampS));
    let disconnects = 0;
    let reconnects = 0;
    let wanted = Math.round(target * ramp);
    if (inWindow(t, faults[2]) && t * 1000 === faults[2].atMs) disconnects = Math.round(target / 3);
    const killed = inWindow(t, faults[2]);
    if (killed) wanted = target - Math.round(target / 3);
    const afterKill = t * 1000 >= (faults[2].endMs ?? 0) && t * 1000 < (faults[2].endMs ?? 0) + 4000;
    if (afterKill) {
      const back = Math.round(((t * 1000 - faults[2].endMs! + 1000) / 4000) * (target / 3));
      wanted = target - Math.round(target / 3) + back;
      reconnects = Math.max(0, wanted - connected);
    }
    const noise = Math.round(random() * 3);
    if (!killed && !afterKill && t > rampS) { disconnects += noise; reconnects += noise; }
    connected = Math.max(0, wanted);

    const publishers = Math.round(200 * ramp);
    const published = Math.round(publishers * 5 * (0.97 + random() * 0.06));
    const ackedShare = killed ? 0.66 : 1;
    const acked = Math.round(published * ackedShare);
    const fanout = (connected * 2) / 50;
    const deliveries = Math.round(published * fanout * (killed ? 0.66 : 1) + (afterKill ? published * fanout * 0.5 : 0));

    let p50 = 1800 + random() * 600;
    let tail = 3 + random() * 2;
    if (inWindow(t, faults[0])) { p50 *= 1.4; tail = 230 + random() * 40; }
    if (inWindow(t, faults[1])) tail *= 2.5;
    if (killed || afterKill) { p50 *= 2; tail = 60 + random() * 120; }
    series.push({
      t,
      latency: summary(deliveries, p50, tail, random),
      deliveries, published, acked, connected, reconnects, disconnects,
      lost: failing && killed ? Math.round(2 + random() * 4) : 0,
    });
  }

  const channelCount = opts.channels ?? 50;
  const channels: ChannelIntegrity[] = [];
  const examples: IntegrityExample[] = [];
  const publishedTotal = series.reduce((s, x) => s + x.published, 0);
  const ackedTotal = series.reduce((s, x) => s + x.acked, 0);
  const deliveredTotal = series.reduce((s, x) => s + x.deliveries, 0);
  let lostSilent = 0; let lostAnnounced = 0; let duplicated = 0; let reordered = 0;
  for (let c = 0; c < channelCount; c++) {
    const name = c === 3 && hostile ? tag('room-003') : `room-${String(c).padStart(3, '0')}`;
    const published = Math.round(publishedTotal / channelCount);
    const streams = Math.round((target * 2) / channelCount);
    const bad = failing && c % 7 === 3;
    const silent = bad ? 1 + (c % 3) : 0;
    const announced = bad ? 3 : 0;
    const dup = failing && c === 10 ? 2 : 0;
    const reo = failing && c === 17 ? 1 : 0;
    lostSilent += silent; lostAnnounced += announced; duplicated += dup; reordered += reo;
    const expected = published * streams;
    const lost = silent + announced;
    channels.push({
      channel: name, streams, lastSerial: published,
      published, acked: Math.round(ackedTotal / channelCount), expected, delivered: expected - lost,
      deliveriesTotal: expected - lost + dup, lost, lostSilent: silent, lostAnnounced: announced,
      duplicated: dup, reordered: reo, phantom: 0, unackedDelivered: bad ? 4 : 0, serialConflicts: 0,
      scheduled: published, inDoubt: 0, unsent: 0, lostInSession: 0, notDelivered: 0, reorderedN: 0, unconfirmedStreams: 0,
    });
    const killAt = faults[2].atMs;
    for (let i = 0; i < silent; i++) {
      examples.push({ kind: 'lost', channel: name, serial: 900 + i * 13 + c, publisher: tag(`c${c * 4 + 1}`), n: 180 + i,
        clients: [`c${c + 100}`, `c${c + 433}`], atMs: killAt + 200 + i * 150, fault: faults[2].label, announced: false });
    }
    if (announced) {
      examples.push({ kind: 'lost', channel: name, serial: 905 + c, publisher: `c${c * 4 + 2}`, n: 182,
        clients: [`c${c + 7}`], atMs: killAt + 900, fault: faults[2].label, announced: true });
    }
    if (dup) examples.push({ kind: 'duplicated', channel: name, serial: 1200, publisher: 'c41', n: 240, clients: ['c1201', 'c1377'], atMs: faults[1].atMs + 1500, fault: faults[1].label });
    if (reo) examples.push({ kind: 'reordered', channel: name, serial: 640, publisher: 'c69', n: 128, clients: ['c902'], atMs: faults[0].atMs + 4200, fault: faults[0].label });
  }
  const expectedTotal = channels.reduce((s, c) => s + c.expected, 0);
  const lostTotal = lostSilent + lostAnnounced;

  const allLatency = summary(deliveredTotal, 2100, failing ? 30 : 6, random);
  allLatency.maxUs = Math.max(...series.map((x) => x.latency.maxUs));
  allLatency.p999Us = Math.min(allLatency.maxUs, Math.max(allLatency.p999Us, Math.round(allLatency.maxUs * 0.6)));
  const thresholds: ThresholdVerdict[] = [
    verdict('latency.p99{phase:steady}', '< 100ms', 'us', 7_900, (v) => v < 100_000),
    verdict('latency.p99{phase:fault}', '< 250ms', 'us', failing ? 412_300 : 240_100, (v) => v < 250_000),
    verdict('loss', '== 0', 'count', lostTotal, (v) => v === 0),
    verdict('duplicates', '== 0', 'count', duplicated, (v) => v === 0),
    verdict('reorders', '== 0', 'count', reordered, (v) => v === 0),
    verdict('reconnect.p99', '< 5s', 'us', 2_740_000, (v) => v < 5_000_000),
  ];
  if (hostile) thresholds.push(verdict(tag('custom'), tag('< 1'), 'count', 0, () => true));
  const pass = thresholds.every((t) => t.pass);

  const scenario = {
    name: tag('partition-heal'),
    description: tag('Three nodes; a slow client proxy, a cut link, a killed node.'),
    cluster: { runtime: 'local', nodes: 3, durable: true, history: 10000, historySeconds: 3600, urls: [] },
    clients: { count: target, rampUpMs: rampS * 1000, channels: channelCount, subscriptionsPerClient: 2, publishers: 200,
      publishRate: 5, payloadBytes: 256, reconnect: { initialMs: 100, maxMs: 5000, multiplier: 2, jitter: 'full' },
      heartbeat: { intervalMs: 5000, timeoutMs: 10000 } },
    durationMs: seconds * 1000, drainMs: 15000, recoveryMs: 5000,
    faults: faults.map((f) => ({ atMs: f.atMs, forMs: f.endMs === undefined ? undefined : f.endMs - f.atMs, label: f.label })),
    thresholds: thresholds.map((t) => ({ expression: t.expression, condition: t.condition })),
    seed,
  };

  return {
    schema: 1,
    tool: { name: 'chat-bench', version: '0.1.0' },
    runId: `20250301-101500-${tag('partition-heal')}`,
    startedAt: '2025-03-01T10:15:00.000Z',
    durationMs: seconds * 1000 + 15000,
    scenario,
    environment: { node: 'v20.19.0', platform: 'linux x64', cpus: 2, hostname: tag('bench-host'), runtime: 'local', workers: 1, nodes: ['node-1', 'node-2', 'node-3'] },
    timeline,
    clients: { target, maxConnected: target, connects: target + 690, reconnects: 690, disconnects: 700, connectFailures: failing ? 37 : 0, heartbeatTimeouts: failing ? 4 : 0 },
    totals: {
      published: publishedTotal, acked: ackedTotal, expected: expectedTotal, delivered: expectedTotal - lostTotal,
      deliveriesTotal: expectedTotal - lostTotal + duplicated, lost: lostTotal, lostSilent, lostAnnounced, duplicated, reordered,
      phantom: 0, unackedDelivered: failing ? 24 : 0, serialConflicts: 0, protocolErrors: 0,
      scheduled: publishedTotal, inDoubt: 0, unsent: 0, lostInSession: 0, notDelivered: 0, reorderedN: 0, unconfirmedStreams: 0,
    },
    channels,
    examples,
    latency: {
      overall: allLatency,
      phases: { steady: summary(1000, 2000, 4, random), fault: summary(1000, 2600, failing ? 160 : 100, random), recovery: summary(1000, 2300, 10, random) },
      connect: summary(target, 1200, 3, random),
      reconnect: summary(690, 180_000, 8, random),
      continuity: summary(690, 210_000, 8, random),
      percentiles: percentileCurve(allLatency),
    },
    histograms: { overall: 'HISTFAAAACl4nJNpmSzMwMDAyAABzFCaEUKzMjEwMDIwMDEwMDEwMA==', 'phase:steady': 'HISTFAAAACl4nJNpmSzMwMDAyAA=' },
    series,
    thresholds,
    verdict: pass ? 'pass' : 'fail',
    exitCode: pass ? 0 : 1,
  };
}

/** A per-second latency summary: p50 around `p50Us`, tail = p99/p50 factor. */
function summary(count: number, p50Us: number, tail: number, random: Random): LatencySummary {
  const p50 = Math.round(p50Us);
  const p99 = Math.round(p50Us * tail);
  return {
    count, minUs: Math.round(p50Us * 0.3), p50Us: p50, p90Us: Math.round(p50Us * (1 + (tail - 1) * 0.35)), p99Us: p99,
    p999Us: Math.round(p99 * 1.6), maxUs: Math.round(p99 * (2 + random() * 2)), meanUs: Math.round(p50Us * (1 + tail / 20)),
  };
}

/** HdrHistogram-style percentile iteration points and a monotone curve through the summary. */
function percentileCurve(s: LatencySummary): Array<{ percentile: number; valueUs: number }> {
  const anchors: Array<[number, number]> = [[0, s.minUs], [50, s.p50Us], [90, s.p90Us], [99, s.p99Us], [99.9, s.p999Us], [100, s.maxUs]];
  const points: Array<{ percentile: number; valueUs: number }> = [];
  for (let k = 0; k <= 20; k++) {
    for (const step of [0, 0.25, 0.5, 0.75]) {
      const p = 100 - 100 / 2 ** (k + step);
      if (p > 99.9999) break;
      points.push({ percentile: Math.round(p * 1e6) / 1e6, valueUs: interpolate(anchors, p) });
    }
  }
  points.push({ percentile: 100, valueUs: s.maxUs });
  return points;
}

function interpolate(anchors: Array<[number, number]>, p: number): number {
  const x = (q: number) => Math.log10(1 / Math.max(1e-7, 1 - q / 100));
  for (let i = 1; i < anchors.length; i++) {
    const [p0, v0] = anchors[i - 1];
    const [p1, v1] = anchors[i];
    if (p <= p1) {
      const f = (x(p) - x(p0)) / (x(p1) - x(p0) || 1);
      return Math.round(Math.exp(Math.log(v0) + f * (Math.log(v1) - Math.log(v0))));
    }
  }
  return anchors[anchors.length - 1][1];
}

function verdict(expression: string, condition: string, unit: ThresholdVerdict['unit'], actual: number, ok: (v: number) => boolean): ThresholdVerdict {
  const [metric, rawTags] = expression.split('{');
  const tags: Record<string, string> = {};
  if (rawTags) for (const kv of rawTags.replace(/}.*$/, '').split(',')) { const [k, v] = kv.split(':'); tags[k] = v; }
  const pass = ok(actual);
  const shown = unit === 'us' ? `${(actual / 1000).toFixed(1)}ms` : String(actual);
  return { expression, condition, metric, tags, actual, unit, pass, source: 'scenario', message: `${expression} = ${shown} ${condition}` };
}

// The summary printed at the end of a run, and its machine-readable twin for --json-summary.
import type { ResultsV1 } from '../contracts/results';
import { viewThreshold } from './threshold-view';
import { formatCount, formatDate, formatDurationMs, formatUs, usToMs } from './format';

export interface SummaryOptions { color?: boolean }

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' };
type Paint = (code: keyof typeof ANSI, s: string) => string;

/** Integrity counters that are defects when non-zero (lost, duplicated, reordered, phantom, serial conflicts). */
export function integrityDefects(results: ResultsV1): number {
  const t = results.totals;
  return t.lost + t.duplicated + t.reordered + t.phantom + t.serialConflicts;
}

/** The end-of-run table as text (no trailing newline); colour codes only with `color: true`. */
export function formatSummary(results: ResultsV1, opts: SummaryOptions = {}): string {
  const paint: Paint = opts.color ? (code, s) => `${ANSI[code]}${s}${ANSI.reset}` : (_c, s) => s;
  const bad = (n: number, s: string) => (n > 0 ? paint('red', s) : s);
  const t = results.totals;
  const c = results.clients;
  const l = results.latency.overall;
  const name = scenarioName(results);
  const lines: string[] = [];

  lines.push(`${paint('bold', `chat-bench · ${name}`)} ${paint('dim', `· run ${results.runId}`)}`);
  lines.push(paint('dim', `  ${formatDurationMs(results.durationMs)} · runtime ${results.environment.runtime} · ` +
    `${results.environment.nodes.length} node${results.environment.nodes.length === 1 ? '' : 's'} · started ${formatDate(results.startedAt)}`));
  lines.push('');

  const rows: Array<[string, string]> = [
    ['clients', `target ${formatCount(c.target)} · max connected ${formatCount(c.maxConnected)} · reconnects ${formatCount(c.reconnects)}` +
      (c.connectFailures ? ` · connect failures ${formatCount(c.connectFailures)}` : '') +
      (c.heartbeatTimeouts ? ` · heartbeat timeouts ${formatCount(c.heartbeatTimeouts)}` : '') +
      (c.leaves ? ` · left ${formatCount(c.leaves)}` : '') +
      (c.returns ? ` · came back ${formatCount(c.returns)}` : '')],
    ['published', publishHealth(results, bad)],
    ['delivered', `${formatCount(t.delivered)} of ${formatCount(t.expected)} owed` +
      (t.notDelivered ? paint('yellow', ` · ${formatCount(t.notDelivered)} not yet delivered (run cut short)`) : '') +
      (t.unackedDelivered ? ` · ${formatCount(t.unackedDelivered)} in doubt delivered` : '') +
      (t.unconfirmedStreams ? bad(t.unconfirmedStreams, ` · ${formatCount(t.unconfirmedStreams)} streams never confirmed`) : '')],
    ['integrity', [
      bad(t.lost, `lost ${formatCount(t.lost)} (silent ${formatCount(t.lostSilent)}, announced ${formatCount(t.lostAnnounced)}` +
        `${t.lost ? `, inside a live session ${formatCount(t.lostInSession)}` : ''})`),
      bad(t.duplicated, `dup ${formatCount(t.duplicated)}`),
      bad(t.reordered, `reordered ${formatCount(t.reordered)}`),
      bad(t.phantom, `phantom ${formatCount(t.phantom)}`),
      ...(t.serialConflicts ? [bad(t.serialConflicts, `serial conflicts ${formatCount(t.serialConflicts)}`)] : []),
      bad(t.protocolErrors, `protocol errors ${formatCount(t.protocolErrors)}`),
    ].join(' · ')],
    ['latency', l.count === 0 ? paint('yellow', 'no deliveries recorded') : `p50 ${formatUs(l.p50Us)} · p90 ${formatUs(l.p90Us)} · p99 ${formatUs(l.p99Us)} · ` +
      `p99.9 ${formatUs(l.p999Us)} · max ${formatUs(l.maxUs)} ${paint('dim', `(${formatCount(l.count)} deliveries)`)}`],
  ];
  const recovery = recoveryText(results);
  if (recovery) rows.push(['recovery', recovery]);
  const labelWidth = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) lines.push(`  ${paint('dim', k.padEnd(labelWidth))}  ${v}`);

  if (results.thresholds.length) {
    const views = results.thresholds.map((x) => ({ ...viewThreshold(x), source: x.source }));
    const nameW = Math.max(...views.map((v) => v.name.length));
    const measW = Math.max(...views.map((v) => v.measured.length));
    const row = (v: (typeof views)[number]) => `  ${v.pass ? paint('green', 'PASS') : paint('red', 'FAIL')}  ${v.name.padEnd(nameW)}  ` +
      `${v.measured.padStart(measW)}  required ${v.required}${v.miss ? paint('red', `  ${v.miss}`) : ''}`;
    const implied = views.filter((v) => v.source === 'guarantee');
    if (implied.length) {
      // the guarantee's checks: one line while they hold, every broken one named when not
      lines.push('');
      lines.push(`${paint('bold', `  guarantee ${guaranteeOf(results)}`)}${paint('dim', ' (implied checks)')}`);
      const held = implied.filter((v) => v.pass);
      if (held.length) lines.push(`  ${paint('green', 'PASS')}  ${held.map((v) => `${v.name} ${v.measured}`).join(' · ')}`);
      for (const v of implied.filter((x) => !x.pass)) lines.push(row(v));
    }
    const written = views.filter((v) => v.source !== 'guarantee');
    if (written.length) {
      lines.push('');
      lines.push(paint('bold', '  thresholds'));
      for (const v of written) lines.push(row(v));
    }
  }

  const failedFaults = results.timeline.filter((e) => e.kind === 'fault' && e.error);
  if (failedFaults.length) {
    lines.push('');
    for (const f of failedFaults) lines.push(paint('yellow', `  warning: fault "${f.label}" at ${formatDurationMs(f.atMs)}: ${f.error}`));
  }

  lines.push('');
  lines.push(verdictLine(results, paint));
  return lines.join('\n');
}

/** Published, acked, in doubt, unsent: a stalled target shows here even when nothing was owed. */
function publishHealth(results: ResultsV1, bad: (n: number, s: string) => string): string {
  const t = results.totals;
  const offered = t.scheduled > 0 ? t.published / t.scheduled : 1;
  return `${formatCount(t.published)} of ${formatCount(t.scheduled)} scheduled` +
    (offered < 1 ? bad(1, ` (offered ${(offered * 100).toFixed(1)}% of the schedule)`) : '') +
    ` · acked ${formatCount(t.acked)}` +
    (t.inDoubt ? bad(t.inDoubt, ` · in doubt ${formatCount(t.inDoubt)}`) : '') +
    (t.unsent ? bad(t.unsent, ` · never sent ${formatCount(t.unsent)}`) : '');
}

export function guaranteeOf(results: ResultsV1): string {
  const s = results.scenario as { guarantee?: unknown } | null;
  return s && typeof s === 'object' && typeof s.guarantee === 'string' ? s.guarantee : 'exactly-once-ordered';
}

/** "down clients:node-1 → 2.0s · kill node:node-2 → not within 30s (maximum) · baseline p99 25ms": time to recover per fault period. */
export function recoveryText(results: ResultsV1): string | undefined {
  const r = results.recovery;
  if (!r || r.windows.length === 0) return undefined;
  const MAX_SHOWN = 4;
  const parts = r.windows.slice(0, MAX_SHOWN).map((w) => `${w.afterFaults.join(' + ')} → ` +
    (w.timeToRecoverMs !== null ? formatDurationMs(w.timeToRecoverMs) : `not recovered (${w.endedBy} after ${formatDurationMs(w.endMs - w.startMs)})`));
  if (r.windows.length > MAX_SHOWN) parts.push(`${r.windows.length - MAX_SHOWN} more in the report`);
  const base = r.baseline.fromTarget ? 'baseline: the 100ms target' : `baseline p99 ${formatUs(r.baseline.p99Us)}, ${r.baseline.reconnectsPerSec} reconnects/s`;
  return `${parts.join(' · ')} (${base})`;
}

function verdictLine(results: ResultsV1, paint: Paint): string {
  const failedChecks = results.thresholds.filter((x) => !x.pass);
  const failed = failedChecks.length;
  const total = results.thresholds.length;
  const defects = integrityDefects(results);
  const names = failedChecks.slice(0, 6).map((x) => x.expression).join(', ') + (failed > 6 ? ', …' : '');
  const detail = total === 0 ? 'no checks' : failed ? `${names} (${failed} of ${total} checks failed)` : `all ${total} checks met`;
  const integrity = defects ? `, ${formatCount(defects)} integrity defect${defects === 1 ? '' : 's'}` : '';
  const why = results.exitCode === 130 ? ', run interrupted' : results.exitCode === 3 ? ', infrastructure failure' : '';
  const word = results.verdict === 'pass' ? paint('green', paint('bold', 'PASS')) : paint('red', paint('bold', 'FAIL'));
  return `${word} — ${detail}${integrity}${why} (exit ${results.exitCode})`;
}

export function scenarioName(results: ResultsV1): string {
  const s = results.scenario as { name?: unknown } | null;
  return s && typeof s === 'object' && typeof s.name === 'string' ? s.name : results.runId;
}

/** The stable object behind --json-summary; keys and their order are part of the CLI's contract. */
export interface JsonSummaryV1 {
  schema: 1;
  runId: string;
  scenario: string;
  verdict: 'pass' | 'fail';
  exitCode: number;
  durationMs: number;
  clients: { target: number; maxConnected: number; reconnects: number };
  totals: {
    published: number; acked: number; expected: number; delivered: number;
    lost: number; lostSilent: number; lostAnnounced: number; duplicated: number; reordered: number; phantom: number;
    protocolErrors: number;
  };
  latencyMs: { p50: number | null; p99: number | null; max: number | null };
  thresholds: Array<{ expression: string; condition: string; actual: number | null; unit: string; pass: boolean }>;
}

export function jsonSummary(results: ResultsV1): JsonSummaryV1 {
  const t = results.totals;
  const l = results.latency.overall;
  return {
    schema: 1,
    runId: results.runId,
    scenario: scenarioName(results),
    verdict: results.verdict,
    exitCode: results.exitCode,
    durationMs: results.durationMs,
    clients: { target: results.clients.target, maxConnected: results.clients.maxConnected, reconnects: results.clients.reconnects },
    totals: {
      published: t.published, acked: t.acked, expected: t.expected, delivered: t.delivered,
      lost: t.lost, lostSilent: t.lostSilent, lostAnnounced: t.lostAnnounced, duplicated: t.duplicated,
      reordered: t.reordered, phantom: t.phantom, protocolErrors: t.protocolErrors,
    },
    latencyMs: l.count ? { p50: usToMs(l.p50Us), p99: usToMs(l.p99Us), max: usToMs(l.maxUs) } : { p50: null, p99: null, max: null },
    thresholds: results.thresholds.map((x) => ({ expression: x.expression, condition: x.condition, actual: x.actual, unit: x.unit, pass: x.pass })),
  };
}

/** One line of JSON (no trailing newline), for --json-summary. */
export function formatJsonSummary(results: ResultsV1): string {
  return JSON.stringify(jsonSummary(results));
}

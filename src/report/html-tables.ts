// The report's tables: thresholds, latency summaries, integrity totals, per-channel integrity
// (sortable, worst first), loss/duplicate examples, the fault timeline, the environment.
import type { ChannelIntegrity, IntegrityExample, LatencySummary, ResultsV1 } from '../contracts/results';
import { escapeHtml } from './escape';
import { faultBands, orderedPhases } from './html-charts';
import { viewThreshold } from './threshold-view';
import { formatCount, formatDurationMs, formatOffsetMs, formatUs } from './format';

export interface Column<T> {
  head: string;
  num?: boolean;                       // right-aligned, sorts numerically
  cell: (row: T) => string | number | null | undefined;
  value?: (row: T) => number | string; // raw sort value (data-v)
  bad?: (row: T) => boolean;           // highlighted as a defect (bold, colour, ▲)
  html?: (row: T) => string;           // markup built by this module (escaped inside); wins over cell
}

/** A table whose every cell text is escaped; `sortable` adds header buttons for the sort script. */
export function table<T>(rows: T[], columns: Array<Column<T>>, opts: { sortable?: boolean; id?: string; tall?: boolean; rowClass?: (row: T) => string | undefined } = {}): string {
  const head = columns.map((c) => {
    const cls = c.num ? ' class="num"' : '';
    const type = opts.sortable ? ` data-type="${c.num ? 'num' : 'text'}"` : '';
    const label = opts.sortable ? `<button type="button">${escapeHtml(c.head)}</button>` : escapeHtml(c.head);
    return `<th scope="col"${cls}${type}>${label}</th>`;
  }).join('');
  const body = rows.map((row) => {
    const rc = opts.rowClass?.(row);
    const cells = columns.map((c) => {
      const classes = [c.num ? 'num' : '', c.bad?.(row) ? 'bad' : ''].filter(Boolean).join(' ');
      const raw = c.value?.(row);
      const v = raw === undefined ? '' : ` data-v="${escapeHtml(raw)}"`;
      const content = c.html ? c.html(row) : escapeHtml(c.cell(row) ?? '');
      return `<td${classes ? ` class="${classes}"` : ''}${v}>${content}</td>`;
    }).join('');
    return `<tr${rc ? ` class="${escapeHtml(rc)}"` : ''}>${cells}</tr>`;
  }).join('');
  const cls = opts.sortable ? ' class="sortable"' : '';
  return `<div class="table-wrap${opts.tall ? ' tall' : ''}"><table${cls}${opts.id ? ` id="${escapeHtml(opts.id)}"` : ''}><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

export function thresholdsTable(results: ResultsV1): string {
  if (!results.thresholds.length) return '<p class="empty">No thresholds were set: the run passes unless it fails to run.</p>';
  const rows = results.thresholds.map((t) => ({ t, v: viewThreshold(t) }));
  return table(rows, [
    { head: 'result', cell: (r) => (r.v.pass ? 'PASS' : 'FAIL'), html: (r) => statusBadge(r.v.pass) },
    { head: 'threshold', cell: (r) => r.v.name },
    { head: 'measured', num: true, cell: (r) => r.v.measured, bad: (r) => !r.v.pass },
    { head: 'required', cell: (r) => r.v.required },
    { head: 'missed by', cell: (r) => r.v.miss ?? '' },
  ], { id: 'thresholds', rowClass: (r) => (r.v.pass ? undefined : 'failed') });
}

/** PASS/FAIL as a badge: the word stays, so it is not a colour-only cue. */
export const statusBadge = (pass: boolean): string => `<span class="status ${pass ? 'pass' : 'fail'}">${pass ? 'PASS' : 'FAIL'}</span>`;

export function latencyTable(results: ResultsV1): string {
  const l = results.latency;
  const rows: Array<{ name: string; s: LatencySummary }> = [{ name: 'delivery, whole run', s: l.overall }];
  for (const [phase, s] of orderedPhases(l.phases)) rows.push({ name: `delivery, ${phase} phase`, s });
  rows.push({ name: 'connect', s: l.connect }, { name: 'reconnect (drop → resubscribed)', s: l.reconnect }, { name: 'continuity (drop → first resumed message)', s: l.continuity });
  const us = (f: (s: LatencySummary) => number) => (r: { s: LatencySummary }) => (r.s && r.s.count ? formatUs(f(r.s)) : '–');
  return table(rows.filter((r) => r.s), [
    { head: 'what', cell: (r) => r.name },
    { head: 'count', num: true, cell: (r) => formatCount(r.s.count) },
    { head: 'min', num: true, cell: us((s) => s.minUs) },
    { head: 'p50', num: true, cell: us((s) => s.p50Us) },
    { head: 'p90', num: true, cell: us((s) => s.p90Us) },
    { head: 'p99', num: true, cell: us((s) => s.p99Us), bad: (r) => r.name.startsWith('delivery') && r.s.count > 0 && r.s.p99Us > 100_000 },
    { head: 'p99.9', num: true, cell: us((s) => s.p999Us) },
    { head: 'max', num: true, cell: us((s) => s.maxUs) },
    { head: 'mean', num: true, cell: us((s) => s.meanUs) },
  ]);
}

export function totalsTable(results: ResultsV1): string {
  const t = results.totals;
  const rows: Array<{ k: string; v: number; what: string; defect?: boolean }> = [
    { k: 'scheduled', v: t.scheduled, what: 'messages chat-bench scheduled (open-loop): the ground truth' },
    { k: 'published', v: t.published, what: 'distinct messages sent at least once' },
    { k: 'acked', v: t.acked, what: 'publishes the target confirmed' },
    { k: 'in doubt', v: t.inDoubt, what: 'sent, never acked', defect: true },
    { k: 'never sent', v: t.unsent, what: 'scheduled, stuck behind an unacked publish (a stalled target)', defect: true },
    { k: 'owed', v: t.expected, what: 'acked messages owed to subscriber streams while their subscriptions were confirmed' },
    { k: 'delivered', v: t.delivered, what: 'owed deliveries that arrived (first copy)' },
    { k: 'deliveries, all frames', v: t.deliveriesTotal, what: 'every message frame received, duplicates included' },
    { k: 'lost, silent', v: t.lostSilent, what: 'owed, never received, and the target never said so', defect: true },
    { k: 'lost, announced', v: t.lostAnnounced, what: 'owed, never received, inside a break the target announced (resumed:false)', defect: true },
    { k: 'lost inside a live session', v: t.lostInSession, what: 'of the lost: the whole delivery window inside one connected, confirmed session', defect: true },
    { k: 'not yet delivered', v: t.notDelivered, what: 'owed when the run was cut short (not counted as lost)' },
    { k: 'duplicated', v: t.duplicated, what: 'the same message received twice on a stream', defect: true },
    { k: 'reordered', v: t.reordered, what: "a serial or a publisher's sequence going backwards", defect: true },
    { k: 'phantom', v: t.phantom, what: 'never published, or a payload that differs from what was published', defect: true },
    { k: 'serial conflicts', v: t.serialConflicts, what: 'one serial acked for two different messages', defect: true },
    { k: 'streams never confirmed', v: t.unconfirmedStreams, what: 'subscriptions the target never confirmed', defect: true },
    { k: 'in doubt, delivered', v: t.unackedDelivered, what: 'delivered although the publisher saw no ack (fine)' },
    { k: 'protocol errors', v: t.protocolErrors, what: 'frames from the target that broke the protocol', defect: true },
  ];
  return table(rows, [
    { head: 'count', cell: (r) => r.k },
    { head: 'value', num: true, cell: (r) => formatCount(r.v), bad: (r) => Boolean(r.defect) && r.v > 0 },
    { head: 'meaning', cell: (r) => r.what },
  ], { id: 'totals' });
}

const MAX_CHANNEL_ROWS = 500;
const defects = (c: ChannelIntegrity) => c.lost + c.duplicated + c.reordered + c.phantom + c.serialConflicts;

export function channelsTable(results: ResultsV1): string {
  if (!results.channels.length) return '<p class="empty">No per-channel data.</p>';
  const sorted = [...results.channels].sort((a, b) => defects(b) - defects(a) || b.lost - a.lost || a.channel.localeCompare(b.channel));
  const shown = sorted.slice(0, MAX_CHANNEL_ROWS);
  const note = sorted.length > shown.length ? `<p class="muted">Showing the ${shown.length} worst of ${formatCount(sorted.length)} channels (all are in results.json).</p>` : '';
  const n = (head: string, f: (c: ChannelIntegrity) => number, defect = false): Column<ChannelIntegrity> =>
    ({ head, num: true, cell: (c) => formatCount(f(c)), value: f, bad: defect ? (c) => f(c) > 0 : undefined });
  return note + table(shown, [
    { head: 'channel', cell: (c) => c.channel, value: (c) => c.channel },
    n('defects', defects, true),
    n('streams', (c) => c.streams),
    n('published', (c) => c.published),
    n('expected', (c) => c.expected),
    n('delivered', (c) => c.delivered),
    n('lost silent', (c) => c.lostSilent, true),
    n('lost announced', (c) => c.lostAnnounced, true),
    n('dup', (c) => c.duplicated, true),
    n('reordered', (c) => c.reordered, true),
    n('phantom', (c) => c.phantom, true),
    n('unacked delivered', (c) => c.unackedDelivered),
    n('last serial', (c) => c.lastSerial),
  ], { sortable: true, id: 'channels', tall: shown.length > 15 });
}

const MAX_EXAMPLES = 20;
const KINDS: Array<{ kind: IntegrityExample['kind']; title: string; total: (r: ResultsV1) => number }> = [
  { kind: 'lost', title: 'Lost', total: (r) => r.totals.lost },
  { kind: 'duplicated', title: 'Duplicated', total: (r) => r.totals.duplicated },
  { kind: 'reordered', title: 'Reordered', total: (r) => r.totals.reordered },
  { kind: 'phantom', title: 'Phantom', total: (r) => r.totals.phantom },
];

export function examplesSection(results: ResultsV1): string {
  return KINDS.map(({ kind, title, total }) => {
    const all = results.examples.filter((e) => e.kind === kind);
    const count = total(results);
    const heading = `<h3>${title}: ${formatCount(count)}</h3>`;
    if (!all.length) return heading + `<p class="empty">${count ? 'No examples recorded.' : `No ${title.toLowerCase()} messages.`}</p>`;
    const shown = all.slice(0, MAX_EXAMPLES);
    const more = all.length > shown.length ? `<p class="muted">First ${shown.length} of ${all.length} recorded examples.</p>` : '';
    const columns: Array<Column<IntegrityExample>> = [
      { head: 'channel', cell: (e) => e.channel },
      { head: 'serial', num: true, cell: (e) => (e.serial === undefined ? '–' : e.serial) },
      { head: 'publisher', cell: (e) => e.publisher ?? '–' },
      { head: 'n', num: true, cell: (e) => (e.n === undefined ? '–' : e.n) },
      { head: 'clients', cell: (e) => e.clients.join(', ') },
      { head: 'scheduled at', num: true, cell: (e) => (e.atMs === undefined ? '–' : formatOffsetMs(e.atMs)) },
      { head: 'fault window', cell: (e) => e.fault ?? 'none (steady)' },
    ];
    if (kind === 'lost') columns.push({ head: 'announced', cell: (e) => (e.announced ? 'yes (resumed:false)' : 'no (silent)'), bad: (e) => !e.announced });
    return heading + more + table(shown, columns);
  }).join('');
}

export function timelineTable(results: ResultsV1): string {
  const tags = new Map(faultBands(results.timeline).map((b) => [b.event, b.tag]));
  const events = [...results.timeline].sort((a, b) => a.atMs - b.atMs);
  if (!events.length) return '<p class="empty">No timeline events.</p>';
  return table(events, [
    { head: '', cell: (e) => tags.get(e) ?? '' },
    { head: 'start', num: true, cell: (e) => formatOffsetMs(e.atMs) },
    { head: 'end', num: true, cell: (e) => (e.endMs === undefined ? '–' : formatOffsetMs(e.endMs)) },
    { head: 'for', num: true, cell: (e) => (e.endMs === undefined ? '–' : formatDurationMs(e.endMs - e.atMs)) },
    { head: 'kind', cell: (e) => (e.kind === 'phase' && e.phase ? `phase` : e.kind) },
    { head: 'what', cell: (e) => e.label },
    { head: 'target', cell: (e) => e.target ?? '' },
    { head: 'status', cell: (e) => (e.error ? `FAILED: ${e.error}` : e.kind === 'fault' ? 'applied' : recoveredText(e.timeToRecoverMs)), bad: (e) => Boolean(e.error) || e.timeToRecoverMs === null },
  ], { id: 'timeline', rowClass: (e) => (e.kind === 'fault' ? 'fault-row' : undefined) });
}

const recoveredText = (ms: number | null | undefined): string =>
  ms === undefined ? '' : ms === null ? 'not recovered' : `recovered in ${formatDurationMs(ms)}`;

/** Time to recover after each fault period, and the baseline it was judged against. */
export function recoveryTable(results: ResultsV1): string {
  const r = results.recovery;
  if (!r || r.windows.length === 0) return '';
  const b = r.baseline;
  const baseline = b.fromTarget
    ? 'No steady second before the first fault: latency was held to the 100 ms target.'
    : `Baseline (median of ${b.seconds} steady seconds before the first fault): p99 ${formatUs(b.p99Us)}, ${b.reconnectsPerSec} reconnects/s.`;
  return `<h3>Time to recover</h3><p class="muted">${escapeHtml(`${baseline} Recovered = 3 seconds in a row with p99 ≤ max(2 × baseline, baseline + 20 ms) and reconnects within the baseline; at most ${formatDurationMs(r.maxMs)}.`)}</p>` +
    table(r.windows, [
      { head: 'after', cell: (w) => w.afterFaults.join(' + ') },
      { head: 'fault ended', num: true, cell: (w) => formatOffsetMs(w.startMs) },
      { head: 'recovery ended', num: true, cell: (w) => formatOffsetMs(w.endMs) },
      { head: 'time to recover', num: true, cell: (w) => (w.timeToRecoverMs === null ? 'not recovered' : formatDurationMs(w.timeToRecoverMs)), bad: (w) => w.timeToRecoverMs === null },
      { head: 'ended by', cell: (w) => w.endedBy },
    ], { id: 'recovery' });
}

export function environmentTable(results: ResultsV1): string {
  const e = results.environment;
  const c = results.clients;
  const rows: Array<[string, string]> = [
    ['tool', `${results.tool.name} ${results.tool.version}`],
    ['node.js', e.node], ['platform', e.platform], ['cpus', String(e.cpus)], ['host', e.hostname],
    ['runtime', e.runtime], ['workers', String(e.workers)], ['broker nodes', e.nodes.join(', ')],
    ['client connects', formatCount(c.connects)], ['connect failures', formatCount(c.connectFailures)],
    ['heartbeat timeouts', formatCount(c.heartbeatTimeouts)], ['disconnects', formatCount(c.disconnects)],
  ];
  return table(rows, [{ head: 'what', cell: (r) => r[0] }, { head: 'value', cell: (r) => r[1] }]);
}

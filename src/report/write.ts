// Writes a run's reports to reports/<run-id>/, and rebuilds report.html from a results.json
// later (`chat-bench report <results.json>`).
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { usageError } from '../util/errors';
import type { ResultsV1 } from '../contracts/results';
import { writeFileAtomic } from '../util/atomic-write';
import { renderHtmlReport } from './html';
import { renderJUnit } from './junit';

export interface WrittenReports { resultsPath: string; htmlPath: string; junitPath?: string }

// Top-level keys in reading order: the verdict near the top, bulky arrays at the end.
const KEY_ORDER = ['schema', 'tool', 'runId', 'startedAt', 'durationMs', 'verdict', 'exitCode', 'thresholds', 'totals', 'clients',
  'latency', 'timeline', 'environment', 'scenario', 'examples', 'channels', 'series', 'histograms'];

/**
 * results.json text: 2-space indent, top-level keys in KEY_ORDER (others after, sorted),
 * nested objects in the producer's order, undefined dropped, non-finite numbers as null.
 */
export function serializeResults(results: ResultsV1): string {
  const source = results as unknown as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  const extra = Object.keys(source).filter((k) => !KEY_ORDER.includes(k)).sort();
  for (const k of [...KEY_ORDER, ...extra]) if (source[k] !== undefined) ordered[k] = source[k];
  return JSON.stringify(ordered, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

/** Each file is written whole or not at all (see writeFileAtomic); a failure is a UserError naming it. */
export async function writeReports(results: ResultsV1, runDir: string, opts: { junit?: string } = {}): Promise<WrittenReports> {
  const json = serializeResults(results);
  // Render from what results.json holds (not the in-memory object), so `chat-bench report` on the
  // file reproduces report.html byte for byte.
  const stored = JSON.parse(json) as ResultsV1;
  const resultsPath = join(runDir, 'results.json');
  const htmlPath = join(runDir, 'report.html');
  await writeFileAtomic(resultsPath, json);
  await writeFileAtomic(htmlPath, renderHtmlReport(stored));
  const written: WrittenReports = { resultsPath, htmlPath };
  if (opts.junit) {
    await writeFileAtomic(opts.junit, renderJUnit(stored));
    written.junitPath = opts.junit;
  }
  return written;
}

/** Reads and checks a results.json; any problem is a UserError (exit 2) naming the file. */
export async function loadResults(resultsJsonPath: string): Promise<ResultsV1> {
  let text: string;
  try {
    text = await readFile(resultsJsonPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(`cannot read ${resultsJsonPath}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`,
      'pass the results.json of a run, e.g. reports/<run-id>/results.json');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw usageError(`${resultsJsonPath} is not valid JSON: ${(err as Error).message}`, 'pass the results.json written by `chat-bench run`');
  }
  const problem = resultsProblem(value);
  if (problem) throw usageError(`${resultsJsonPath}: ${problem}`, 'pass the results.json written by `chat-bench run`');
  return value as ResultsV1;
}

/** The first reason `value` is not a schema-1 results object, or null. */
export function resultsProblem(value: unknown): string | null {
  if (!isObject(value)) return 'not a chat-bench results object (expected a JSON object)';
  if (value.schema !== 1) {
    return value.schema === undefined ? 'field "schema" is missing: not a chat-bench results.json'
      : `unsupported results schema ${JSON.stringify(value.schema)} (this version reads schema 1)`;
  }
  const checks: Array<[string, (v: Record<string, unknown>) => boolean]> = [
    ['runId', (v) => typeof v.runId === 'string'],
    ['startedAt', (v) => typeof v.startedAt === 'string'],
    ['durationMs', (v) => typeof v.durationMs === 'number'],
    ['tool', (v) => isObject(v.tool) && typeof v.tool.version === 'string'],
    ['environment', (v) => isObject(v.environment) && Array.isArray(v.environment.nodes)],
    ['timeline', (v) => Array.isArray(v.timeline)],
    ['clients', (v) => isObject(v.clients) && typeof v.clients.target === 'number'],
    ['totals', (v) => isObject(v.totals) && typeof v.totals.lost === 'number'],
    ['channels', (v) => Array.isArray(v.channels)],
    ['examples', (v) => Array.isArray(v.examples)],
    ['latency', (v) => isObject(v.latency) && isObject(v.latency.overall) && Array.isArray(v.latency.percentiles)],
    ['series', (v) => Array.isArray(v.series)],
    ['thresholds', (v) => Array.isArray(v.thresholds)],
    ['verdict', (v) => v.verdict === 'pass' || v.verdict === 'fail'],
    ['exitCode', (v) => typeof v.exitCode === 'number'],
  ];
  for (const [field, ok] of checks) if (!ok(value)) return `field "${field}" is missing or malformed`;
  return null;
}

/** Rebuilds report.html (default: next to results.json); returns the HTML file's path. */
export async function regenerateReport(resultsJsonPath: string, outHtml?: string): Promise<string> {
  const results = await loadResults(resultsJsonPath);
  return writeFileAtomic(resolve(outHtml ?? join(dirname(resultsJsonPath), 'report.html')), renderHtmlReport(results));
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

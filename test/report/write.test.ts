import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/util/errors';
import { regenerateReport, writeReports } from '../../src/report/write';
import { makeSyntheticResults } from '../support/synthetic-results';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'chat-bench-report-'));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

test('writeReports: results.json (pretty, verdict near the top), report.html, optional junit', () => withDir(async (dir) => {
  const results = makeSyntheticResults();
  const runDir = join(dir, 'run-1');
  const written = await writeReports(results, runDir, { junit: join(dir, 'ci', 'junit.xml') });
  assert.equal(written.resultsPath, join(runDir, 'results.json'));
  assert.equal(written.htmlPath, join(runDir, 'report.html'));
  assert.equal(written.junitPath, join(dir, 'ci', 'junit.xml'));
  const json = await readFile(written.resultsPath, 'utf8');
  assert.ok(json.startsWith('{\n  "schema": 1,\n  "tool": {'), 'schema first, 2-space indent');
  assert.ok(json.indexOf('"verdict"') < json.indexOf('"channels"'), 'verdict before the bulky arrays');
  assert.ok(json.endsWith('}\n'));
  assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(results)), 'nothing lost in serialisation');
  assert.match(await readFile(written.htmlPath, 'utf8'), /^<!doctype html>/);
  assert.match(await readFile(written.junitPath!, 'utf8'), /<testsuites /);
  const again = await writeReports(results, join(dir, 'run-2'));
  assert.equal(again.junitPath, undefined);
  assert.equal(await readFile(again.resultsPath, 'utf8'), json, 'stable: same results, same bytes');
}));

test('regenerateReport: rebuilds report.html from results.json byte for byte', () => withDir(async (dir) => {
  const results = makeSyntheticResults({ hostile: true });
  (results as unknown as { extra: unknown }).extra = { nan: Number.NaN };   // odd values must not break identity
  results.series[3].latency.meanUs = Number.POSITIVE_INFINITY;
  const written = await writeReports(results, dir);
  const original = await readFile(written.htmlPath, 'utf8');
  const out = await regenerateReport(written.resultsPath, join(dir, 'again', 'copy.html'));
  assert.equal(out, join(dir, 'again', 'copy.html'));
  assert.equal(await readFile(out, 'utf8'), original);
  await rm(written.htmlPath);
  assert.equal(await regenerateReport(written.resultsPath), written.htmlPath, 'default: next to results.json');
  assert.equal(await readFile(written.htmlPath, 'utf8'), original);
}));

test('regenerateReport: a file that is not schema-1 results is a UserError (exit 2) naming the file', () => withDir(async (dir) => {
  const cases: Array<[string, string, RegExp]> = [
    ['future.json', JSON.stringify({ ...makeSyntheticResults(), schema: 2 }), /unsupported results schema 2/],
    ['scenario.json', JSON.stringify({ name: 'x' }), /field "schema" is missing/],
    ['broken.json', '{"schema": 1,', /is not valid JSON/],
    ['partial.json', JSON.stringify({ schema: 1, runId: 'r' }), /field "startedAt" is missing or malformed/],
    ['array.json', '[]', /not a chat-bench results object/],
  ];
  for (const [name, content, reason] of cases) {
    const file = join(dir, name);
    await writeFile(file, content);
    await assert.rejects(regenerateReport(file), (err: unknown) => {
      assert.ok(err instanceof UserError, `${name}: ${String(err)}`);
      assert.equal(err.exitCode, 2);
      assert.ok(err.message.includes(file), `names the file: ${err.message}`);
      assert.match(err.message, reason);
      assert.ok(!err.oneLine().includes('\n'));
      return true;
    });
  }
  await assert.rejects(regenerateReport(join(dir, 'missing.json')), (err: unknown) =>
    err instanceof UserError && err.exitCode === 2 && /cannot read .*missing\.json: no such file/.test(err.message));
}));

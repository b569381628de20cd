// Reports are written whole or not at all. A write that fails midway (here: a file-size limit,
// RLIMIT_FSIZE via `ulimit -f`, which makes writes past the limit fail with EFBIG, as a full
// disk does with ENOSPC) leaves the previous file intact, no temporary file, and one line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../src/util/errors';
import { serializeResults } from '../../src/report/write';
import { writeFileAtomic } from '../../src/util/atomic-write';
import { ensureOutputDir } from '../../src/util/output-dir';
import { makeSyntheticResults } from '../support/synthetic-results';

const CLI = join(__dirname, '../../src/cli.js');
const tmp = () => mkdtempSync(join(tmpdir(), 'cb-atomic-'));

/** The CLI with writes limited to about 4 KB (`ulimit -f 8`: 8 blocks of 512 or 1024 bytes). */
function cliWithFileLimit(args: string[]) {
  return spawnSync('/bin/sh', ['-c', 'ulimit -f 8 && exec "$0" "$@"', process.execPath, CLI, ...args],
    { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
}

test('report: a write failing midway keeps the old report.html, leaves no temp file, says which file (exit 3)', () => {
  const dir = tmp();
  const results = join(dir, 'results.json');
  writeFileSync(results, serializeResults(makeSyntheticResults())); // written before the limit applies
  const html = join(dir, 'report.html');
  writeFileSync(html, 'old report');
  const r = cliWithFileLimit(['report', results, '--out', html]);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^chat-bench: could not write ${html}: .*EFBIG`));
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.equal(readFileSync(html, 'utf8'), 'old report', 'the previous file is untouched');
  assert.deepEqual(readdirSync(dir).sort(), ['report.html', 'results.json'], 'no temporary file left');
});

test('report --out /dev/null and --out a folder: refused (exit 2), the device is not replaced', () => {
  const dir = tmp();
  const results = join(dir, 'results.json');
  writeFileSync(results, serializeResults(makeSyntheticResults()));
  for (const [out, why] of [['/dev/null', /\/dev\/null exists and is not a regular file/], [dir, /is not a regular file \(hint: name a file inside it\)/]] as const) {
    const r = spawnSync(process.execPath, [CLI, 'report', results, '--out', out], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, why);
  }
  assert.ok(statSync('/dev/null').isCharacterDevice());
});

test('writeFileAtomic: creates missing folders, replaces the file whole', async () => {
  const dir = tmp();
  const file = join(dir, 'a', 'b', 'junit.xml');
  await writeFileAtomic(file, 'one');
  await writeFileAtomic(file, 'two');
  assert.equal(readFileSync(file, 'utf8'), 'two');
  assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['junit.xml']);
});

test('ensureOutputDir: a file in the way is named, one line, exit 2', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'file'), '');
  assert.throws(() => ensureOutputDir(join(dir, 'file', 'x', 'y'), '--out folder'), (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.equal(err.exitCode, 2);
    assert.match(err.oneLine(), new RegExp(`--out folder .* cannot be used: ${join(dir, 'file')} is not a directory`));
    return true;
  });
  assert.equal(ensureOutputDir(join(dir, 'new', 'deeper')), join(dir, 'new', 'deeper'));
  assert.ok(statSync(join(dir, 'new', 'deeper')).isDirectory());
});

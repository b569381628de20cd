// Tests run from build/, which `npm run build:test` wipes before compiling: every compiled test
// has its source in test/ (a deleted test cannot keep running from stale output), and the
// published tree, dist/, is compiled from src/ and reference-broker/ only.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(__dirname, '../../..');
const BUILD = resolve(__dirname, '../..');

function list(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? list(p) : [p];
  });
}

test('these tests run from build/, and every compiled test there has its source in test/', () => {
  assert.equal(relative(ROOT, BUILD), 'build');
  const orphans = list(join(BUILD, 'test'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => relative(BUILD, f).replace(/\.js$/, '.ts'))
    .filter((src) => !existsSync(join(ROOT, src)));
  assert.deepEqual(orphans, [], 'compiled files without a source: build/ was not wiped');
});

test('the published build (tsconfig.json) compiles src/ and reference-broker/ into dist/, nothing else', () => {
  const config = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { outDir: string }; include: string[] };
  assert.equal(config.compilerOptions.outDir, 'dist');
  assert.deepEqual(config.include.map((p) => p.split('/')[0]).sort(), ['reference-broker', 'src']);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[]; bin: Record<string, string> };
  assert.ok(pkg.files.every((f) => !/^(dist\/?$|build|test|bench)/.test(f)), `package.json files: ${pkg.files.join(', ')}`);
  assert.match(pkg.bin['chat-bench'], /^dist\/src\//);
});

test('tests and benches spawn compiled files from their own tree (build/), never from dist/', () => {
  const sources = ['test', 'bench'].flatMap((d) => list(join(ROOT, d))).filter((f) => f.endsWith('.ts') && !f.includes(`${join('test', 'house')}`));
  // A path literal naming dist/ at the package root ('dist/…', 'dist', "dist/…"); /app/dist inside the image is fine.
  const offenders = sources.flatMap((f) => readFileSync(f, 'utf8').split('\n')
    .map((text, i) => ({ text, at: `${relative(ROOT, f)}:${i + 1}` }))
    .filter(({ text }) => /['"`]dist(\/|['"`])/.test(text) && !text.trimStart().startsWith('//'))
    .map(({ at, text }) => `${at}: ${text.trim()}`));
  assert.deepEqual(offenders, [], 'use a path relative to __dirname (the compiled tree the test runs from)');
});

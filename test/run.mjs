// Runs every compiled test file under build/test with node's test runner. `npm test` first wipes
// and recompiles build/ (npm run build:test), so a test deleted from test/ no longer runs.
// Long tests (scale, CI-only) check CHAT_BENCH_LONG themselves and skip visibly.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../build/test/', import.meta.url).pathname;
if (!existsSync(root)) {
  console.error('test/run.mjs: build/test/ is missing: run `npm run build:test` first (npm test does)');
  process.exit(2);
}
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
})(root);
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...selected], { stdio: 'inherit' });
process.exit(r.status ?? 1);

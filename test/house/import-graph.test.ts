// The layering rules of src/ and reference-broker/, checked on the TypeScript sources so they stay
// true. Every relative import counts: `import … from`, `export … from`, `import type`, side-effect
// imports, `import()` and `require()` (read by TypeScript's own pre-processor, so comments and
// strings are never mistaken for imports). A failure lists every forbidden edge with its file.
//
// Nodes: a folder directly under src/ (src/load/workers/x.ts belongs to src/load), a file directly
// under src/ (src/cli.ts, src/run.ts, src/verdict.ts: its own node), and reference-broker/.
// Rules:
//   broker      reference-broker/ imports only reference-broker/, src/protocol/, src/util/; and
//               src/protocol/ only itself and src/util/, so the broker stays standalone through it
//   report      nothing under src/verify/ or src/scenario/ imports from src/report/
//   contracts   src/util/ imports only src/util/; src/contracts/ only src/contracts/, src/util/,
//               src/protocol/ (contracts every part may read, depending on no feature), and the
//               one list the broker owns: reference-broker/misbehaviour.ts (its modes)
//   cycles      no cycle between nodes (every node-to-node edge inside a strongly connected set is
//               listed, with the files that make it)
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '../../..');

interface Edge { from: string; to: string; spec: string } // repo-relative paths, posix

const posix = (p: string): string => p.split(sep).join('/');

function listTs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return listTs(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolveSpec(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [`${base}.ts`, `${base}.d.ts`, join(base, 'index.ts'), base];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** Every relative import edge of src/ and reference-broker/, plus imports that resolve to nothing. */
function importEdges(root = ROOT): { files: string[]; edges: Edge[]; unresolved: Edge[] } {
  const files = [...listTs(join(root, 'src')), ...listTs(join(root, 'reference-broker'))];
  const edges: Edge[] = [];
  const unresolved: Edge[] = [];
  for (const file of files) {
    const from = posix(relative(root, file));
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!spec.startsWith('.')) continue; // a package or node: builtin
      const target = resolveSpec(file, spec);
      // package.json is required relative to the compiled file (dist/src/cli.js), not the source.
      if (!target) {
        if (!spec.endsWith('package.json')) unresolved.push({ from, to: '?', spec });
        continue;
      }
      edges.push({ from, to: posix(relative(root, target)), spec });
    }
  }
  return { files: files.map((f) => posix(relative(root, f))), edges, unresolved };
}

/** The node a file belongs to: src/<folder>, src/<file>.ts, reference-broker, or the path itself. */
function nodeOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'reference-broker') return 'reference-broker';
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : file;
  return file;
}

const within = (file: string, ...nodes: string[]): boolean => nodes.includes(nodeOf(file));
const line = (rule: string, e: Edge): string => `${rule}: ${e.from} → ${e.to}  (import '${e.spec}')`;

function brokerViolations(edges: Edge[]): string[] {
  return edges.filter((e) =>
    (within(e.from, 'reference-broker') && !within(e.to, 'reference-broker', 'src/protocol', 'src/util'))
    || (within(e.from, 'src/protocol') && !within(e.to, 'src/protocol', 'src/util')),
  ).map((e) => line('broker', e));
}

function reportViolations(edges: Edge[]): string[] {
  return edges.filter((e) => within(e.from, 'src/verify', 'src/scenario') && within(e.to, 'src/report'))
    .map((e) => line('report', e));
}

function contractViolations(edges: Edge[]): string[] {
  return edges.filter((e) =>
    (within(e.from, 'src/util') && !within(e.to, 'src/util'))
    || (within(e.from, 'src/contracts') && !within(e.to, 'src/contracts', 'src/util', 'src/protocol') && e.to !== 'reference-broker/misbehaviour.ts'),
  ).map((e) => line('contracts', e));
}

/** Edges between different nodes that lie on a cycle (both ends in one strongly connected set). */
function cycleViolations(edges: Edge[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    const [a, b] = [nodeOf(e.from), nodeOf(e.to)];
    if (!graph.has(a)) graph.set(a, new Set());
    if (!graph.has(b)) graph.set(b, new Set());
    if (a !== b) graph.get(a)!.add(b);
  }
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let next = 0;
  let components = 0;
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of [...graph.get(v)!].sort()) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); component.set(w, components); } while (w !== v);
      components++;
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);

  // One line per folder-level edge on a cycle, naming every file that makes it.
  const byPair = new Map<string, Set<string>>();
  for (const e of edges) {
    const [a, b] = [nodeOf(e.from), nodeOf(e.to)];
    if (a === b || component.get(a) !== component.get(b)) continue;
    const members = [...component.entries()].filter(([, c]) => c === component.get(a)).map(([n]) => n).sort();
    const key = `cycle {${members.join(', ')}}: ${a} → ${b}`;
    if (!byPair.has(key)) byPair.set(key, new Set());
    byPair.get(key)!.add(`${e.from} → ${e.to}`);
  }
  return [...byPair.entries()].sort(([x], [y]) => x.localeCompare(y))
    .map(([key, files]) => `${key}\n      ${[...files].sort().join('\n      ')}`);
}

const graph = importEdges();
const check = (found: string[]): void => {
  if (found.length) assert.fail(`${found.length} forbidden import(s):\n  ${found.join('\n  ')}`);
};

test('the import walk sees the whole tree and resolves every relative import', () => {
  assert.ok(graph.files.length > 100, `only ${graph.files.length} files found under ${ROOT}`);
  assert.ok(graph.edges.length > 200, `only ${graph.edges.length} edges found`);
  assert.deepEqual(graph.unresolved.map((e) => `${e.from}: '${e.spec}'`), []);
});

test('the checker finds a planted edge of each kind', () => {
  const plant = (from: string, to: string): Edge[] => [{ from, to, spec: 'planted' }];
  assert.equal(brokerViolations(plant('reference-broker/x.ts', 'src/load/backoff.ts')).length, 1);
  assert.equal(brokerViolations(plant('reference-broker/x.ts', 'src/util/backoff.ts')).length, 0);
  assert.equal(brokerViolations(plant('src/protocol/x.ts', 'src/scenario/types.ts')).length, 1);
  assert.equal(reportViolations(plant('src/verify/x.ts', 'src/report/y.ts')).length, 1);
  assert.equal(reportViolations(plant('src/scenario/a/x.ts', 'src/report/y.ts')).length, 1);
  assert.equal(contractViolations(plant('src/util/x.ts', 'src/contracts/y.ts')).length, 1);
  assert.equal(contractViolations(plant('src/contracts/x.ts', 'src/protocol/y.ts')).length, 0);
  assert.equal(contractViolations(plant('src/contracts/x.ts', 'src/verify/y.ts')).length, 1);
  const cyc = [...plant('src/a/x.ts', 'src/b/y.ts'), ...plant('src/b/y.ts', 'src/c/z.ts'), ...plant('src/c/z.ts', 'src/a/w.ts'),
    ...plant('src/run.ts', 'src/a/x.ts'), ...plant('src/a/x.ts', 'src/a/v.ts')];
  assert.equal(cycleViolations(cyc).length, 3);
});

test('reference-broker/ imports only itself, src/protocol/ and src/util/ (and src/protocol/ only itself and src/util/)', () => {
  const found = brokerViolations(graph.edges);
  check(found);
});

test('nothing under src/verify/ or src/scenario/ imports from src/report/', () => {
  const found = reportViolations(graph.edges);
  check(found);
});

test('src/util/ imports only itself; src/contracts/ only itself, src/util/ and src/protocol/', () => {
  const found = contractViolations(graph.edges);
  check(found);
});

test('no import cycle between the folders (and top-level files) of src/ and reference-broker/', () => {
  const found = cycleViolations(graph.edges);
  check(found);
});

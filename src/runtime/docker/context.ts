// Assembles the smallest build context for the bundled image: the compiled files the entry points
// actually require (followed through relative requires) and the npm packages they need at run
// time with their own dependencies. Today that is `ws` for the broker and nothing for the
// embedded Toxiproxy; the walk keeps it right when someone adds a dependency.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdir, copyFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

export interface BuildContext {
  files: string[];       // paths relative to the compiled tree (dist/ or build/); in the image under /app/dist
  packages: Record<string, string>; // npm package name → its folder, copied whole to node_modules/
  hash: string;          // content hash of all of it: the image tag, so an unchanged build is skipped
}

/**
 * The folder of package `name` as node would find it from `root`: node_modules of root or of any
 * parent (installed as a dependency, chat-bench's own dependencies are usually hoisted).
 */
function findPackage(root: string, name: string): string | undefined {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

const REQUIRE = /require\("([^"]+)"\)/g;
const BUILTIN = new Set(builtinModules);

function resolveRelative(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [base, `${base}.js`, `${base}.json`, join(base, 'index.js')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const packageName = (spec: string): string =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/**
 * Follows requires from `entries` (absolute paths of compiled JS files under `root`, the compiled
 * tree: dist/ or build/); npm packages are found from there upwards.
 */
export function collectContext(root: string, entries: string[], extraHashInput: string): BuildContext {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.js')) continue;
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(REQUIRE)) {
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec);
        if (target) queue.push(target);
      } else if (!spec.startsWith('node:') && !BUILTIN.has(spec)) {
        packages.add(packageName(spec));
      }
    }
  }
  // Packages bring their own dependencies (flat, as npm installs them).
  const found: Record<string, string> = {};
  const pkgQueue = [...packages];
  while (pkgQueue.length) {
    const name = pkgQueue.pop()!;
    const dir = findPackage(root, name);
    if (!dir) continue; // an optional peer that is not installed (e.g. ws's bufferutil)
    found[name] = dir;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (!packages.has(dep)) {
        packages.add(dep);
        pkgQueue.push(dep);
      }
    }
  }

  const rel = [...files].map((f) => relative(root, f)).sort();
  const names = Object.keys(found).sort();
  const hash = createHash('sha256');
  hash.update(extraHashInput);
  for (const f of rel) hash.update(`\0${f}\0`).update(readFileSync(join(root, f)));
  for (const name of names) {
    for (const f of listFiles(found[name]).sort()) {
      hash.update(`\0${name}/${relative(found[name], f)}\0`).update(readFileSync(f));
    }
  }
  const sorted = Object.fromEntries(names.map((n) => [n, found[n]]));
  return { files: rel, packages: sorted, hash: hash.digest('hex').slice(0, 16) };
}

/** Writes the context (plus the Dockerfile) into `dir`, which must be empty; compiled files go to dist/. */
export async function writeContext(root: string, ctx: BuildContext, dockerfile: string, dir: string): Promise<void> {
  for (const f of ctx.files) {
    await mkdir(dirname(join(dir, 'dist', f)), { recursive: true });
    await copyFile(join(root, f), join(dir, 'dist', f));
  }
  // Always present, so the Dockerfile's COPY of node_modules never fails on an empty set.
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await mkdir(join(dir, 'dist'), { recursive: true });
  for (const [name, from] of Object.entries(ctx.packages)) {
    await cp(from, join(dir, 'node_modules', name), { recursive: true, dereference: true });
  }
  await copyFile(dockerfile, join(dir, 'Dockerfile'));
}

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
  files: string[];       // paths relative to the package root (compiled JS, JSON)
  packages: string[];    // npm package names, copied whole from node_modules/
  hash: string;          // content hash of all of it: the image tag, so an unchanged build is skipped
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

/** Follows requires from `entries` (absolute paths of compiled JS files under `root`). */
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
  // Packages bring their own dependencies (flat node_modules, as npm installs them).
  const pkgQueue = [...packages];
  while (pkgQueue.length) {
    const name = pkgQueue.pop()!;
    const manifest = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) {
      packages.delete(name); // optional peer (e.g. ws's bufferutil) that is not installed
      continue;
    }
    const { dependencies = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(dependencies)) {
      if (!packages.has(dep)) {
        packages.add(dep);
        pkgQueue.push(dep);
      }
    }
  }

  const rel = [...files].map((f) => relative(root, f)).sort();
  const pkgs = [...packages].sort();
  const hash = createHash('sha256');
  hash.update(extraHashInput);
  for (const f of rel) hash.update(`\0${f}\0`).update(readFileSync(join(root, f)));
  for (const p of pkgs) {
    for (const f of listFiles(join(root, 'node_modules', p)).sort()) {
      hash.update(`\0${relative(root, f)}\0`).update(readFileSync(f));
    }
  }
  return { files: rel, packages: pkgs, hash: hash.digest('hex').slice(0, 16) };
}

/** Writes the context (plus the Dockerfile) into `dir`, which must be empty. */
export async function writeContext(root: string, ctx: BuildContext, dockerfile: string, dir: string): Promise<void> {
  for (const f of ctx.files) {
    await mkdir(dirname(join(dir, f)), { recursive: true });
    await copyFile(join(root, f), join(dir, f));
  }
  // Always present, so the Dockerfile's COPY of node_modules never fails on an empty set.
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await mkdir(join(dir, 'dist'), { recursive: true });
  for (const p of ctx.packages) {
    await cp(join(root, 'node_modules', p), join(dir, 'node_modules', p), { recursive: true, dereference: true });
  }
  await copyFile(dockerfile, join(dir, 'Dockerfile'));
}

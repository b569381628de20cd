// Creating an output folder (run dir, report dir, broker data dir) without Node's recursive
// mkdir: on procfs it loops forever, synchronously, so not even SIGTERM gets through. Each
// component is created one at a time; anything that cannot hold our files fails at once with
// one line naming the path (exit 2).
import { accessSync, constants, mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from './errors';

// statfs f_type of kernel file systems where files are not data (linux/magic.h).
const PSEUDO_FS: Record<number, string> = {
  0x9fa0: 'procfs', 0x62656572: 'sysfs', 0x27e0eb: 'cgroup', 0x63677270: 'cgroup2',
  0x64626720: 'debugfs', 0x74726163: 'tracefs', 0x73636673: 'securityfs', 0x1cd1: 'devpts',
};

/** Creates `dir` (and missing parents); returns its absolute path. `what` names it in errors. */
export function ensureOutputDir(dir: string, what = 'output folder'): string {
  const target = resolve(dir);
  const missing: string[] = [];
  let existing = target;
  // Walk up to the nearest existing ancestor; bounded by the path's depth.
  for (;;) {
    const kind = kindOf(existing);
    if (kind === 'dir') break;
    if (kind !== 'missing') throw refuse(dir, what, kind === 'other' ? `${existing} is not a directory` : `cannot read ${existing}: ${kind.error}`);
    const parent = dirname(existing);
    if (parent === existing) break;
    missing.unshift(existing);
    existing = parent;
  }
  const fs = pseudoFsOf(existing);
  if (fs) throw refuse(dir, what, `${existing} is on ${fs}, a kernel file system`);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK); // we are about to write into it
  } catch {
    throw refuse(dir, what, `${existing} is not writable`);
  }
  for (const component of missing) {
    try {
      mkdirSync(component); // one level: fails fast instead of looping
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && kindOf(component) === 'dir') continue; // created meanwhile
      throw refuse(dir, what, `cannot create ${component}: ${code ?? (err as Error).message}`);
    }
  }
  return target;
}

function kindOf(path: string): 'dir' | 'other' | 'missing' | { error: string } {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing'; // the walk up finds the file in the way
    return { error: code ?? (err as Error).message };
  }
}

function pseudoFsOf(path: string): string | null {
  try {
    return PSEUDO_FS[statfsSync(path).type] ?? null;
  } catch {
    return null; // statfs unsupported here: mkdir below still fails fast
  }
}

function refuse(dir: string, what: string, why: string) {
  return usageError(`${what} ${dir} cannot be used: ${why}`, 'pick a folder you can write to');
}

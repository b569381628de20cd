// Writing a report file all-or-nothing: the text goes to a temporary file beside the target,
// then a rename puts it in place. A full disk (or a file-size limit) mid-write leaves the old
// file or none, never half a file; the failure is one line naming the file (exit 3).
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { infraError, usageError } from './errors';
import { ensureOutputDir } from './output-dir';

export async function writeFileAtomic(path: string, text: string): Promise<string> {
  const target = resolve(path);
  ensureOutputDir(dirname(target), 'folder');
  await refuseNonRegular(target, path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  try {
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(text);
      await file.sync(); // the rename must not land before the bytes do
    } finally {
      await file.close();
    }
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => { /* never created, or already renamed */ });
    const code = (err as NodeJS.ErrnoException).code;
    throw infraError(`could not write ${path}: ${describe(code, err)}`, 'free disk space or pick another --out; nothing was half-written');
  }
  return target;
}

// A rename over /dev/null (or a FIFO) would replace the device node itself.
async function refuseNonRegular(target: string, shown: string): Promise<void> {
  const s = await stat(target).catch(() => null);
  if (!s || s.isFile()) return;
  throw usageError(`${shown} exists and is not a regular file`, s.isDirectory() ? 'name a file inside it' : 'name a file to (over)write');
}

function describe(code: string | undefined, err: unknown): string {
  if (code === 'ENOSPC') return 'no space left on device (ENOSPC)';
  if (code === 'EFBIG') return 'file too large for this process\'s limit (EFBIG)';
  if (code === 'EDQUOT') return 'disk quota exceeded (EDQUOT)';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  return code ?? (err as Error).message;
}

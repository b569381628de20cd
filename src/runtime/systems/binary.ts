// Finds a server binary on PATH (and the sbin folders Debian puts servers in, which a normal
// user's PATH may lack). A missing one is an infrastructure error naming the package.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { infraError } from '../../util/errors';

const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

export function findBinary(binary: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN];
  for (const dir of dirs) {
    const path = join(dir, binary);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch { /* not here */ }
  }
  throw infraError(`${binary} is not installed (needed by cluster.system)`, `install it with: apt-get install -y ${debianPackage}`);
}

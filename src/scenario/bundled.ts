// The scenarios shipped with the package: `chat-bench run smoke` and `chat-bench list` find
// them from any folder, resolved from where chat-bench is installed, never from the cwd.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { usageError } from '../util/errors';

/** <package>/scenarios: this file is <package>/{dist,build}/src/scenario/bundled.js. */
export function bundledScenarioDir(): string {
  return resolve(__dirname, '../../../scenarios');
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];

/** A name such as "smoke" or "smoke.yaml" (no folder): a bundled scenario may be meant. */
const looksLikeName = (arg: string): boolean => !/[\\/]/.test(arg) && arg !== '' && !arg.startsWith('.');

const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();

/**
 * What `run`/`validate` should read for `arg`: the file if it exists (a local file always
 * wins), else the bundled scenario of that name, else `arg` itself when it names a path (the
 * reader then says "no such file"). A bare name that matches nothing is refused here, with the
 * way to see what exists.
 */
export function resolveScenarioArg(arg: string, dir = bundledScenarioDir()): string {
  if (isFile(arg) || !looksLikeName(arg)) return arg;
  const candidates = EXTENSIONS.some((e) => arg.toLowerCase().endsWith(e)) ? [arg] : EXTENSIONS.map((e) => `${arg}${e}`);
  for (const name of candidates) {
    const path = join(dir, name);
    if (isFile(path)) return path;
  }
  if (existsSync(arg)) return arg; // e.g. a folder: the reader names the problem
  throw usageError(`scenario ${arg}: no such file, and no bundled scenario of that name`,
    'run "chat-bench list" to see the bundled scenarios, or give the path of a .yaml/.json file');
}

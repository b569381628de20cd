// Reading a scenario file: YAML (any extension but .json) or JSON, then parseScenario.
// Syntax errors become one line with line:column; field errors get the field's line. Every
// failure to read or parse a file is a usage error (exit 2) naming the file: the input is the
// user's, whatever the parser threw.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { UserError, usageError } from '../util/errors';
import { fdLimit } from '../util/fd-limits';
import { FieldError, pathText, type Path } from './fields';
import { LIMITS } from './limits';
import { checkShape } from './shape';
import { interpolateEnv } from './interpolate';
import { parseScenario, type Locate } from './parse';
import type { Scenario } from '../contracts/scenario';

export type ScenarioFormat = 'yaml' | 'json';

/**
 * `override` may change the raw scenario before it is validated (command-line flags such as
 * --runtime), so an override is checked by exactly the same rules as the file. The capacity
 * of this machine (open-files limit) is checked too, so `validate` refuses what `run` could
 * not start.
 */
export function loadScenarioFile(path: string, override?: (raw: Record<string, unknown>) => void): Scenario {
  const text = interpolateEnv(readText(path), path);
  if (text.length > LIMITS.fileBytes) throw tooBig(path);
  const format: ScenarioFormat = extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
  return parseScenarioText(text, path, format, override, fdLimit(), dirname(resolve(path)));
}

/** The text of a scenario (as read from `source`) → Scenario; throws UserError (exit 2). */
export function parseScenarioText(
  text: string, source: string, format: ScenarioFormat,
  override?: (raw: Record<string, unknown>) => void, openFilesLimit?: number, baseDir?: string,
): Scenario {
  const parsed = format === 'json' ? parseJson(text, source) : parseYaml(text, source);
  try {
    checkShape(parsed.value);
  } catch (e) {
    if (e instanceof FieldError) throw usageError(`scenario ${source}${parsed.locate?.(e.path) ?? ''}: ${pathText(e.path)}: ${e.problem}`, e.hint);
    throw e;
  }
  if (override && parsed.value && typeof parsed.value === 'object' && !Array.isArray(parsed.value)) {
    override(parsed.value as Record<string, unknown>);
  }
  const scenario = parseScenario(parsed.value, source, parsed.locate, { openFilesLimit, baseDir });
  scenario.sourcePath = source;
  return scenario;
}

/** The file's text, never more than LIMITS.fileBytes read (a FIFO or /dev/zero has no size). */
function readText(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw unreadable(path, e);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw usageError(`scenario ${path}: is a folder, not a file`, 'name a .yaml or .json file');
    if (stat.size > LIMITS.fileBytes) throw tooBig(path, stat.size);
    const buffer = Buffer.alloc(LIMITS.fileBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > LIMITS.fileBytes) throw tooBig(path);
    }
    return buffer.toString('utf8', 0, length);
  } catch (e) {
    throw e instanceof UserError ? e : unreadable(path, e);
  } finally {
    closeSync(fd);
  }
}

const tooBig = (path: string, size?: number) =>
  usageError(`scenario ${path}: is ${size === undefined ? 'longer' : `${size} bytes`}, more than the ${LIMITS.fileBytes} bytes (1 MiB) a scenario may have`, 'a scenario is a few KiB; see "Limits" in docs/scenario-format.md');

function unreadable(path: string, e: unknown): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return usageError(`scenario ${path}: no such file`, 'check the path, or run "chat-bench list" to see the bundled scenarios');
  if (code === 'EISDIR') return usageError(`scenario ${path}: is a folder, not a file`, 'name a .yaml or .json file');
  return usageError(`scenario ${path}: cannot be read (${code ?? (e as Error).message})`);
}

function parseYaml(text: string, path: string): { value: unknown; locate: Locate } {
  const lines = new LineCounter();
  let doc: Document;
  let value: unknown;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    const error = doc.errors[0];
    if (error) {
      const [line, col] = error.linePos ? [error.linePos[0].line, error.linePos[0].col] : [1, 1];
      const what = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      if (/call stack/i.test(what)) throw nestedTooDeeply(path);
      throw usageError(`scenario ${path}:${line}:${col}: YAML syntax error: ${what}`, 'check indentation and quoting around that line');
    }
    value = doc.toJS({ maxAliasCount: LIMITS.aliases });
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw yamlFailure(path, e);
  }
  return { value, locate: (p) => lineOf(doc, lines, p) };
}

/** What the YAML library threw (not a syntax error it reported) as one line naming the file. */
function yamlFailure(path: string, e: unknown): UserError {
  const message = (e as Error)?.message ?? String(e);
  if (e instanceof RangeError && /call stack/i.test(message)) return nestedTooDeeply(path);
  if (/alias/i.test(message)) {
    return usageError(`scenario ${path}: YAML aliases expand too much (${message.split('\n')[0]})`,
      `a scenario may expand at most ${LIMITS.aliases} aliases (*name); write the values out`);
  }
  return usageError(`scenario ${path}: YAML cannot be loaded: ${message.split('\n')[0]}`, 'check the file is a YAML mapping');
}

const nestedTooDeeply = (path: string) =>
  usageError(`scenario ${path}: nests deeper than ${LIMITS.depth} levels`, 'a scenario needs at most 4 levels; check the brackets or indentation');

/** ":14" for the line of the deepest node of `path` that exists (a missing key: its parent). */
function lineOf(doc: Document, lines: LineCounter, path: Path): string | undefined {
  for (let n = path.length; n >= 1; n--) {
    let node: unknown;
    try {
      node = doc.getIn(path.slice(0, n), true);
    } catch {
      continue; // e.g. a path through an alias: no line, the message still names the field
    }
    if (isNode(node) && node.range) return `:${lines.linePos(node.range[0]).line}`;
  }
  return undefined;
}

function parseJson(text: string, path: string): { value: unknown; locate?: Locate } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw nestedTooDeeply(path);
    const message = e.message.split('\n')[0];
    const at = /position (\d+)/.exec(message);
    let where = '';
    if (at) {
      const before = text.slice(0, Number(at[1])).split('\n');
      where = `:${before.length}:${before[before.length - 1].length + 1}`;
    }
    const what = message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
    throw usageError(`scenario ${path}${where}: JSON syntax error: ${what}`, 'check commas and quotes around that place');
  }
}

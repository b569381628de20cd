// Reading a scenario file: YAML (any extension but .json) or JSON, then parseScenario.
// Syntax errors become one line with line:column; field errors get the field's line.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { usageError } from '../util/errors';
import type { Path } from './fields';
import { parseScenario, type Locate } from './parse';
import type { Scenario } from '../contracts/scenario';

/**
 * `override` may change the raw scenario before it is validated (command-line flags such as
 * --runtime), so an override is checked by exactly the same rules as the file.
 */
export function loadScenarioFile(path: string, override?: (raw: Record<string, unknown>) => void): Scenario {
  const text = readText(path);
  const parsed = extname(path).toLowerCase() === '.json' ? parseJson(text, path) : parseYaml(text, path);
  if (override && parsed.value && typeof parsed.value === 'object' && !Array.isArray(parsed.value)) {
    override(parsed.value as Record<string, unknown>);
  }
  const scenario = parseScenario(parsed.value, path, parsed.locate);
  scenario.sourcePath = path;
  return scenario;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw usageError(`scenario ${path}: no such file`, 'check the path, or run "chat-bench list" to see the bundled scenarios');
    if (code === 'EISDIR') throw usageError(`scenario ${path}: is a folder, not a file`, 'name a .yaml or .json file');
    throw usageError(`scenario ${path}: cannot be read (${code ?? (e as Error).message})`);
  }
}

function parseYaml(text: string, path: string): { value: unknown; locate: Locate } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const [line, col] = error.linePos ? [error.linePos[0].line, error.linePos[0].col] : [1, 1];
    const what = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw usageError(`scenario ${path}:${line}:${col}: YAML syntax error: ${what}`, 'check indentation and quoting around that line');
  }
  return { value: doc.toJS({ maxAliasCount: 1000 }), locate: (p) => lineOf(doc, lines, p) };
}

/** ":14" for the line of the deepest node of `path` that exists (a missing key: its parent). */
function lineOf(doc: Document, lines: LineCounter, path: Path): string | undefined {
  for (let n = path.length; n >= 1; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return `:${lines.linePos(node.range[0]).line}`;
  }
  return undefined;
}

function parseJson(text: string, path: string): { value: unknown; locate?: Locate } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    const message = (e as Error).message.split('\n')[0];
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

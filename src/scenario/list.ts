// `chat-bench list`: the ready scenarios of a folder, each with the first line of its header
// comment (every bundled scenario explains itself there), else its description or name.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { usageError } from '../util/errors';

export interface ScenarioListing {
  file: string;                // file name inside the folder
  path: string;                // folder + file name
  summary: string;             // one line
}

export const isScenarioFile = (name: string): boolean => /\.(ya?ml|json)$/i.test(name);

export function listScenarios(dir: string): ScenarioListing[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter(isScenarioFile).sort();
  } catch {
    throw usageError(`scenario folder ${dir}: cannot be read`, 'pass --dir with a folder of .yaml/.json scenarios');
  }
  return names.map((file) => {
    const path = join(dir, file);
    return { file, path, summary: summarise(readFileSync(path, 'utf8')) };
  });
}

/** First line of the leading comment block; else `description`, else `name`. */
export function summarise(text: string): string {
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t === '' || t === '#' || t === '---') continue;
    if (/^#\s*yaml-language-server:/.test(t)) continue; // the editor's schema directive, not the summary
    if (!t.startsWith('#')) break;
    return t.replace(/^#+\s*/, '');
  }
  try {
    const raw = parseYaml(text) as { description?: unknown; name?: unknown } | null; // JSON is YAML too
    const line = raw?.description ?? raw?.name;
    if (typeof line === 'string') return line.split('\n')[0];
  } catch {
    // an unreadable file still gets listed; `chat-bench validate` says what is wrong
  }
  return '(no description)';
}

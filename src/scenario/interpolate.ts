// `${NAME}` and `${NAME:-default}` in a scenario file, replaced by environment variables
// before the file is parsed (so they work anywhere a value can be written, also inside
// `{ … }` flow mappings). `$${` writes a literal `${`. Whole-line comments are left alone.
// An unset variable without a default is refused with the file, line and name: a run with a
// silently empty value would test something nobody asked for.
import { usageError } from '../util/errors';

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolateEnv(text: string, source: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!text.includes('${')) return text;
  return text.split('\n').map((line, i) => {
    if (/^\s*#/.test(line)) return line;
    return line.replace(REFERENCE, (whole, body: string | undefined) => {
      if (body === undefined) return '${'; // "$${" escapes
      const sep = body.indexOf(':-');
      const name = (sep >= 0 ? body.slice(0, sep) : body).trim();
      if (!NAME.test(name)) {
        throw usageError(`scenario ${source}:${i + 1}: ${whole} is not a variable reference`, 'write ${NAME} or ${NAME:-default}; $${ writes a literal ${');
      }
      const value = env[name];
      if (value !== undefined && (value !== '' || sep < 0)) return value; // ":-" also covers set-but-empty, as in sh
      if (sep >= 0) return body.slice(sep + 2);
      throw usageError(`scenario ${source}:${i + 1}: environment variable ${name} is not set`, `export ${name}=…, or write \${${name}:-default} in the file`);
    });
  }).join('\n');
}

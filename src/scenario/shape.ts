// The generic shape bounds of a parsed scenario document (see LIMITS), checked before the
// field-by-field reader looks at it.
import { FieldError, type Path } from './fields';
import { LIMITS } from './limits';

/**
 * Walks a parsed document without recursion and refuses the first place that breaks a
 * generic bound (depth, list length, mapping size, text length), so the field-by-field
 * reader only ever sees documents of bounded size.
 */
export function checkShape(root: unknown): void {
  const stack: Array<{ value: unknown; path: Path }> = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const max = path.length === 1 && path[0] === 'name' ? LIMITS.nameChars : LIMITS.textChars;
      if (value.length > max) throw new FieldError(path, `is ${value.length} characters long, more than ${max}`, 'shorten it');
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (path.length >= LIMITS.depth) {
      throw new FieldError(path, `nests deeper than ${LIMITS.depth} levels`, 'a scenario needs at most 4 levels; check the brackets or indentation');
    }
    const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    if (entries.length > LIMITS.entries) {
      throw new FieldError(path, `has ${entries.length} ${Array.isArray(value) ? 'items' : 'keys'}, more than ${LIMITS.entries}`, 'split the scenario into several files');
    }
    for (const [key, v] of entries.reverse()) { // reversed: the stack then visits them in file order
      if (typeof key === 'string' && key.length > LIMITS.textChars) {
        throw new FieldError(path, `has a key of ${key.length} characters, more than ${LIMITS.textChars}`);
      }
      stack.push({ value: v, path: [...path, key] });
    }
  }
}

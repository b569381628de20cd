// What is wrong with one value, before we know where in the file it sits. The scenario
// reader attaches the field path and the file name; the public helpers (parseDuration,
// parseRate) attach the field name they were given. Never shown to the user as is.
export class Problem extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'Problem';
  }
}

/** How a value looks in an error message: strings quoted, everything else as JSON. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

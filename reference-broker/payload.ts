// What a publish's payload `d` must satisfy before the node does anything with it. JSON.parse
// accepts nesting that JSON.stringify cannot write back (it recurses and overflows the stack),
// so a payload is refused up front instead of failing halfway through storing or forwarding.

/** Nesting allowed in `d` (objects and arrays). Chat payloads need a handful of levels. */
export const MAX_PAYLOAD_DEPTH = 64;

/** Why `d` cannot be published, or null. Iterative, so the check itself cannot overflow. */
export function payloadProblem(d: unknown): string | null {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: d, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_PAYLOAD_DEPTH) return `pub: d nests deeper than ${MAX_PAYLOAD_DEPTH} levels`;
    const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1 });
  }
  return null;
}

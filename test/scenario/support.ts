// Shared by the scenario tests: a minimal valid scenario and an assertion on refusals.
import assert from 'node:assert/strict';
import { UserError } from '../../src/util/errors';
import { parseScenario } from '../../src/scenario/parse';

export const minimal = (): Record<string, any> => ({ name: 't', duration: '60s', clients: { count: 10 } });

/** `minimal()` with `patch` applied: keys of nested objects are merged one level deep. */
export function scenarioWith(patch: Record<string, any>): Record<string, any> {
  const base = minimal();
  for (const [k, v] of Object.entries(patch)) {
    base[k] = v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object' ? { ...base[k], ...v } : v;
  }
  return base;
}

/** parseScenario(raw) must throw a one-line UserError (exit 2) with exactly this message (and hint). */
export function refuses(raw: unknown, message: string, hint?: string | RegExp): void {
  assert.throws(() => parseScenario(raw, 't.yaml'), (e: unknown) => {
    assert.ok(e instanceof UserError, `expected UserError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, `scenario t.yaml: ${message}`);
    if (hint instanceof RegExp) assert.match(e.hint ?? '', hint);
    else if (hint !== undefined) assert.equal(e.hint, hint);
    assert.ok(!e.oneLine().includes('\n'), 'one line');
    return true;
  });
}

// Validates a value against one of the shipped JSON Schemas (schemas/*.schema.json) with Ajv,
// an independent JSON Schema implementation: what editors and other tools would do.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';

export const SCHEMAS_DIR = join(__dirname, '../../../schemas');
const ajv = new Ajv2020({ allErrors: true, strict: false });
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

/** null when valid, else the errors as one string. */
export function schemaErrors(file: 'scenario.schema.json' | 'results.schema.json', value: unknown): string | null {
  let validate = compiled.get(file);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS_DIR, file), 'utf8')));
    compiled.set(file, validate);
  }
  return validate(value) ? null : ajv.errorsText(validate.errors);
}

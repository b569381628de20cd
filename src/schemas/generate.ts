// Writes schemas/scenario.schema.json and schemas/results.schema.json from the zod sources
// (`npm run schemas`); a test checks the shipped files are what this writes.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { resultsSchema } from './results-schema';
import { scenarioSchema } from './scenario-schema';

export const SCHEMA_FILES: Record<string, z.ZodType> = {
  'scenario.schema.json': scenarioSchema,
  'results.schema.json': resultsSchema,
};

export function schemaText(schema: z.ZodType, id: string): string {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return `${JSON.stringify({ title: id, ...json }, null, 2)}\n`;
}

if (require.main === module) {
  const dir = join(__dirname, '../../../schemas');
  mkdirSync(dir, { recursive: true });
  for (const [file, schema] of Object.entries(SCHEMA_FILES)) writeFileSync(join(dir, file), schemaText(schema, file));
  process.stdout.write(`wrote ${Object.keys(SCHEMA_FILES).map((f) => join('schemas', f)).join(', ')}\n`);
}

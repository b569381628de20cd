// The shipped JSON Schemas: generated from their zod source, the scenario schema names the
// fields the parser reads and accepts every bundled scenario, results.json validates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SCHEMA_FILES, schemaText } from '../../src/schemas/generate';
import { clientsSchema, clusterSchema, scenarioSchema } from '../../src/schemas/scenario-schema';
import { CLIENTS, CLUSTER, TOP } from '../../src/scenario/parse';
import { SCHEMAS_DIR, schemaErrors } from '../support/schema-check';
import { makeSyntheticResults } from '../support/synthetic-results';

const SCENARIOS = join(__dirname, '../../../scenarios');

test('schemas/*.json are what `npm run schemas` generates from the zod source', () => {
  for (const [file, schema] of Object.entries(SCHEMA_FILES)) {
    assert.equal(readFileSync(join(SCHEMAS_DIR, file), 'utf8'), schemaText(schema, file), `${file} is stale: run npm run schemas`);
  }
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { files: string[] };
  assert.ok(pkg.files.includes('schemas'), 'the schemas ship in the package');
});

test('the scenario schema has the fields the parser reads, and accepts every bundled scenario', () => {
  const keys = (o: { shape: Record<string, unknown> }) => Object.keys(o.shape).sort();
  assert.deepEqual(keys(scenarioSchema), [...TOP].sort());
  assert.deepEqual(keys(clusterSchema), [...CLUSTER].sort());
  assert.deepEqual(keys(clientsSchema), [...CLIENTS].sort());
  const files = readdirSync(SCENARIOS).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length > 0);
  for (const f of files) {
    const text = readFileSync(join(SCENARIOS, f), 'utf8');
    assert.equal(text.split('\n')[0], '# yaml-language-server: $schema=../schemas/scenario.schema.json', `${f}: schema comment for editors`);
    assert.equal(schemaErrors('scenario.schema.json', parse(text)), null, f);
  }
  // and it has teeth
  assert.match(String(schemaErrors('scenario.schema.json', { name: 'x', duration: '10', clients: { count: 1 } })), /duration/);
  assert.match(String(schemaErrors('scenario.schema.json', { name: 'x', duration: '1s', clients: { count: 1, rampup: '1s' } })), /additional/);
});

test('results.json validates against results.schema.json; a damaged one does not', () => {
  const results = JSON.parse(JSON.stringify(makeSyntheticResults()));
  assert.equal(schemaErrors('results.schema.json', results), null);
  delete results.totals.lost;
  assert.match(String(schemaErrors('results.schema.json', results)), /lost/);
});

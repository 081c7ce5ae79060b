import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

interface GeneratorModule {
  SCHEMA_FILE: string;
  policyInputSchemaText: () => string;
}
const generator = (await import(pathToFileURL(join(ROOT, 'scripts/gen-policy-input-schema.mjs')).href)) as GeneratorModule;

describe('schemas/policy-input.schema.json', () => {
  const committed = readFileSync(join(ROOT, generator.SCHEMA_FILE), 'utf8');

  it('is what the PolicyInput types give (npm run schemas:build)', () => {
    expect(committed).toBe(generator.policyInputSchemaText());
  }, 30_000);

  it('keeps the doc comments of the types as descriptions', () => {
    const schema = JSON.parse(committed) as { definitions: Record<string, { properties?: Record<string, { description?: string }> }> };
    expect(schema.definitions.JobInput?.properties?.runsInMergeRequests?.description).toBe('May run in a merge-request pipeline (undecidable conditions count as may run).');
    expect(schema.definitions.Origin?.properties?.line).toEqual({ type: 'integer', minimum: 1 });
  });
});

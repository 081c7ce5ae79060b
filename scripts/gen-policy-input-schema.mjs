// Generates schemas/policy-input.schema.json from the TypeScript types of the policy input
// (src/model/policy-input/types.ts) and their doc comments, with ts-json-schema-generator. The types are the one
// place a field is written and documented; the builder (src/model/policy-input.ts) is checked against them by the
// compiler, and the schema follows. With --check, fails when the committed schema is stale
// (test/schemas/policy-input-schema.test.ts runs the same check in the test suite).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_FILE = 'schemas/policy-input.schema.json';
const TYPES_FILE = 'src/model/policy-input/types.ts';

/** The schema as JSON text, ending in a newline. */
export function policyInputSchemaText() {
  const generator = createGenerator({
    path: join(root, TYPES_FILE),
    type: 'PolicyInput',
    // The types file imports nothing, so it needs no type check of the whole project: the compiler does that.
    skipTypeCheck: true,
    jsDoc: 'extended',
    additionalProperties: false,
    sortProps: false,
    topRef: false,
    expose: 'export',
  });
  const generated = generator.createSchema('PolicyInput');
  const { $schema, ...rest } = generated;
  const schema = {
    $schema,
    $id: 'https://fleetlint.dev/schemas/policy-input-v1.json',
    title: 'fleetlint policy input, version 1',
    ...rest,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = join(root, SCHEMA_FILE);
  const text = policyInputSchemaText();
  if (process.argv.includes('--check')) {
    if (readFileSync(path, 'utf8') !== text) {
      console.error(`gen-policy-input-schema: ${SCHEMA_FILE} is not what ${TYPES_FILE} gives; run npm run schemas:build`);
      process.exit(1);
    }
  } else {
    writeFileSync(path, text);
    console.error(`gen-policy-input-schema: wrote ${SCHEMA_FILE}`);
  }
}

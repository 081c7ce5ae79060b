import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

interface GeneratorModule {
  VALIDATORS: { file: string; schema: string }[];
  generatedValidators: (validators: { file: string; schema: string }) => string;
}
const generator = (await import(pathToFileURL(join(ROOT, 'scripts/build-validators.mjs')).href)) as GeneratorModule;

describe('the validators compiled ahead (src/generated/)', () => {
  it.each(generator.VALIDATORS.map((validators) => [validators.file, validators] as const))('%s is what scripts/build-validators.mjs generates (npm run validators:build)', (file, validators) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toBe(generator.generatedValidators(validators));
  });
});

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the compiled ArgoCD CRD validators', () => {
  it('are what scripts/build-validators.mjs generates from schemas/argocd-crds.schema.json (npm run validators:build)', async () => {
    const { generatedValidators } = (await import(pathToFileURL(join(ROOT, 'scripts/build-validators.mjs')).href)) as { generatedValidators: () => string };
    expect(readFileSync(join(ROOT, 'src/generated/argocd-crd-validators.ts'), 'utf8')).toBe(generatedValidators());
  });
});

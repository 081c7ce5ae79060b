import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { policyInput } from '../../src/model/policy-input.js';
import { packageRoot } from '../../src/package.js';
import { auditHomelab } from '../support/homelab.js';

const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'policy-input.schema.json'), 'utf8')) as Record<string, unknown>;

describe('the policy input', () => {
  it('of fixtures/homelab is what schemas/policy-input.schema.json documents', async () => {
    const { fleet } = await auditHomelab();
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false }).compile(schema);
    const valid = validate(JSON.parse(JSON.stringify(policyInput(fleet))));
    expect(validate.errors ?? [], 'schema errors').toEqual([]);
    expect(valid).toBe(true);
  });

  it('names for every dependency the apps whose waves order it', async () => {
    const { fleet } = await auditHomelab();
    const { dependencies } = policyInput(fleet) as { dependencies: { fromRepo: string; from: string; toRepo: string; to: string; orderedBy?: unknown }[] };
    expect(dependencies.length).toBeGreaterThan(0);
    // In the seed, the app-of-apps registrations are roots of their own: no tree holds two of the apps.
    for (const dependency of dependencies) {
      expect(dependency.orderedBy).toEqual({ from: { repo: dependency.fromRepo, name: dependency.from }, to: { repo: dependency.toRepo, name: dependency.to } });
    }
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import type { RuleExamples } from './check.js';
import type { FleetSettings } from '../model/types.js';
import { SEVERITIES } from '../model/findings.js';

/**
 * The fleet settings every rule example runs with, as if its fleet.yaml said
 * `gitlab: {host: gitlab.example.com, group: acme}` and `registries: [registry.example.com]`.
 */
export const EXAMPLE_SETTINGS: FleetSettings = { gitlabHost: 'gitlab.example.com', group: 'acme', registries: ['registry.example.com'], providers: [] };

const files = { type: 'object', minProperties: 1, additionalProperties: { type: 'string' } };
const example = {
  type: 'object',
  required: ['description', 'repos'],
  properties: {
    description: { type: 'string', minLength: 1 },
    repos: { type: 'object', minProperties: 1, additionalProperties: files },
    options: { type: 'object' },
  },
};
const EXAMPLES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['wrong', 'right'],
  properties: {
    wrong: {
      ...example,
      additionalProperties: false,
      required: [...example.required, 'findings'],
      properties: {
        ...example.properties,
        findings: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['repo', 'severity', 'message'],
            properties: {
              repo: { type: 'string' },
              file: { type: 'string' },
              line: { type: 'integer', minimum: 1 },
              severity: { enum: [...SEVERITIES] },
              message: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    },
    right: { ...example, additionalProperties: false },
  },
};

const validate = new Ajv({ allErrors: true }).compile<RuleExamples>(EXAMPLES_SCHEMA);

/**
 * A built-in policy's examples: `policies/<id>.examples.yaml`, next to the policy (the WASM bundle does not carry
 * them; the docs generator and the examples test read them). Undefined when the policy has none.
 */
export function readPolicyExamples(file: string): RuleExamples | undefined {
  if (!existsSync(file)) return undefined;
  const value: unknown = parse(readFileSync(file, 'utf8'));
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((error) => `${error.instancePath || '(top level)'} ${error.message ?? 'is invalid'}`);
    throw new Error(`${file}: not a rule's examples {wrong: {description, repos, options?, findings}, right: {description, repos, options?}}: ${problems.join('; ')}`);
  }
  return value;
}

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CheckMeta } from '../engine/check.js';
import { DIAGNOSTICS } from '../engine/diagnostics.js';
import { TYPESCRIPT_RULES } from '../../rules/index.js';
import { parsePolicyMetadataFile } from '../engine/wasm/metadata.js';
import { policyMeta } from '../engine/policy-checks.js';
import { builtinPolicyPaths } from '../package.js';
import { readPolicyExamples } from '../engine/rule-examples.js';

/**
 * The metadata of every built-in rule: fleetlint's diagnostics, the TypeScript rules and the shipped Rego
 * policies (from policies/metadata.json, without loading the WASM, with the examples beside each policy). Docs and
 * the config schema come from it.
 */
export function builtinRuleMetas(): CheckMeta[] {
  const { metadata } = builtinPolicyPaths();
  const policies = parsePolicyMetadataFile(JSON.parse(readFileSync(metadata, 'utf8')), metadata).policies.map((policy): CheckMeta => {
    const examples = readPolicyExamples(join(dirname(metadata), `${policy.id}.examples.yaml`));
    return { ...policyMeta(policy), ...(examples ? { examples } : {}) };
  });
  return [...DIAGNOSTICS, ...TYPESCRIPT_RULES.map((rule) => rule.meta), ...policies].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

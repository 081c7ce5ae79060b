import { dirname, resolve } from 'node:path';
import type { Check } from '../engine/check.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import { TYPESCRIPT_RULES } from '../../rules/index.js';
import { loadBuiltinPolicies } from '../engine/wasm/policy-set.js';
import { loadCustomPolicies } from '../engine/rego/custom.js';
import { loadConftestPolicies } from '../engine/rego/conftest.js';
import { policyChecks } from '../engine/policy-checks.js';
import { conftestChecks } from '../engine/conftest-checks.js';
import { CAPABILITIES, PROVIDER_CAPABILITIES } from '../model/dependencies/capabilities.js';

/**
 * Data every policy reads under `data.fleet`: the model's vocabulary, for messages. What is configurable is a
 * rule's options (`input.options`), never data.
 */
const FLEET_DATA = {
  capabilityNouns: Object.fromEntries(PROVIDER_CAPABILITIES.map((capability) => [capability, CAPABILITIES[capability].noun])),
};

/** The built-in checks only: TypeScript rules and the shipped policy bundle. */
export async function builtinChecks(): Promise<Check[]> {
  const policies = await loadBuiltinPolicies();
  return sortChecks([...TYPESCRIPT_RULES, ...(policies ? policyChecks(policies, FLEET_DATA) : [])]);
}

/** Every check a run uses: built-in ones plus the config's custom policy folders and conftest folders. */
export async function loadChecks(config: FleetlintConfig): Promise<Check[]> {
  const checks = await builtinChecks();
  const base = config.file ? dirname(config.file) : process.cwd();
  for (const folder of config.policies) {
    const set = await loadCustomPolicies(resolve(base, folder));
    checks.push(...policyChecks(set, FLEET_DATA));
  }
  for (const folder of config.conftest) {
    checks.push(...conftestChecks(await loadConftestPolicies(resolve(base, folder)), folder));
  }
  const seen = new Set<string>();
  for (const check of checks) {
    if (seen.has(check.meta.id)) throw new Error(`two checks have the id ${check.meta.id}; rename the custom policy`);
    seen.add(check.meta.id);
  }
  return sortChecks(checks);
}

function sortChecks(checks: Check[]): Check[] {
  return checks.sort((a, b) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0));
}

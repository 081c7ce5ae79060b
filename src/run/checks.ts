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
import { DEFAULT_POLICY_BUDGET, type PolicyBudget } from '../engine/wasm/budget.js';
import { ConfigError } from '../engine/config.js';

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
    checks.push(...policyChecks(set, FLEET_DATA, { budget: policyBudget(process.env) }));
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

/**
 * Each evaluation of a custom policy: at most FLEETLINT_POLICY_TIMEOUT seconds and FLEETLINT_POLICY_MEMORY_MB
 * megabytes of growth (30 s and 1024 MB by default); past either, the policy is stopped and reported.
 */
export function policyBudget(env: NodeJS.ProcessEnv): PolicyBudget {
  const number = (name: string, fallback: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new ConfigError(name, [`expected a positive number, not ${JSON.stringify(text)}`]);
    return value;
  };
  return { timeMs: number('FLEETLINT_POLICY_TIMEOUT', DEFAULT_POLICY_BUDGET.timeMs / 1000) * 1000, memoryMb: number('FLEETLINT_POLICY_MEMORY_MB', DEFAULT_POLICY_BUDGET.memoryMb) };
}

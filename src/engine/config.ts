import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { CheckMeta } from './check.js';
import { EMPTY_CONFIG, type FleetlintConfig } from './config-types.js';
import { ConfigProblems, configLayers, lineOf } from './config-presets.js';
import { ruleSettingFor } from './rule-settings.js';
import { CAPABILITIES, PROVIDER_CAPABILITIES } from '../model/dependencies/capabilities.js';
import type { ProviderRule } from '../model/dependencies/types.js';
import { parseYamlFile } from '../model/yaml/parse.js';
import { builtinConfig, schemaDigest } from '../generated/config-validator.js';

export const CONFIG_FILE_NAME = 'fleetlint.config.yaml';

/** A problem in fleetlint's own configuration: the run stops (exit code 2) and every problem is listed. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid configuration\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const levelSchema = { enum: ['error', 'warning', 'note', 'off'] };

/** Top-level keys of earlier versions, and where they are now. */
const MOVED_KEYS: Readonly<Record<string, string>> = {
  providers: 'rules.sync-wave-order.options.providers',
  waveBands: 'rules.sync-wave-order.options.waveBands',
};

/** What a preset must not hold (it holds extends, rules and overrides), and why. */
const PRESET_FORBIDDEN: Readonly<Record<string, string>> = {
  policies: 'policy folders belong in the fleet\'s config',
  conftest: 'policy folders belong in the fleet\'s config',
  waivers: 'waivers are the fleet\'s own decisions and belong in its config',
};

/** The rule whose `providers` option is the model's provider table. */
const PROVIDERS_RULE = 'sync-wave-order';

/**
 * Schemas that rule options may name with `$ref: "#/definitions/<name>"`: shared with the model, whose
 * vocabulary they hold, and kept in one place.
 */
export const CONFIG_DEFINITIONS: Readonly<Record<string, Record<string, unknown>>> = {
  providerRule: {
    type: 'object',
    additionalProperties: false,
    required: ['capability', 'value', 'app'],
    properties: {
      capability: {
        description: 'What the Application provides; the capabilities and what uses each are listed below.',
        enum: [...PROVIDER_CAPABILITIES],
        // VS Code's JSON and YAML language servers show these next to each value.
        enumDescriptions: PROVIDER_CAPABILITIES.map((capability) => CAPABILITIES[capability].usedBy),
      },
      value: {
        description: 'The value that selects the provider: a StorageClass name, an ingress class, a registry host; `*` for any.',
        type: 'string',
        minLength: 1,
      },
      app: { description: 'The name (metadata.name) of the Application that provides it.', type: 'string', minLength: 1 },
    },
  },
};

/** The config file's JSON Schema, generated from the checks' metadata so every rule id and option is known. */
export function configSchema(checks: readonly CheckMeta[]): Record<string, unknown> {
  const ruleProperties: Record<string, unknown> = {};
  // By id: the same checks give the same schema, whatever order they come in (see configValidator).
  for (const meta of [...checks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const options = meta.optionsSchema ?? { type: 'object', additionalProperties: false, properties: {} };
    ruleProperties[meta.id] = {
      description: meta.shortDescription,
      anyOf: [levelSchema, { type: 'object', additionalProperties: false, properties: { severity: levelSchema, options } }],
    };
  }
  const rules = { description: 'Severity and options per rule id.', type: 'object', additionalProperties: false, properties: ruleProperties };
  const stringList = { type: 'array', items: { type: 'string', minLength: 1 } };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'fleetlint configuration (fleetlint.config.yaml)',
    type: 'object',
    additionalProperties: false,
    properties: {
      extends: {
        description: 'Presets merged in before this file, in order: a name (homelab) or a path relative to this file (./presets/team.yaml).',
        ...stringList,
      },
      rules,
      overrides: {
        description: 'Rule settings for the repos whose id matches a glob, applied in order after rules.',
        type: 'array',
        items: { type: 'object', additionalProperties: false, required: ['repos', 'rules'], properties: { repos: stringList, rules } },
      },
      policies: { description: 'Extra Rego policy folders or prebuilt bundles, relative to this file.', ...stringList },
      conftest: { description: 'conftest-style policy folders, run over every YAML document.', ...stringList },
      scanners: {
        description: "Security scanners of the fleet's own: a CI script line that matches `pattern` (a JavaScript regular expression) runs a `category` scan with `tool`. They come after the built-in table, which they extend; a preset's come before the file's.",
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['category', 'tool', 'pattern'],
          properties: {
            category: { description: 'The scan category (iac, manifests, image, secrets, or one of your own).', type: 'string', minLength: 1 },
            tool: { description: 'The scanner name, as messages and reports show it.', type: 'string', minLength: 1 },
            pattern: { description: 'A JavaScript regular expression matched against each script line.', type: 'string', minLength: 1 },
          },
        },
      },
      waivers: {
        description: 'Accepted findings, with a reason, an owner and an expiry date.',
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['rule', 'repo', 'reason'],
          properties: {
            rule: { type: 'string' },
            repo: { type: 'string' },
            file: { type: 'string' },
            reason: { type: 'string', minLength: 1 },
            owner: { type: 'string' },
            expires: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
          },
        },
      },
    },
    definitions: CONFIG_DEFINITIONS,
  };
}

/** The text of a config file; undefined when there is none (the defaults apply). */
export async function readConfigText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(file, [`cannot be read: ${(error as Error).message}`]);
  }
}

/**
 * The parts of a config needed to load the checks it names (custom policy and conftest folders), read without
 * validation: the rule ids those checks bring are known only once they are loaded, and the strict validation that
 * follows reports every problem, these keys' included. Presets cannot name policy folders.
 */
export function checkSourcesOf(file: string, text: string): FleetlintConfig {
  const value = parseYamlFile('.', file, text).parsed.documents[0]?.value;
  const raw = (value !== null && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const strings = (list: unknown): string[] => (Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : []);
  return { ...EMPTY_CONFIG, file, policies: strings(raw.policies), conftest: strings(raw.conftest) };
}

/**
 * Reads a config file and the presets it extends, validates every one of them against the checks' metadata, and
 * merges them: presets first, in the order listed, then the file. Every problem of every file is reported at once.
 */
export function parseConfig(file: string, text: string, checks: readonly CheckMeta[]): FleetlintConfig {
  const problems = new ConfigProblems();
  const layers = configLayers(file, text, problems);
  const validate = configValidator(configSchema(checks));
  for (const layer of layers) {
    if (!validate(layer.value)) {
      const errors = withoutAlternatives(validate.errors ?? []);
      for (const error of errors) problems.add(layer, describeSchemaError(error, (path) => lineOf(layer, path)));
    }
    const scanners = (layer.value as { scanners?: unknown }).scanners;
    if (Array.isArray(scanners)) {
      scanners.forEach((scanner: unknown, index) => {
        const pattern = (scanner as { pattern?: unknown } | null)?.pattern;
        const problem = typeof pattern === 'string' ? regexProblem(pattern) : undefined;
        if (problem !== undefined) problems.add(layer, `line ${lineOf(layer, ['scanners', index, 'pattern'])}: scanners.${index}.pattern: not a valid regular expression (${problem})`);
      });
    }
    const waivers = (layer.value as { waivers?: unknown }).waivers;
    if (Array.isArray(waivers)) {
      waivers.forEach((waiver: unknown, index) => {
        const expires = (waiver as { expires?: unknown } | null)?.expires;
        // The pattern lets 2999-13-45 through, and a string comparison would make it a waiver that never expires.
        if (typeof expires === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(expires) && !isCalendarDate(expires)) {
          problems.add(layer, `line ${lineOf(layer, ['waivers', index, 'expires'])}: waivers.${index}.expires: ${expires} is not a date (expected YYYY-MM-DD, a real day)`);
        }
      });
    }
    if (layer.preset !== undefined) {
      for (const [key, why] of Object.entries(PRESET_FORBIDDEN).filter(([name]) => name in layer.value)) {
        problems.add(layer, `line ${lineOf(layer, [key])}: ${key}: not allowed in a preset, which holds only extends, rules and overrides: ${why}`);
      }
    }
  }
  if (problems.size > 0) throw new ConfigError(file, problems.list());

  const config: FleetlintConfig = { ...structuredClone(EMPTY_CONFIG), file };
  for (const layer of layers) {
    const raw = layer.value as Partial<FleetlintConfig> & { rules?: Record<string, unknown> };
    config.rules = mergeRules(config.rules, normalizeRules(raw.rules ?? {}));
    if (raw.scanners) config.scanners = [...(config.scanners ?? []), ...raw.scanners];
    config.overrides.push(...(raw.overrides ?? []).map((override) => ({ repos: override.repos, rules: normalizeRules(override.rules as Record<string, unknown>) })));
    if (layer.preset !== undefined) continue;
    config.policies = raw.policies ?? [];
    config.conftest = raw.conftest ?? [];
    config.waivers = (raw.waivers ?? []).map((waiver, index) => ({ ...waiver, line: lineOf(layer, ['waivers', index]) }));
  }
  config.providers = providerTable(config, checks);
  return config;
}

/**
 * The validator of a config schema: compiled ahead for the built-in checks (src/generated/config-validator.ts, from
 * schemas/config.schema.json), else now (custom policies bring rule ids of their own).
 */
function configValidator(schema: Record<string, unknown>): ValidateFunction {
  if (createHash('sha256').update(JSON.stringify(schema)).digest('hex') === schemaDigest) return builtinConfig;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

/** The configuration without a config file: every rule at its defaults. */
export function defaultConfig(checks: readonly CheckMeta[]): FleetlintConfig {
  return { ...EMPTY_CONFIG, providers: providerTable(EMPTY_CONFIG, checks) };
}

/** sync-wave-order's `providers` option, configured or default: the table the model infers dependencies with. */
function providerTable(config: FleetlintConfig, checks: readonly CheckMeta[]): ProviderRule[] {
  const meta = checks.find((check) => check.id === PROVIDERS_RULE);
  if (!meta) return [];
  // Validated against the option's schema (CONFIG_DEFINITIONS.providerRule) when read.
  return (ruleSettingFor(config, meta, undefined).options.providers ?? []) as ProviderRule[];
}

/**
 * A later file's rule settings over an earlier one's: its severity replaces the earlier severity, and each option
 * it sets replaces that option's whole value (a list is replaced, not appended to).
 */
function mergeRules(earlier: FleetlintConfig['rules'], later: FleetlintConfig['rules']): FleetlintConfig['rules'] {
  const merged = { ...earlier };
  for (const [id, setting] of Object.entries(later)) {
    const before = merged[id];
    const options = before?.options || setting.options ? { ...before?.options, ...setting.options } : undefined;
    const severity = setting.severity ?? before?.severity;
    merged[id] = { ...(severity ? { severity } : {}), ...(options ? { options } : {}) };
  }
  return merged;
}

/** Why a pattern is not a JavaScript regular expression; undefined when it is one. */
function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `rule: warning` is shorthand for `rule: {severity: warning}`. */
function normalizeRules(rules: Record<string, unknown>): FleetlintConfig['rules'] {
  const result: FleetlintConfig['rules'] = {};
  for (const [id, setting] of Object.entries(rules)) {
    result[id] = typeof setting === 'string' ? { severity: setting as 'error' } : (setting as FleetlintConfig['rules'][string]);
  }
  return result;
}

/**
 * `rule: loud` fails every branch of the rule's anyOf (a level, or an object): ajv reports each branch and the
 * anyOf itself. Only the first branch's error is kept for such a place: "must be one of error, warning, ...".
 * When errors lie inside the value (a bad option), the object was meant: only those are kept.
 */
function withoutAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  const alternatives = new Set(errors.filter((error) => error.keyword === 'anyOf').map((error) => error.instancePath));
  const inside = (path: string): boolean => errors.some((error) => error.instancePath.startsWith(`${path}/`));
  const kept = new Set<string>();
  return errors.filter((error) => {
    if (!alternatives.has(error.instancePath)) return true;
    if (error.keyword === 'anyOf' || kept.has(error.instancePath) || inside(error.instancePath)) return false;
    kept.add(error.instancePath);
    return true;
  });
}

function describeSchemaError(error: ErrorObject, lineAt: (path: (string | number)[]) => number): string {
  const path: (string | number)[] = error.instancePath.split('/').slice(1).map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment.replace(/~1/g, '/').replace(/~0/g, '~')));
  const key = path.length > 0 ? path.join('.') : '(top level)';
  const line = lineAt(path);
  const params = error.params as Record<string, unknown>;
  let expected = error.message ?? 'is invalid';
  if (error.keyword === 'additionalProperties') {
    const name = String(params.additionalProperty);
    const moved = path.length === 0 ? MOVED_KEYS[name] : undefined;
    if (moved !== undefined) {
      return `line ${lineAt([name])}: ${name}: moved to ${moved} (the homelab fleet's table is in the homelab preset: extends: [homelab])`;
    }
    return `line ${lineAt([...path, name])}: ${key === '(top level)' ? '' : `${key}.`}${name}: unknown key${path[0] === 'rules' || path[2] === 'rules' ? ' (no rule has this id)' : ''}`;
  }
  if (error.keyword === 'enum') expected = `must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
  if (error.keyword === 'required') return `line ${line}: ${key}: missing required key ${String(params.missingProperty)}`;
  return `line ${line}: ${key}: ${expected}`;
}

/** A YYYY-MM-DD text that names a day of the calendar (no month 13, no February 30th). */
function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject } from 'ajv';
import type { CheckMeta } from './check.js';
import { EMPTY_CONFIG, type FleetlintConfig } from './config-types.js';
import { PROVIDER_CAPABILITIES } from '../model/dependencies/types.js';
import { parseYamlFile } from '../model/yaml/parse.js';
import { locatePath } from '../model/yaml/locate.js';

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

/** The config file's JSON Schema, generated from the checks' metadata so every rule id and option is known. */
export function configSchema(checks: readonly CheckMeta[]): Record<string, unknown> {
  const ruleProperties: Record<string, unknown> = {};
  for (const meta of checks) {
    const options = meta.optionsSchema ?? { type: 'object', additionalProperties: false, properties: {} };
    ruleProperties[meta.id] = {
      description: meta.shortDescription,
      anyOf: [levelSchema, { type: 'object', additionalProperties: false, properties: { severity: levelSchema, options } }],
    };
  }
  const rules = { type: 'object', additionalProperties: false, properties: ruleProperties };
  const stringList = { type: 'array', items: { type: 'string', minLength: 1 } };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'fleetlint configuration (fleetlint.config.yaml)',
    type: 'object',
    additionalProperties: false,
    properties: {
      rules,
      overrides: {
        type: 'array',
        items: { type: 'object', additionalProperties: false, required: ['repos', 'rules'], properties: { repos: stringList, rules } },
      },
      policies: stringList,
      conftest: stringList,
      providers: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['capability', 'value', 'app'],
          properties: {
            capability: { enum: [...PROVIDER_CAPABILITIES] },
            value: { type: 'string' },
            app: { type: 'string' },
          },
        },
      },
      scanners: {
        description: "Security scanners of the fleet's own: a CI script line that matches `pattern` (a JavaScript regular expression) runs a `category` scan with `tool`. They come after the built-in table, which they extend.",
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['category', 'tool', 'pattern'],
          properties: { category: { type: 'string', minLength: 1 }, tool: { type: 'string', minLength: 1 }, pattern: { type: 'string', minLength: 1 } },
        },
      },
      waveBands: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['min'],
          properties: { apps: stringList, repos: stringList, min: { type: 'integer' }, max: { type: 'integer' } },
        },
      },
      waivers: {
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
 * The parts of a config needed to load the checks it names (custom policy and conftest folders) and their data
 * (wave bands), read without validation: the rule ids those checks bring are known only once they are loaded,
 * and the strict validation that follows reports every problem, these keys' included.
 */
export function checkSourcesOf(file: string, text: string): FleetlintConfig {
  const value = parseYamlFile('.', file, text).parsed.documents[0]?.value;
  const raw = (value !== null && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const strings = (list: unknown): string[] => (Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : []);
  return {
    ...EMPTY_CONFIG,
    file,
    policies: strings(raw.policies),
    conftest: strings(raw.conftest),
    ...(Array.isArray(raw.waveBands) ? { waveBands: raw.waveBands as FleetlintConfig['waveBands'] & object } : {}),
  };
}

export function parseConfig(file: string, text: string, checks: readonly CheckMeta[]): FleetlintConfig {
  const { parsed, diagnostics } = parseYamlFile('.', file, text);
  if (diagnostics.length > 0) {
    throw new ConfigError(file, diagnostics.map((d) => `line ${d.range?.startLine ?? 1}: ${d.message}`));
  }
  const document = parsed.documents[0];
  if (parsed.documents.length > 1) throw new ConfigError(file, ['holds several YAML documents; expected one']);
  const value: unknown = document?.value ?? {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(file, ['the top level must be a mapping (rules:, overrides:, waivers:, ...)']);
  }

  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(configSchema(checks));
  if (!validate(value)) {
    const errors = withoutAlternatives(validate.errors ?? []);
    const problems = errors.map((error) => describeSchemaError(error, (path) => (document ? locatePath(document, path).range.startLine : 1)));
    // Sorted by line (the message starts with it), so the list reads top to bottom like the file.
    const byLine = [...new Set(problems)].sort((a, b) => lineNumber(a) - lineNumber(b));
    throw new ConfigError(file, byLine);
  }
  const raw = value as Partial<FleetlintConfig> & { rules?: Record<string, unknown> };
  const badPatterns = (raw.scanners ?? []).flatMap((scanner, index) => {
    const problem = regexProblem(scanner.pattern);
    return problem === undefined ? [] : [`line ${document ? locatePath(document, ['scanners', index, 'pattern']).range.startLine : 1}: scanners.${index}.pattern: not a valid regular expression (${problem})`];
  });
  if (badPatterns.length > 0) throw new ConfigError(file, badPatterns);
  return {
    file,
    rules: normalizeRules(raw.rules ?? {}),
    overrides: (raw.overrides ?? []).map((override) => ({ repos: override.repos, rules: normalizeRules(override.rules as Record<string, unknown>) })),
    policies: raw.policies ?? [],
    conftest: raw.conftest ?? [],
    providers: raw.providers ?? [],
    ...(raw.waveBands ? { waveBands: raw.waveBands } : {}),
    ...(raw.scanners ? { scanners: raw.scanners } : {}),
    waivers: (raw.waivers ?? []).map((waiver, index) => ({ ...waiver, line: document ? locatePath(document, ['waivers', index]).range.startLine : 1 })),
  };
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
 */
function withoutAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  const alternatives = new Set(errors.filter((error) => error.keyword === 'anyOf').map((error) => error.instancePath));
  const kept = new Set<string>();
  return errors.filter((error) => {
    if (!alternatives.has(error.instancePath)) return true;
    if (error.keyword === 'anyOf' || kept.has(error.instancePath)) return false;
    kept.add(error.instancePath);
    return true;
  });
}

function lineNumber(problem: string): number {
  return Number(/^line (\d+)/.exec(problem)?.[1] ?? 0);
}

function describeSchemaError(error: ErrorObject, lineOf: (path: (string | number)[]) => number): string {
  const path: (string | number)[] = error.instancePath.split('/').slice(1).map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment.replace(/~1/g, '/').replace(/~0/g, '~')));
  const key = path.length > 0 ? path.join('.') : '(top level)';
  const line = lineOf(path);
  const params = error.params as Record<string, unknown>;
  let expected = error.message ?? 'is invalid';
  if (error.keyword === 'additionalProperties') {
    const name = String(params.additionalProperty);
    return `line ${lineOf([...path, name])}: ${key === '(top level)' ? '' : `${key}.`}${name}: unknown key${path[0] === 'rules' || path[2] === 'rules' ? ' (no rule has this id)' : ''}`;
  }
  if (error.keyword === 'enum') expected = `must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
  if (error.keyword === 'required') return `line ${line}: ${key}: missing required key ${String(params.missingProperty)}`;
  return `line ${line}: ${key}: ${expected}`;
}

import { globMatcher } from '../glob-matcher.js';
import type { Severity } from '../model/findings.js';
import type { CheckMeta } from './check.js';
import type { FleetlintConfig, RuleLevel } from './config-types.js';

export interface EffectiveRuleSetting {
  enabled: boolean;
  /** The severity that replaces the rule's default severity, when the config sets one. */
  severity?: Severity;
  options: Record<string, unknown>;
}

/**
 * Resolves a rule's setting for one repo: the top-level `rules:` entry, then every override whose repo
 * globs match, in order, each replacing the severity and merging options.
 */
export function ruleSettingFor(config: FleetlintConfig, meta: CheckMeta, repoId: string | undefined): EffectiveRuleSetting {
  let level: RuleLevel | undefined;
  let options: Record<string, unknown> = defaultOptions(meta);
  const apply = (setting: FleetlintConfig['rules'][string] | undefined): void => {
    if (!setting) return;
    if (setting.severity) level = setting.severity;
    if (setting.options) options = { ...options, ...setting.options };
  };
  apply(config.rules[meta.id]);
  if (repoId !== undefined) {
    for (const override of config.overrides) {
      if (globMatcher(override.repos)(repoId)) apply(override.rules[meta.id]);
    }
  }
  if (level === 'off') return { enabled: false, options };
  return level ? { enabled: true, severity: level, options } : { enabled: true, options };
}

/** Option defaults come from the `default` of each property in the rule's options schema. */
function defaultOptions(meta: CheckMeta): Record<string, unknown> {
  const properties = (meta.optionsSchema?.properties ?? {}) as Record<string, { default?: unknown }>;
  const result: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties)) {
    if (schema.default !== undefined) result[name] = structuredClone(schema.default);
  }
  return result;
}

/**
 * A configured severity replaces the rule's default severity; findings the rule itself raised or lowered
 * (a `note` for a placeholder secret) keep their own, since they carry a deliberate distinction.
 */
export function applySeverity(findingSeverity: Severity, meta: CheckMeta, setting: EffectiveRuleSetting): Severity {
  if (setting.severity && findingSeverity === meta.defaultSeverity) return setting.severity;
  return findingSeverity;
}

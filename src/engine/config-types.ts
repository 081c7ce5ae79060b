import type { Severity } from '../model/findings.js';
import type { ProviderRule } from '../model/dependencies/types.js';
import type { ScannerSetting } from '../model/gitlab-ci/scanners.js';

export type RuleLevel = Severity | 'off';

export interface RuleSetting {
  severity?: RuleLevel;
  options?: Record<string, unknown>;
}

export interface ConfigOverride {
  /** Repo-id globs (`applications/**`) the override applies to. */
  repos: string[];
  rules: Record<string, RuleSetting>;
}

export interface Waiver {
  rule: string;
  /** Repo-id glob. */
  repo: string;
  /** Repo-relative file glob; the whole repo when absent. */
  file?: string;
  reason: string;
  owner?: string;
  /** ISO date (YYYY-MM-DD) after which the waiver stops suppressing. */
  expires?: string;
  /** Line of the waiver in the config file (filled in when the config is read). */
  line?: number;
}

/**
 * A config after its presets (`extends:`) are merged in: presets first, in the order listed, then the file itself.
 * See docs/configuration.md, "Presets".
 */
export interface FleetlintConfig {
  /** The config file this came from, for messages; undefined for the built-in defaults. */
  file?: string;
  rules: Record<string, RuleSetting>;
  overrides: ConfigOverride[];
  /** Extra Rego policy folders or prebuilt bundles, relative to the config file. */
  policies: string[];
  /** Folders of conftest-style policies, run over every YAML document. */
  conftest: string[];
  /**
   * The provider table the model infers dependencies with: sync-wave-order's `providers` option as configured
   * (presets included) or its default. Set by the config loader; the model takes it without reading config.
   */
  providers: ProviderRule[];
  /** Security scanners of the fleet's own, recognised in CI scripts after the built-in table. */
  scanners?: ScannerSetting[];
  waivers: Waiver[];
}

export const EMPTY_CONFIG: FleetlintConfig = { rules: {}, overrides: [], policies: [], conftest: [], providers: [], waivers: [] };

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

/** A wave band: the apps (by name) or repos (by glob) that belong in waves min..max. */
export interface WaveBand {
  apps?: string[];
  repos?: string[];
  min: number;
  max?: number;
}

export interface FleetlintConfig {
  /** The config file this came from, for messages; undefined for the built-in defaults. */
  file?: string;
  rules: Record<string, RuleSetting>;
  overrides: ConfigOverride[];
  /** Extra Rego policy folders or prebuilt bundles, relative to the config file. */
  policies: string[];
  /** Folders of conftest-style policies, run over every YAML document. */
  conftest: string[];
  providers: ProviderRule[];
  /** Replaces the default wave-band table when given. */
  waveBands?: WaveBand[];
  /** Security scanners of the fleet's own, recognised in CI scripts after the built-in table. */
  scanners?: ScannerSetting[];
  waivers: Waiver[];
}

export const EMPTY_CONFIG: FleetlintConfig = { rules: {}, overrides: [], policies: [], conftest: [], providers: [], waivers: [] };

/** The fleet score: the share of repositories without an unsuppressed error. */
import { compareText } from '../../model/finding-order.js';
import type { Severity } from '../../model/findings.js';
import { FLEET_REPO, type SeverityCounts } from '../common.js';

export interface Score {
  /** 100 × clean repositories / repositories, one decimal; 100 for an empty fleet. */
  value: number;
  /** Repositories with no unsuppressed error. */
  clean: number;
  /** Repositories the score is over: every audited repository and every repository a finding names, not the fleet itself. */
  repos: number;
  bySeverity: SeverityCounts;
  suppressed: number;
}

export function scoreOf(repos: readonly string[], findings: readonly { repo: string; severity: Severity; suppressed: boolean }[]): Score {
  const counted = repos.filter((repo) => repo !== FLEET_REPO);
  const active = findings.filter((f) => !f.suppressed);
  const failing = new Set(active.filter((f) => f.severity === 'error').map((f) => f.repo));
  const clean = counted.filter((repo) => !failing.has(repo)).length;
  const bySeverity: SeverityCounts = { error: 0, warning: 0, note: 0 };
  for (const finding of active) bySeverity[finding.severity] += 1;
  return {
    value: counted.length === 0 ? 100 : Math.round((1000 * clean) / counted.length) / 10,
    clean,
    repos: counted.length,
    bySeverity,
    suppressed: findings.length - active.length,
  };
}

/** The same repo list reportRepos gives, for a previous report. */
export function reportReposOf(listed: readonly string[], named: readonly string[]): string[] {
  const known = new Set(listed);
  return [...listed, ...[...new Set(named.filter((repo) => !known.has(repo)))].sort(compareText)];
}

/**
 * What a change does to the findings: the repository checked at two states (a merge request's base and head, a
 * commit's HEAD and its staged content), with the rest of the fleet the same on both sides. `mr` and the
 * pre-commit hooks (`lint --since HEAD`) both report what this computes: findings the change adds.
 */
import type { Check } from '../engine/check.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import type { RunResult } from '../engine/runner.js';
import type { Finding } from '../model/findings.js';
import type { FileSource } from '../sources/file-source.js';
import { consumersIn } from './blast-radius.js';
import { CachedSource, type FleetContext } from './fleet-context.js';
import { checkRepos, loadFleetWith } from './repo-run.js';

export interface ChangeOutcome {
  /** New findings (not suppressed): this repo's, and with consumers theirs. */
  added: Finding[];
  /** Findings the change removes. */
  fixed: Finding[];
  /** Consumers checked, with why they consume this repo; undefined when not asked for or without fleet facts. */
  consumers?: Map<string, Set<string>>;
  /** Rule ids that were not checked for want of fleet facts (from the skip notes). */
  skipped: string[];
  /** The run at the new state (its rules, for the reports). */
  head: RunResult;
}

export interface ChangeRun {
  context: FleetContext;
  /** The checked repository's id and folder. */
  target: { id: string; dir: string };
  base: FileSource;
  head: FileSource;
  config: FleetlintConfig;
  checks: readonly Check[];
  /** Also check the repositories that consume this one (include its templates, deploy its files). */
  withConsumers: boolean;
}

export async function checkChange(run: ChangeRun): Promise<ChangeOutcome> {
  const { context, target, config, checks } = run;
  // The rest of the fleet is the same on both sides: read once.
  const shared: FleetContext = { ...context, repos: context.repos.map((repo) => ({ id: repo.id, source: new CachedSource(repo.source) })) };
  const headFleet = await loadFleetWith(shared, target.id, run.head, target.dir, config);
  const baseFleet = await loadFleetWith(shared, target.id, run.base, target.dir, config);
  const fleetLoaded = context.mode !== 'none';
  const consumers = fleetLoaded && run.withConsumers ? consumersIn([headFleet, baseFleet], target.id) : undefined;
  const repoIds = new Set([target.id, ...(consumers?.keys() ?? [])]);
  const options = { repoIds, target: target.id, checks, config, fleetLoaded };
  const headResult = await checkRepos(headFleet, options);
  const baseResult = await checkRepos(baseFleet, options);

  // A rule skipped on either side (no fleet facts) is not compared: its findings on the other side are no news.
  const skipped = new Set([...skippedRules(baseResult), ...skippedRules(headResult)]);
  const { added, fixed } = compareRuns(baseResult, headResult);
  const compared = (finding: Finding): boolean => !(finding.repo === target.id && skipped.has(finding.ruleId));
  return {
    added: added.filter(compared),
    fixed: fixed.filter(compared),
    ...(consumers ? { consumers } : {}),
    skipped: [...skipped].sort(),
    head: headResult,
  };
}

/** New findings (in head, not in base, by fingerprint; suppressed ones never count) and fixed ones (gone from head). */
export function compareRuns(base: RunResult, head: RunResult): { added: Finding[]; fixed: Finding[] } {
  const active = (findings: readonly Finding[]): Finding[] => findings.filter((finding) => !finding.suppression);
  const baseActive = new Set(active(base.findings).map((finding) => finding.fingerprint));
  const headAll = new Set(head.findings.map((finding) => finding.fingerprint));
  return {
    added: active(head.findings).filter((finding) => !baseActive.has(finding.fingerprint)),
    fixed: active(base.findings).filter((finding) => !headAll.has(finding.fingerprint)),
  };
}

/** Rules a run left out for want of fleet facts: the ones its skip notes name. */
export function skippedRules(result: RunResult): string[] {
  return result.findings.filter((finding) => finding.data?.kind === 'skipped').map((finding) => finding.ruleId);
}

import type { Check } from '../engine/check.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import { runChecks, type RunResult } from '../engine/runner.js';
import { loadFleet } from './load-fleet.js';
import type { Fleet } from '../model/types.js';
import type { Finding } from '../model/findings.js';
import { globMatcher } from '../glob-matcher.js';
import type { FileSource } from '../sources/file-source.js';
import { applyCrossRepoPlan, planCrossRepo } from './cross-repo.js';
import { withTarget, type FleetContext } from './fleet-context.js';
import type { RenderSetting } from './render-phase.js';
import { localTags } from './open-fleet.js';

/**
 * The fleet as the checked repo sees it: the context's other repos, and this repo read from `source`, rendered
 * with `render` (without fleet facts, sources in other repositories are left unrendered without a note).
 */
export function loadFleetWith(context: FleetContext, id: string, source: FileSource, fallbackRoot: string, config: FleetlintConfig, render: RenderSetting, timings?: Record<string, number>): Promise<Fleet> {
  return loadFleet({
    root: context.location ?? fallbackRoot,
    settings: context.settings,
    repos: context.mode === 'none' ? [{ id, source }] : withTarget(context, id, source),
    diagnostics: context.diagnostics,
    providers: config.providers,
    // A fleet root's template repos have their tags (the ref a proposed include pins); a snapshot has none.
    ...(context.mode === 'root' ? { tagsOf: (ids: readonly string[]) => localTags(ids, (repoId) => context.folders.get(repoId)?.dir) } : {}),
    ...(config.scanners ? { scanners: config.scanners } : {}),
    render: 'off' in render || context.mode !== 'none' ? render : { ...render, partialFleet: true },
    ...(timings ? { timings } : {}),
  });
}

/**
 * Runs the checks on some repos of a fleet (the checked repo, and for a merge request the repos that consume
 * it). Without fleet facts the cross-repo checks are left out with a note each. Fleet-level findings (repo `.`,
 * such as a bad fleet.yaml) belong to the audit and are left out, except a check that failed and an expired
 * waiver of a checked repo (its findings come back here too, so the reason must be said here too).
 */
export async function checkRepos(fleet: Fleet, options: { repoIds: ReadonlySet<string>; target: string; checks: readonly Check[]; config: FleetlintConfig; fleetLoaded: boolean }): Promise<RunResult> {
  const plan = planCrossRepo(
    fleet.repos.find((repo) => repo.id === options.target),
    options.checks,
    options.fleetLoaded,
  );
  const result = await runChecks({ fleet, checks: plan.checks, config: options.config, repoIds: options.repoIds });
  const applied = applyCrossRepoPlan(result, plan, options.config);
  const expiredHere = (finding: Finding): boolean => {
    const repos = finding.data?.kind === 'expired-waiver' ? finding.data.repos : undefined;
    return typeof repos === 'string' && [...options.repoIds].some((id) => globMatcher(repos)(id));
  };
  return { ...applied, findings: applied.findings.filter((finding) => finding.repo !== '.' || finding.ruleId === 'internal-error' || expiredHere(finding)) };
}

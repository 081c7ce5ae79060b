/**
 * What an audit does not check when some repos of the fleet could not be read (a clone that failed and had no
 * earlier copy). Their consumers are not reported on as if those repos were empty: a pipeline that includes jobs
 * from one is not checked by the checks that need the whole pipeline, and the checks that compare repositories
 * across the fleet are not run. Each gets a "not checked" note, so that a report tells what it could not check
 * from what was fixed.
 */
import { posix } from 'node:path';
import { isRepoCheck, type Check, type CheckMeta } from '../engine/check.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import { fingerprintAll } from '../engine/fingerprint.js';
import { ruleSettingFor } from '../engine/rule-settings.js';
import { runChecks, type RunOptions, type RunResult } from '../engine/runner.js';
import { compareFindings } from '../model/finding-order.js';
import type { FindingDraft } from '../model/findings.js';
import type { Fleet } from '../model/types.js';
import { PIPELINE_CHECKS } from './cross-repo.js';

export interface UnavailablePlan {
  /** Fleet-scope checks not run at all. */
  fleetChecks: Set<string>;
  /** Repo-scope checks whose findings on a repo are not reported, by repo id. */
  repoChecks: Map<string, Set<string>>;
  /** The loader's notes on includes of unavailable repos (`repo\0subject`), replaced by the plan's. */
  replaced: Set<string>;
  notes: FindingDraft[];
  /** Metadata of the checks the notes name. */
  metas: CheckMeta[];
}

/**
 * `unavailable`: the fleet repos that could not be read; `missingContent`: those of them that failed in a way that
 * may pass (a 503), which probably hold content: only they keep the fleet-wide checks from running.
 */
export function planUnavailable(fleet: Fleet, unavailable: ReadonlySet<string>, missingContent: ReadonlySet<string>, checks: readonly Check[]): UnavailablePlan {
  const plan: UnavailablePlan = { fleetChecks: new Set(), repoChecks: new Map(), replaced: new Set(), notes: [], metas: [] };
  if (unavailable.size === 0) return plan;
  const missing = [...missingContent].sort();
  const named = new Set<string>();
  const note = (meta: CheckMeta, repo: string, message: string, reason: string, repos: string[]): void => {
    if (!named.has(meta.id)) plan.metas.push(meta);
    named.add(meta.id);
    plan.notes.push({ ruleId: meta.id, severity: 'note', message, repo, subject: `skipped:${reason}`, help: meta.help, data: { kind: 'skipped', reason, repos } });
  };
  for (const check of checks) {
    if (isRepoCheck(check) || missing.length === 0) continue;
    plan.fleetChecks.add(check.meta.id);
    note(check.meta, '.', `not checked: ${check.meta.id} compares repositories across the fleet, and ${listed(missing)} could not be read`, 'incomplete-fleet', missing);
  }
  const pipelineChecks = checks.filter((check) => isRepoCheck(check) && PIPELINE_CHECKS.has(check.meta.id));
  for (const repo of fleet.repos) {
    const includes = (repo.ci?.includes ?? []).filter((include) => [include.resolvedRepo, include.viaRepo].some((id) => id !== undefined && unavailable.has(id)));
    const included = [...new Set(includes.flatMap((include) => [include.resolvedRepo, include.viaRepo]).filter((id): id is string => id !== undefined && unavailable.has(id)))].sort();
    if (included.length === 0) continue;
    plan.repoChecks.set(repo.id, new Set(pipelineChecks.map((check) => check.meta.id)));
    for (const check of pipelineChecks) {
      note(check.meta, repo.id, `not checked: the pipeline includes jobs from ${listed(included)}, which could not be read`, 'unavailable-includes', included);
    }
    // The loader's note on each such include is replaced by one marked as not checked.
    for (const include of includes) {
      const own = include.viaRepo === undefined;
      const target = own ? include.resolvedRepo : include.viaRepo;
      const file = posix.normalize(include.target.replace(/^\/+/, ''));
      for (const id of included) plan.replaced.add(`${repo.id}\u0000include:${id}:${file}`);
      plan.notes.push({
        ruleId: 'unresolved-include',
        severity: 'note',
        message: `included ${include.target} of ${target ?? ''} is not checked: the repository could not be read`,
        repo: repo.id,
        ...(own ? { file: include.origin.file, range: include.origin.range } : {}),
        subject: `unavailable-include:${target ?? ''}:${include.target}`,
        data: { kind: 'skipped', reason: 'unavailable-repo', repos: target === undefined ? [] : [target] },
      });
    }
  }
  return plan;
}

/** The run without the findings of what the plan leaves out, with its notes (for the checks the config enables). */
export function applyUnavailablePlan(result: RunResult, plan: UnavailablePlan, config: FleetlintConfig): RunResult {
  if (plan.notes.length === 0) return result;
  const skippedOn = (repo: string, ruleId: string): boolean => plan.fleetChecks.has(ruleId) || plan.repoChecks.get(repo)?.has(ruleId) === true;
  const known = new Set(result.rules.map((meta) => meta.id));
  const rules = [...result.rules, ...plan.metas.filter((meta) => !known.has(meta.id))].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const notes = plan.notes.filter((note) => {
    const meta = rules.find((rule) => rule.id === note.ruleId);
    // unresolved-include is a loader diagnostic, not a check: always reported.
    return meta === undefined || ruleSettingFor(config, meta, note.repo === '.' ? undefined : note.repo).enabled;
  });
  const kept = result.findings.filter((finding) => {
    if (skippedOn(finding.repo, finding.ruleId)) return false;
    if (finding.ruleId === 'unresolved-include' && plan.replaced.has(`${finding.repo}\u0000${finding.subject ?? ''}`)) return false;
    const named = finding.ruleId === 'unused-suppression' ? finding.data?.rules : undefined;
    return !(Array.isArray(named) && named.length > 0 && named.every((rule) => typeof rule === 'string' && skippedOn(finding.repo, rule)));
  });
  return { ...result, rules, findings: [...kept, ...fingerprintAll(notes.sort(compareFindings))].sort(compareFindings) };
}

function listed(ids: readonly string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')} and ${String(ids.length - 3)} more`;
}

/** runChecks over a fleet some of whose repos could not be read, with what they keep from being checked left out. */
export async function runChecksWithout(options: RunOptions, unavailable: ReadonlySet<string>, missingContent: ReadonlySet<string>): Promise<RunResult> {
  const plan = planUnavailable(options.fleet, unavailable, missingContent, options.checks);
  const result = await runChecks({ ...options, checks: options.checks.filter((check) => !plan.fleetChecks.has(check.meta.id)) });
  return applyUnavailablePlan(result, plan, options.config);
}

import type { Check, CheckMeta } from '../engine/check.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import { fingerprintAll } from '../engine/fingerprint.js';
import { ruleSettingFor } from '../engine/rule-settings.js';
import type { RunResult } from '../engine/runner.js';
import { compareFindings } from '../model/finding-order.js';
import type { FindingDraft } from '../model/findings.js';
import type { CiInclude } from '../model/gitlab-ci/types.js';
import type { Repo } from '../model/types.js';
import { FLEET_HINT } from './fleet-context.js';

/**
 * Repo-scope checks whose verdict depends on the whole resolved pipeline, included templates and all: with a
 * project include left unloaded, required-scans reports a scan missing that the template provides, and
 * ci-config a stage undeclared that the template sets (measured on fixtures/homelab: the only findings a
 * repo got alone and not in the audit).
 */
export const PIPELINE_CHECKS: ReadonlySet<string> = new Set(['required-scans', 'ci-config']);

/**
 * What a one-repo run without fleet facts leaves out, and the notes that say so. Without --fleet or
 * --snapshot fleetlint does not guess: fleet-scope checks are not run, project includes of other repos are
 * not resolved, and checks that need the included jobs are not run on a pipeline that has such includes.
 */
export interface CrossRepoPlan {
  /** The checks to run. */
  checks: Check[];
  /** Rule ids not run on the repo; their unused suppressions are not reported either. */
  skipped: Set<string>;
  /** Metadata of the checks not run: the notes name them, so reports still describe them. */
  skippedMetas: CheckMeta[];
  /** One note per skipped check and per unloaded included project. */
  notes: FindingDraft[];
  /** Subjects of the loader's own notes on the unloaded includes, replaced by `notes`. */
  replacedSubjects: Set<string>;
}

export function planCrossRepo(repo: Repo | undefined, checks: readonly Check[], fleetLoaded: boolean): CrossRepoPlan {
  const plan: CrossRepoPlan = { checks: [...checks], skipped: new Set(), skippedMetas: [], notes: [], replacedSubjects: new Set() };
  if (fleetLoaded || !repo) return plan;
  const skip = (meta: CheckMeta, message: string, reason: 'no-fleet' | 'unloaded-includes'): void => {
    if (!plan.skipped.has(meta.id)) plan.skippedMetas.push(meta);
    plan.skipped.add(meta.id);
    plan.notes.push({ ruleId: meta.id, severity: 'note', message, repo: repo.id, subject: `skipped:${reason}`, help: meta.help, data: { kind: 'skipped', reason } });
  };
  for (const check of checks) {
    if (check.meta.scope !== 'fleet') continue;
    skip(check.meta, `not checked: ${check.meta.id} compares repositories across the fleet; ${FLEET_HINT}`, 'no-fleet');
  }

  const unloaded = unloadedProjectIncludes(repo);
  if (unloaded.size > 0) {
    const projects = [...unloaded.keys()].sort();
    for (const check of checks) {
      if (check.meta.scope === 'fleet' || !PIPELINE_CHECKS.has(check.meta.id)) continue;
      skip(check.meta, `not checked: the pipeline includes jobs from ${projects.join(', ')}, which are not loaded; ${FLEET_HINT}`, 'unloaded-includes');
    }
    for (const project of projects) {
      const includes = unloaded.get(project) ?? [];
      const first = includes[0];
      if (!first) continue;
      for (const include of includes) plan.replacedSubjects.add(`include:project:${include.target}`);
      const files = [...new Set(includes.map((include) => include.target))].join(', ');
      plan.notes.push({
        ruleId: 'unresolved-include',
        severity: 'note',
        message: `included project ${project} (${files}) is another repository and is not loaded, so its jobs are not checked; ${FLEET_HINT}`,
        repo: repo.id,
        file: first.origin.file,
        range: first.origin.range,
        subject: `unloaded-project:${project}`,
      });
    }
  }
  plan.checks = checks.filter((check) => !plan.skipped.has(check.meta.id));
  return plan;
}

/**
 * The repo's own `include: project:` entries of other projects that were not resolved for want of the fleet
 * (not those left out by their rules or written with variables), by project path.
 */
function unloadedProjectIncludes(repo: Repo): Map<string, CiInclude[]> {
  const byProject = new Map<string, CiInclude[]>();
  for (const include of repo.ci?.includes ?? []) {
    if (include.type !== 'project' || include.resolved || include.skippedByRules || include.viaRepo !== undefined) continue;
    if (include.resolvedRepo !== undefined || include.project === undefined || include.project.includes('$') || include.target.includes('$')) continue;
    const list = byProject.get(include.project) ?? [];
    list.push(include);
    byProject.set(include.project, list);
  }
  return byProject;
}

/**
 * Adds the plan's notes to a run (for rules the config leaves enabled), drops the loader's notes they replace
 * and the unused-suppression warnings of rules that did not run.
 */
export function applyCrossRepoPlan(result: RunResult, plan: CrossRepoPlan, config: FleetlintConfig): RunResult {
  if (plan.notes.length === 0 && plan.skipped.size === 0) return result;
  const known = new Set(result.rules.map((meta) => meta.id));
  const rules = [...result.rules, ...plan.skippedMetas.filter((meta) => !known.has(meta.id))].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const metaById = new Map(rules.map((meta) => [meta.id, meta]));
  const notes = plan.notes.filter((note) => {
    const meta = metaById.get(note.ruleId);
    return meta === undefined || ruleSettingFor(config, meta, note.repo).enabled;
  });
  const kept = result.findings.filter((finding) => {
    if (finding.ruleId === 'unresolved-include' && finding.subject !== undefined && plan.replacedSubjects.has(finding.subject)) return false;
    const rules = finding.ruleId === 'unused-suppression' ? finding.data?.rules : undefined;
    if (Array.isArray(rules) && rules.length > 0 && rules.every((rule) => typeof rule === 'string' && plan.skipped.has(rule))) return false;
    return true;
  });
  return { ...result, rules, findings: [...kept, ...fingerprintAll(notes.sort(compareFindings))].sort(compareFindings) };
}

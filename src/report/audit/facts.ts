/**
 * What the audit report needs from the model beyond the run result (repo kinds, pipelines, Applications and their
 * inferred dependencies, the scan categories required where), as a plain snapshot: the reporters see no model.
 */
import { compareText } from '../../model/finding-order.js';
import type { Fleet, RepoKind } from '../../model/types.js';

export interface FleetFacts {
  /** Every repository of the model, sorted by id. */
  repos: RepoFacts[];
  /** Every ArgoCD Application, sorted by repo then name. */
  applications: AppFacts[];
  /** Application dependencies the model inferred, sorted. */
  dependencies: DependencyFacts[];
}

export interface RepoFacts {
  id: string;
  kinds: RepoKind[];
  /** The repo has a `.gitlab-ci.yml`. */
  pipeline: boolean;
  /** The other repos whose CI files its pipeline includes (CI templates), nested includes too; sorted. */
  ciTemplateRepos?: string[];
  /**
   * Scan categories required-scans requires of this repo (from its kinds and the rule's effective `requirements`
   * option, whether or not it has a pipeline); absent when the rule is off for it.
   */
  requiredScans?: string[];
}

export interface AppFacts {
  repo: string;
  name: string;
  wave: number;
  waveValid: boolean;
}

export interface DependencyFacts {
  fromRepo: string;
  from: string;
  toRepo: string;
  to: string;
  capability: string;
}

/** Scan categories per repo kind, as required-scans' `requirements` option has them; `pipeline`: every pipeline. */
export type ScanRequirements = Readonly<Record<string, readonly string[]>>;

/** The categories required of a repo with these kinds; `pipeline` lists what every pipeline needs. */
export function requiredScanCategories(kinds: readonly string[], requirements: ScanRequirements): string[] {
  const required = new Set(requirements.pipeline ?? []);
  for (const kind of kinds) for (const category of requirements[kind] ?? []) required.add(category);
  return [...required].sort(compareText);
}

/**
 * The facts the audit report draws from the model. `requirementsFor` gives the required-scans `requirements`
 * in force for a repo (the rule's effective options: its defaults, config and overrides), or undefined when the
 * rule is off there.
 */
export function fleetFacts(fleet: Fleet, requirementsFor: (repoId: string) => ScanRequirements | undefined): FleetFacts {
  const repos = fleet.repos.map((repo): RepoFacts => {
    const requirements = requirementsFor(repo.id);
    const templates = [...new Set((repo.ci?.includes ?? []).flatMap((include) => [include.resolvedRepo, include.viaRepo]))]
      .filter((id): id is string => id !== undefined && id !== repo.id)
      .sort(compareText);
    return {
      id: repo.id,
      kinds: [...repo.kinds],
      pipeline: repo.ci !== undefined,
      ...(templates.length > 0 ? { ciTemplateRepos: templates } : {}),
      ...(requirements ? { requiredScans: requiredScanCategories(repo.kinds, requirements) } : {}),
    };
  });
  const applications = fleet.repos.flatMap((repo) =>
    repo.argocd.applications.map((app): AppFacts => ({ repo: repo.id, name: app.name, wave: app.wave, waveValid: app.waveValid })),
  );
  applications.sort((a, b) => compareText(a.repo, b.repo) || compareText(a.name, b.name));
  const dependencies = fleet.dependencies.map((d): DependencyFacts => ({ fromRepo: d.fromRepo, from: d.from, toRepo: d.toRepo, to: d.to, capability: d.capability }));
  dependencies.sort((a, b) => compareText(appKey(a.fromRepo, a.from), appKey(b.fromRepo, b.from)) || compareText(appKey(a.toRepo, a.to), appKey(b.toRepo, b.to)) || compareText(a.capability, b.capability));
  return { repos, applications, dependencies };
}

/** An Application's key in the audit report: `repo#name`. */
export function appKey(repo: string, name: string): string {
  return `${repo}#${name}`;
}

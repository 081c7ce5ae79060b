import type { Fleet } from '../model/types.js';

/**
 * The repos that consume `id`, each with why: their pipeline includes its CI files (directly or through
 * another template), an Application of theirs deploys a path or values file of it, or one of their
 * Applications depends on one of its Applications (so its sync wave matters to them). A change to `id` can
 * break these repos without touching them: a merge request checks them too.
 */
export function consumersOf(fleet: Fleet, id: string): Map<string, Set<string>> {
  const consumers = new Map<string, Set<string>>();
  const add = (repo: string, reason: string): void => {
    if (repo === id) return;
    const reasons = consumers.get(repo) ?? new Set<string>();
    reasons.add(reason);
    consumers.set(repo, reasons);
  };
  for (const repo of fleet.repos) {
    for (const include of repo.ci?.includes ?? []) {
      if (include.resolvedRepo === id) add(repo.id, `includes ${include.target}`);
      else if (include.viaRepo === id) add(repo.id, `includes ${include.target} through ${id}`);
    }
    for (const app of repo.argocd.applications) {
      for (const source of app.sources) {
        if (source.fleetRepo === id) add(repo.id, `Application ${app.name} deploys ${source.path ?? source.chart ?? source.repoURL ?? id}`);
      }
    }
  }
  for (const dependency of fleet.dependencies) {
    if (dependency.toRepo === id) add(dependency.fromRepo, `Application ${dependency.from} depends on ${dependency.to}`);
  }
  return consumers;
}

/** The consumers of `id` in any of the fleets (the merge-request base and head), reasons merged. */
export function consumersIn(fleets: readonly Fleet[], id: string): Map<string, Set<string>> {
  const merged = new Map<string, Set<string>>();
  for (const fleet of fleets) {
    for (const [repo, reasons] of consumersOf(fleet, id)) merged.set(repo, new Set([...(merged.get(repo) ?? []), ...reasons]));
  }
  return new Map([...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

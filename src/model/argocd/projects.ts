import { posix } from 'node:path';
import type { ArgoAppProject, ArgoApplication } from './types.js';

/** The AppProject an Application is checked against, or why there is none to check against. */
export type ProjectLookup =
  | { kind: 'found'; project: ArgoAppProject }
  /** No AppProject of that name anywhere in the fleet. */
  | { kind: 'missing' }
  /** Several could be the one (same name, as near as each other): which ArgoCD instance reads the app is unknown. */
  | { kind: 'ambiguous'; projects: ArgoAppProject[] };

/**
 * Finds an Application's AppProject (`spec.project`, `default` when unset) among the fleet's, as the ArgoCD
 * instance that syncs it would: AppProject names are unique per instance, but one fleet often holds several
 * instances' trees (a folder per cluster, a repo per cluster) with projects of the same name. Until the fleet
 * says which instance reads which tree, the instance is guessed from where the files are:
 *
 * - projects of that name in the Application's own repo come first, and among them the one whose file shares
 *   the longest folder prefix with the Application's (`clusters/a/apps/x.yaml` takes `clusters/a/projects.yaml`
 *   over `clusters/b/projects.yaml`); a tie is ambiguous;
 * - else the one project of that name in the fleet; several in other repos are ambiguous.
 *
 * This is the one place that decides it, so that a definition of ArgoCD instances can replace it.
 */
export function appProjectLookup(projects: readonly ArgoAppProject[]): (app: ArgoApplication) => ProjectLookup {
  const byName = new Map<string, ArgoAppProject[]>();
  for (const project of projects) {
    const named = byName.get(project.name);
    if (named) named.push(project);
    else byName.set(project.name, [project]);
  }
  return (app) => {
    const candidates = byName.get(app.project ?? 'default') ?? [];
    if (candidates.length === 0) return { kind: 'missing' };
    const sameRepo = candidates.filter((project) => project.origin.repo === app.origin.repo);
    if (sameRepo.length === 0) return candidates.length === 1 && candidates[0] ? { kind: 'found', project: candidates[0] } : { kind: 'ambiguous', projects: candidates };
    const appDir = posix.dirname(app.origin.file);
    let best: ArgoAppProject[] = [];
    let bestLength = -1;
    for (const project of sameRepo) {
      const length = sharedFolders(appDir, posix.dirname(project.origin.file));
      if (length > bestLength) {
        best = [project];
        bestLength = length;
      } else if (length === bestLength) {
        best.push(project);
      }
    }
    return best.length === 1 && best[0] ? { kind: 'found', project: best[0] } : { kind: 'ambiguous', projects: best };
  };
}

/** How many leading folders two repo folders (`.` for the root) have in common. */
function sharedFolders(a: string, b: string): number {
  const left = a === '.' ? [] : a.split('/');
  const right = b === '.' ? [] : b.split('/');
  let shared = 0;
  while (shared < left.length && shared < right.length && left[shared] === right[shared]) shared++;
  return shared;
}

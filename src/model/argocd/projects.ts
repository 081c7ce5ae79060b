import { posix } from 'node:path';
import type { ArgoAppProject, ArgoApplication } from './types.js';

/** The AppProject an Application is checked against, or why there is none to check against. */
export type ProjectLookup =
  | { kind: 'found'; project: ArgoAppProject }
  /** No AppProject of that name anywhere in the fleet. */
  | { kind: 'missing' }
  /** Several could be the one (same name, as near as each other): which ArgoCD instance reads the app is unknown. */
  | { kind: 'ambiguous'; projects: ArgoAppProject[] }
  /** None of that name in the Application's ArgoCD instance; those of other instances are different projects. */
  | { kind: 'other-instance'; instance: string; projects: ArgoAppProject[] };

/** The ArgoCD instance of each Application and AppProject (see `fleetInstances`). */
export interface ProjectInstances {
  application: (app: ArgoApplication) => string;
  project: (project: ArgoAppProject) => string;
}

/**
 * Finds an Application's AppProject (`spec.project`, `default` when unset) among the fleet's, as the ArgoCD
 * instance that syncs it would: AppProject names are unique per instance, but one fleet often holds several
 * instances' trees (a folder per cluster, a repo per cluster) with projects of the same name. Where the fleet does
 * not say which instance reads which tree, the project is guessed from where the files are:
 *
 * - projects of that name in the Application's own repo come first, and among them the one whose file shares
 *   the longest folder prefix with the Application's (`clusters/a/apps/x.yaml` takes `clusters/a/projects.yaml`
 *   over `clusters/b/projects.yaml`); a tie is ambiguous;
 * - else the one project of that name in the fleet; several in other repos are ambiguous.
 *
 * With `instances` (the fleet names its ArgoCD instances), only the projects of the Application's own instance are
 * candidates, and the guess above chooses among them: a project of that name in another instance's tree is a
 * different project. Without it, the whole fleet is one instance.
 */
export function appProjectLookup(projects: readonly ArgoAppProject[], instances?: ProjectInstances): (app: ArgoApplication) => ProjectLookup {
  const byName = new Map<string, ArgoAppProject[]>();
  const byInstance = new Map<string, ArgoAppProject[]>();
  for (const project of projects) {
    append(byName, project.name, project);
    if (instances) append(byInstance, `${instances.project(project)}\0${project.name}`, project);
  }
  return (app) => {
    const name = app.project ?? 'default';
    const instance = instances?.application(app);
    const candidates = (instance === undefined ? byName.get(name) : byInstance.get(`${instance}\0${name}`)) ?? [];
    if (candidates.length === 0) {
      const elsewhere = instance === undefined ? [] : (byName.get(name) ?? []);
      return instance !== undefined && elsewhere.length > 0 ? { kind: 'other-instance', instance, projects: elsewhere } : { kind: 'missing' };
    }
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

function append(map: Map<string, ArgoAppProject[]>, key: string, project: ArgoAppProject): void {
  const list = map.get(key);
  if (list) list.push(project);
  else map.set(key, [project]);
}

/** How many leading folders two repo folders (`.` for the root) have in common. */
function sharedFolders(a: string, b: string): number {
  const left = a === '.' ? [] : a.split('/');
  const right = b === '.' ? [] : b.split('/');
  let shared = 0;
  while (shared < left.length && shared < right.length && left[shared] === right[shared]) shared++;
  return shared;
}

import { globMatcher } from '../../glob-matcher.js';
import type { ArgoAppProject, ArgoApplication } from '../argocd/types.js';
import type { Repo } from '../types.js';

/** An ArgoCD instance a fleet names (fleet.yaml `argocd.instances`): the Applications whose tree starts in its paths. */
export interface ArgoInstanceSetting {
  name: string;
  /** Globs over `<repo id>/<file>` of a root or loose Application's manifest. */
  paths: string[];
}

/** The instance every root or loose Application belongs to when the fleet names no instance that matches it. */
export const DEFAULT_INSTANCE = '';

/**
 * Which ArgoCD instance syncs an Application: the instance of the root of its app-of-apps tree (`ancestors`),
 * else its own. A root or loose Application's instance is the first of the fleet's `argocd.instances` whose paths
 * match its manifest (`<repo>/<file>`), else the default instance: one ArgoCD for everything the fleet does not
 * split. A tree's members follow their root wherever their files are: the root's ArgoCD syncs them.
 */
function instanceResolver(
  instances: readonly ArgoInstanceSetting[] | undefined,
  fileOf: (repo: string, name: string) => string | undefined,
): (repo: string, app: ArgoApplication) => string {
  const instanceAt = instancePaths(instances);
  return (repo, app) => {
    const root = app.ancestors?.at(-1);
    return root ? instanceAt(root.repo, fileOf(root.repo, root.name) ?? '') : instanceAt(repo, app.origin.file);
  };
}

/** The ArgoCD instance of each Application and each AppProject of a fleet. */
export interface FleetInstances {
  application: (repo: string, app: ArgoApplication) => string;
  /**
   * An AppProject belongs to the instance of the Application whose render produced it; a static one to the
   * instance whose paths match its manifest, like a loose Application's (the paths name a folder tree), else to
   * the default instance.
   */
  project: (project: ArgoAppProject) => string;
}

export function fleetInstances(repos: readonly Repo[], instances: readonly ArgoInstanceSetting[] | undefined): FleetInstances {
  const apps = new Map<string, ArgoApplication>();
  for (const repo of repos) for (const app of repo.argocd.applications) if (!apps.has(`${repo.id}\0${app.name}`)) apps.set(`${repo.id}\0${app.name}`, app);
  const application = instanceResolver(instances, (repo, name) => apps.get(`${repo}\0${name}`)?.origin.file);
  const instanceAt = instancePaths(instances);
  return {
    application,
    project: (project) => {
      const by = project.renderedBy;
      const renderer = by ? apps.get(`${by.repo}\0${by.name}`) : undefined;
      return by && renderer ? application(by.repo, renderer) : instanceAt(project.origin.repo, project.origin.file);
    },
  };
}

/** The first instance whose paths match `<repo>/<file>`, else the default one. */
function instancePaths(instances: readonly ArgoInstanceSetting[] | undefined): (repo: string, file: string) => string {
  const matchers = (instances ?? []).map((instance) => ({ name: instance.name, matches: globMatcher(instance.paths, { dot: true }) }));
  return (repo, file) => {
    if (matchers.length === 0) return DEFAULT_INSTANCE;
    const path = `${repo}/${file}`;
    return matchers.find((matcher) => matcher.matches(path))?.name ?? DEFAULT_INSTANCE;
  };
}

import { globMatcher } from '../../glob-matcher.js';
import type { ArgoApplication } from '../argocd/types.js';

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
export function instanceResolver(
  instances: readonly ArgoInstanceSetting[] | undefined,
  fileOf: (repo: string, name: string) => string | undefined,
): (repo: string, app: ArgoApplication) => string {
  const matchers = (instances ?? []).map((instance) => ({ name: instance.name, matches: globMatcher(instance.paths, { dot: true }) }));
  const rootInstance = (repo: string, file: string): string => {
    if (matchers.length === 0) return DEFAULT_INSTANCE;
    const path = `${repo}/${file}`;
    return matchers.find((matcher) => matcher.matches(path))?.name ?? DEFAULT_INSTANCE;
  };
  return (repo, app) => {
    const root = app.ancestors?.at(-1);
    return root ? rootInstance(root.repo, fileOf(root.repo, root.name) ?? '') : rootInstance(repo, app.origin.file);
  };
}

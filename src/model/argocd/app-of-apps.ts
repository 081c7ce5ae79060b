import type { Repo } from '../types.js';
import type { AppRef, ArgoApplication } from './types.js';
import { manifestFilter } from './source-files.js';

/** Which Application deploys which, as the render phase found it (src/render/facts.ts). */
export interface KnownAppOfApps {
  parents: ReadonlyMap<ArgoApplication, { repo: string; app: ArgoApplication }>;
  /** Applications whose children are all in `parents`: their sources are not read statically. */
  covered: ReadonlySet<ArgoApplication>;
}

/**
 * Links the app-of-apps tree: an Application whose source (a fleet repo and path, read as ArgoCD reads it) holds
 * another Application's manifest is that Application's parent. Sets `ancestors` (parent first, up to the root) on
 * every Application that has a parent; the first parent by repo id and name wins when several deploy the same
 * manifest, and a cycle stops the chain. What rendering knows (`known`) comes first: the Applications a Helm
 * chart or kustomization renders, and the exact files a rendered directory reads; the static reading of the
 * sources fills in for the Applications rendering did not cover.
 */
export function assignAppOfAppsAncestors(repos: readonly Repo[], known?: KnownAppOfApps): void {
  const reposById = new Map(repos.map((repo) => [repo.id, repo]));
  const parents = new Map<ArgoApplication, { repo: string; app: ArgoApplication }>(known?.parents ?? []);
  const owners = [...repos].sort((a, b) => compare(a.id, b.id));
  for (const owner of owners) {
    for (const parent of [...owner.argocd.applications].sort((a, b) => compare(a.name, b.name))) {
      if (known?.covered.has(parent) === true) continue;
      for (const source of parent.sources) {
        const target = source.fleetRepo === undefined ? undefined : reposById.get(source.fleetRepo);
        if (!target) continue;
        const reads = manifestFilter(source, target);
        for (const child of target.argocd.applications) {
          if (child !== parent && !parents.has(child) && reads(child.origin.file)) parents.set(child, { repo: owner.id, app: parent });
        }
      }
    }
  }
  for (const repo of repos) {
    for (const app of repo.argocd.applications) {
      const chain: AppRef[] = [];
      const seen = new Set<ArgoApplication>([app]);
      for (let parent = parents.get(app); parent && !seen.has(parent.app); parent = parents.get(parent.app)) {
        seen.add(parent.app);
        chain.push({ repo: parent.repo, name: parent.app.name });
      }
      if (chain.length > 0) app.ancestors = chain;
      else delete app.ancestors;
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

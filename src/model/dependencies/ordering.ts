import type { AppRef } from '../argocd/types.js';
import type { AppDependency } from './types.js';

/** The two Applications whose sync waves order a dependency: `from` must sync in a later wave than `to`. */
export interface WaveOrder {
  from: AppRef;
  to: AppRef;
}

/** An Application in its app-of-apps tree. */
export interface TreeApp extends AppRef {
  /** Its app-of-apps chain, parent first, up to the root (`ArgoApplication.ancestors`). */
  ancestors?: readonly AppRef[];
}

/**
 * Which two Applications' waves decide whether `from` syncs after `to`. ArgoCD orders by wave only among the
 * Applications one parent deploys: where one app-of-apps tree holds both apps, the waves that count are those of
 * their ancestors (or themselves) that are siblings under their lowest common ancestor. Apps in no common tree
 * are ordered by their own waves (one global order). `undefined` when one app is the other's ancestor: it
 * deploys the other, and no wave orders them.
 */
export function waveOrder(from: TreeApp, to: TreeApp): WaveOrder | undefined {
  const fromPath = pathToRoot(from);
  const toPath = pathToRoot(to);
  const toIndex = new Map<string, number>();
  toPath.forEach((app, index) => {
    if (!toIndex.has(keyOf(app))) toIndex.set(keyOf(app), index);
  });
  for (const [index, app] of fromPath.entries()) {
    const toIndexOfCommon = toIndex.get(keyOf(app));
    if (toIndexOfCommon === undefined) continue;
    // The first app on `from`'s path that is on `to`'s too is their lowest common ancestor (or one of them).
    const fromBranch = index > 0 ? fromPath[index - 1] : undefined;
    const toBranch = toIndexOfCommon > 0 ? toPath[toIndexOfCommon - 1] : undefined;
    return fromBranch && toBranch ? { from: fromBranch, to: toBranch } : undefined;
  }
  return { from: { repo: from.repo, name: from.name }, to: { repo: to.repo, name: to.name } };
}

/** What the orders read of a repo (a `Repo`): its id, and its Applications' names and ancestors. */
export interface RepoApps {
  id: string;
  argocd: { applications: readonly { name: string; ancestors?: readonly AppRef[] }[] };
}

/**
 * `waveOrder` for every dependency, in the dependencies' order, from the ancestors `assignAppOfAppsAncestors`
 * gave the fleet's Applications.
 */
export function dependencyWaveOrders(
  dependencies: readonly Pick<AppDependency, 'fromRepo' | 'from' | 'toRepo' | 'to'>[],
  repos: readonly RepoApps[],
): (WaveOrder | undefined)[] {
  const ancestors = new Map<string, readonly AppRef[]>();
  for (const repo of repos) {
    for (const app of repo.argocd.applications) {
      const key = keyOf({ repo: repo.id, name: app.name });
      if (!ancestors.has(key)) ancestors.set(key, app.ancestors ?? []);
    }
  }
  const treeApp = (repo: string, name: string): TreeApp => ({ repo, name, ancestors: ancestors.get(keyOf({ repo, name })) ?? [] });
  return dependencies.map((dependency) => waveOrder(treeApp(dependency.fromRepo, dependency.from), treeApp(dependency.toRepo, dependency.to)));
}

/** The app itself, then its ancestors up to the root. */
function pathToRoot(app: TreeApp): AppRef[] {
  return [{ repo: app.repo, name: app.name }, ...(app.ancestors ?? []).map((ancestor) => ({ repo: ancestor.repo, name: ancestor.name }))];
}

function keyOf(app: AppRef): string {
  return `${app.repo}\u0000${app.name}`;
}

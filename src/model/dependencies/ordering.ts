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
  /** The ApplicationSet that generates it (`ArgoApplication.generatedBy`). */
  generatedBy?: AppRef;
}

/**
 * Which two Applications' waves decide whether `from` syncs after `to`. ArgoCD orders by wave only among the
 * Applications one parent deploys: where one app-of-apps tree holds both apps, the waves that count are those of
 * their ancestors (or themselves) that are siblings under their lowest common ancestor. Apps in no common tree
 * are ordered by their own waves (one global order). `undefined` when one app is the other's ancestor: it
 * deploys the other, and no wave orders them; and when one ApplicationSet generates both: its controller creates
 * its Applications together, whatever their waves say (only a progressive sync would order them).
 */
export function waveOrder(from: TreeApp, to: TreeApp): WaveOrder | undefined {
  if (from.generatedBy && to.generatedBy && from.generatedBy.repo === to.generatedBy.repo && from.generatedBy.name === to.generatedBy.name) return undefined;
  const fromPath = pathToRoot(from);
  const toPath = pathToRoot(to);
  // The first app on `from`'s path that is on `to`'s too is their lowest common ancestor (or one of them).
  // Paths are a few apps long: a search beats building an index.
  for (const [index, app] of fromPath.entries()) {
    const toIndex = toPath.findIndex((candidate) => candidate.repo === app.repo && candidate.name === app.name);
    if (toIndex < 0) continue;
    const fromBranch = index > 0 ? fromPath[index - 1] : undefined;
    const toBranch = toIndex > 0 ? toPath[toIndex - 1] : undefined;
    return fromBranch && toBranch ? { from: fromBranch, to: toBranch } : undefined;
  }
  return { from: { repo: from.repo, name: from.name }, to: { repo: to.repo, name: to.name } };
}

/** What the orders read of a repo (a `Repo`): its id, and its Applications' names and ancestors. */
export interface RepoApps {
  id: string;
  argocd: { applications: readonly { name: string; ancestors?: readonly AppRef[]; generatedBy?: AppRef }[] };
}

/**
 * `waveOrder` for every dependency, in the dependencies' order, from the ancestors `assignAppOfAppsAncestors`
 * gave the fleet's Applications.
 */
export function dependencyWaveOrders(
  dependencies: readonly Pick<AppDependency, 'fromRepo' | 'from' | 'toRepo' | 'to'>[],
  repos: readonly RepoApps[],
): (WaveOrder | undefined)[] {
  // Ancestors and generating ApplicationSet by repo, then name.
  const trees = new Map<string, Map<string, Pick<TreeApp, 'ancestors' | 'generatedBy'>>>();
  for (const repo of repos) {
    const byName = new Map<string, Pick<TreeApp, 'ancestors' | 'generatedBy'>>();
    for (const app of repo.argocd.applications) if (!byName.has(app.name)) byName.set(app.name, { ancestors: app.ancestors ?? [], ...(app.generatedBy ? { generatedBy: app.generatedBy } : {}) });
    trees.set(repo.id, byName);
  }
  const treeApp = (repo: string, name: string): TreeApp => ({ repo, name, ancestors: [], ...trees.get(repo)?.get(name) });
  return dependencies.map((dependency) => waveOrder(treeApp(dependency.fromRepo, dependency.from), treeApp(dependency.toRepo, dependency.to)));
}

/** The app itself, then its ancestors up to the root. */
function pathToRoot(app: TreeApp): readonly AppRef[] {
  return [{ repo: app.repo, name: app.name }, ...(app.ancestors ?? [])];
}

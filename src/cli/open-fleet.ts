import { resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { discoverLocalFleet } from '../crawl/local.js';
import { WorkingTreeSource } from '../sources/working-tree.js';
import { loadFleet } from '../model/load-fleet.js';
import type { Fleet } from '../model/types.js';
import type { ProviderRule } from '../model/dependencies/types.js';
import { UsageError } from './usage-error.js';

/** Discovers and loads a fleet from a local folder (repos by `.git` folders or `fleet.yaml`). */
export async function openLocalFleet(rootArgument: string, providers: readonly ProviderRule[], timings: Record<string, number>): Promise<Fleet> {
  const root = resolve(rootArgument);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`fleet root ${rootArgument} is not a folder`);
  let started = performance.now();
  const local = await discoverLocalFleet(root);
  timings.discover = performance.now() - started;
  if (local.repos.length === 0 && local.diagnostics.length === 0) {
    throw new UsageError(`no repositories found under ${rootArgument}: expected folders with .git, or a fleet.yaml listing them`);
  }
  started = performance.now();
  const fleet = await loadFleet({
    root,
    settings: local.settings,
    repos: local.repos.map((repo) => ({ id: repo.id, source: new WorkingTreeSource(repo.dir, { boundary: root, nestedRepoDirs: repo.nestedRepoDirs }) })),
    diagnostics: local.diagnostics,
    providers,
  });
  timings.model = performance.now() - started;
  return fleet;
}

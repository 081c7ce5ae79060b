/**
 * The checks phase of `audit`: the runner over an opened fleet (or a shard's slice of it), replaying what the build
 * threads evaluated and, with a results cache, what an earlier run evaluated on repos that have not changed since.
 */
import { isRepoCheck, type Check } from '../engine/check.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import type { RunResult } from '../engine/runner.js';
import { toolVersion } from '../package.js';
import { threadsFor } from './build-in-threads.js';
import type { OpenedFleet } from './open-fleet.js';
import type { RunProgress } from './progress.js';
import { runChecksWithout } from './unavailable.js';
import { checksHash, readResultsCache, repoResultsKey, RepoResults, resultsBase, writeResultsCache, type CachedRepoResults } from './repo-results.js';

export interface AuditChecksOptions {
  config: FleetlintConfig;
  checks: readonly Check[];
  /** Threads checks may use (policies evaluated ahead); default: threadsFor(the number of repos). */
  threads?: number | undefined;
  /**
   * The incremental results cache to read and write. A repo whose HEAD, included repos' HEADs, checks and settings
   * match the cache reuses its repo-scope results. Only clones have a HEAD that says what is in them; a local
   * working tree is always evaluated.
   */
  cacheFile?: string | undefined;
  /** Only the repo-scope checks: a shard's fragment carries those, and the fleet-wide ones run once, in the merge. */
  repoScopeOnly?: boolean;
  progress?: RunProgress | undefined;
  /** Told why the results cache could not be used. */
  onCacheProblem?: (problem: string) => void;
  /** Milliseconds of the runner are added here as `checks`. */
  timings?: Record<string, number>;
}

export interface AuditChecks {
  result: RunResult;
  /** What each repo-scope check reported on each repo (to hand on in a fragment), and how many were reused. */
  results: RepoResults;
  /** checksHash() of this run's checks: a fragment carries it, and the cache is keyed by it. */
  checksHash: string;
  /**
   * Writes the incremental results cache, when the run has one: after the reports, since a cache that cannot be
   * written (a full disk, no permission) costs only the next run's time. Returns why it could not be written.
   */
  saveCache: () => Promise<string | undefined>;
}

export async function auditChecks(opened: OpenedFleet, options: AuditChecksOptions): Promise<AuditChecks> {
  const { fleet } = opened;
  const { config, progress } = options;
  const hash = await checksHash(toolVersion(), config, options.checks);
  const base = resultsBase(hash, fleet.settings);
  const cache = options.cacheFile !== undefined ? await readResultsCache(options.cacheFile) : undefined;
  if (cache?.problem !== undefined) options.onCacheProblem?.(cache.problem);
  const keys = new Map<string, string>();
  for (const repo of fleet.repos) {
    if (!opened.checked.has(repo.id)) continue;
    const key = repoResultsKey(repo, base, (id) => opened.heads.get(id));
    if (key !== undefined) keys.set(repo.id, key);
  }
  const rendered = new Set(fleet.repos.filter((repo) => repo.renderDigest !== undefined).map((repo) => repo.id));
  const checks = options.repoScopeOnly === true ? options.checks.filter(isRepoCheck) : options.checks;
  const toCheck = checks.filter(isRepoCheck).length * opened.checked.size;
  let checked = 0;
  const results = new RepoResults({
    stored: (id) => {
      const entry = cache?.entries.get(id);
      return entry !== undefined && entry.key === keys.get(id) ? entry.checks : undefined;
    },
    // A build thread checked the repo before the render phase: not what the runner would check when rendering added facts.
    evaluatedElsewhere: (id) => (rendered.has(id) ? undefined : opened.threadResults.get(id)),
    onChecked: (count) => {
      progress?.update({ checked: (checked += count), toCheck });
    },
  });
  progress?.update({ checked: 0, toCheck }, 'checking');
  const started = performance.now();
  const result = await runChecksWithout(
    {
      fleet,
      checks,
      config,
      threads: options.threads ?? threadsFor(fleet.repos.length),
      stored: results,
      ...(opened.shard ? { repoIds: opened.checked } : {}),
    },
    opened.unavailable,
    opened.missingContent,
  );
  if (options.timings) options.timings.checks = (options.timings.checks ?? 0) + performance.now() - started;
  const saveCache = async (): Promise<string | undefined> => {
    if (options.cacheFile === undefined) return undefined;
    const entries = new Map<string, CachedRepoResults>();
    for (const [id, key] of keys) {
      const recorded = results.recorded(id);
      if (recorded) entries.set(id, { key, checks: recorded });
    }
    try {
      await writeResultsCache(options.cacheFile, entries);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
  return { result, results, checksHash: hash, saveCache };
}

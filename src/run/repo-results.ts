/**
 * Repo-scope check results kept between runs and carried between machines.
 *
 * A repo-scope check's reports depend on its repo's model, the fleet settings, its options, and the repos its
 * CI includes (templates). The nightly audit reuses them for a repo whose inputs are unchanged (the incremental
 * cache), a shard job hands them to the merge job (the fragment), and a build thread hands them to the main thread.
 * All three work the same way: the runner asks RepoResults for a stored result made with the options it would use
 * and evaluates the rest itself (engine/repo-checks.ts checkRepo, the function the build thread ran too). The
 * runner does everything else with them, so a replayed run gives the same findings, byte for byte, as a fresh one.
 * Fleet-scope checks always run.
 */
import { readdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../write-atomic.js';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Check } from '../engine/check.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import type { StoredResults } from '../engine/runner.js';
import type { FleetSettings, Repo } from '../model/types.js';
import { builtinPolicyPaths } from '../package.js';
import { hashOf, stableJson, type RepoCheckResults, type StoredCheckResult } from '../engine/repo-checks.js';

export type { RepoCheckResults, StoredCheckResult } from '../engine/repo-checks.js';
export { hashOf, stableJson } from '../engine/repo-checks.js';

export interface RepoResultsStats {
  /** Repo-scope check evaluations that ran. */
  evaluated: number;
  /** Repo-scope check evaluations answered from stored reports. */
  reused: number;
}

export interface RepoResultsOptions {
  /** Stored reports for a repo, when its inputs are unchanged (incremental) or a shard made them (merge). */
  stored?: (repoId: string) => RepoCheckResults | undefined;
  /** Reports evaluated earlier in this run, where the repo was built (build threads); they count as evaluated. */
  evaluatedElsewhere?: (repoId: string) => RepoCheckResults | undefined;
  /** Called after each repo with the number of its repo-scope evaluations, run or reused: for progress. */
  onChecked?: (count: number) => void;
}

/** The runner's StoredResults: what the cache, the fragments or the build threads hold; and what this run made. */
export class RepoResults implements StoredResults {
  readonly stats: RepoResultsStats = { evaluated: 0, reused: 0 };
  readonly #recorded = new Map<string, RepoCheckResults>();
  readonly #options: RepoResultsOptions;

  constructor(options: RepoResultsOptions = {}) {
    this.#options = options;
  }

  find(repoId: string, checkId: string, optionsHash: string): StoredCheckResult | undefined {
    const stored = this.#options.stored?.(repoId)?.[checkId];
    if (stored?.options === optionsHash) return stored;
    const elsewhere = this.#options.evaluatedElsewhere?.(repoId)?.[checkId];
    return elsewhere?.options === optionsHash ? elsewhere : undefined;
  }

  checked(repoId: string, found: RepoCheckResults, evaluated: RepoCheckResults): void {
    const results = { ...found, ...evaluated };
    const count = Object.keys(results).length;
    const stored = this.#options.stored?.(repoId);
    const reused = Object.entries(found).filter(([checkId, result]) => stored?.[checkId] === result).length;
    this.stats.reused += reused;
    this.stats.evaluated += count - reused;
    if (count > 0) this.#recorded.set(repoId, results);
    this.#options.onChecked?.(count);
  }

  /**
   * What the repo-scope checks reported for a repo in this run (run or reused), by check id, to keep or hand on. A
   * check that threw is left out: the runner reported it, and the next run (or the merge) tries again.
   */
  recorded(repoId: string): RepoCheckResults | undefined {
    const results = this.#recorded.get(repoId);
    if (!results) return undefined;
    return Object.fromEntries(Object.entries(results).filter(([, result]) => !('error' in result)));
  }
}


// --- what the checks are ----------------------------------------------------------------------------------------

/**
 * A hash of everything that decides what the checks do, besides their options and the model: fleetlint's version
 * (the TypeScript rules), the shipped policy bundle, the bytes of every custom policy and conftest folder, and the
 * check ids. Fragments made with another one cannot be merged, and a cache made with another one is not reused.
 */
export async function checksHash(toolVersion: string, config: FleetlintConfig, checks: readonly Check[]): Promise<string> {
  const parts: string[] = [toolVersion, stableJson(checks.map((check) => [check.meta.id, check.meta.scope, check.meta.implementation]))];
  const bundle = await readFile(builtinPolicyPaths().bundle).catch(() => Buffer.alloc(0));
  parts.push(hashOf(bundle));
  const base = config.file ? dirname(config.file) : process.cwd();
  for (const folder of [...config.policies, ...config.conftest]) {
    const root = resolve(base, folder);
    const files = await filesUnder(root);
    // A prebuilt bundle named directly (not a folder) is hashed as one file.
    const entries = files.length > 0 ? files : [''];
    for (const file of entries) {
      const bytes = await readFile(file === '' ? root : join(root, file)).catch(() => Buffer.alloc(0));
      parts.push(`${folder}/${file}:${hashOf(bytes)}`);
    }
  }
  return hashOf(parts.join('\u0000'));
}

/** Every file under a folder, relative and sorted; none for a file or a missing folder. */
async function filesUnder(root: string): Promise<string[]> {
  try {
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'))
      .sort();
  } catch {
    return [];
  }
}

// --- the incremental cache -------------------------------------------------------------------------------------

/** What a repo's repo-scope results depend on, besides the checks: settings and fleetlint's own version. */
export function resultsBase(checks: string, settings: FleetSettings): string {
  return hashOf(stableJson({ format: RESULTS_CACHE_VERSION, checks, settings }));
}

/**
 * The cache key of a repo's repo-scope results: its HEAD, and for every CI include its resolution and the HEAD of
 * the repo it comes from (a template in platform/ci-templates changes what every including repo's pipeline runs),
 * the cross-repo facts of its Applications (app-of-apps ancestors, which fleet repo a source names), and the digest
 * of what the render phase added to it.
 * Undefined when a HEAD is unknown (a local working tree, which may be dirty): such a repo is always evaluated.
 */
export function repoResultsKey(repo: Repo, base: string, headOf: (repoId: string) => string | undefined): string | undefined {
  const head = headOf(repo.id);
  if (head === undefined) return undefined;
  const includes = (repo.ci?.includes ?? []).map((include) => [
    include.type,
    include.target,
    include.project ?? null,
    include.ref ?? null,
    include.resolved,
    include.resolvedRepo ?? null,
    include.viaRepo ?? null,
    include.conditional ?? false,
    include.skippedByRules ?? false,
  ]);
  const deps = [...new Set((repo.ci?.includes ?? []).flatMap((include) => [include.resolvedRepo, include.viaRepo]).filter((id): id is string => id !== undefined && id !== repo.id))].sort();
  const depHeads: [string, string][] = [];
  for (const dep of deps) {
    const depHead = headOf(dep);
    if (depHead === undefined) return undefined;
    depHeads.push([dep, depHead]);
  }
  const apps = repo.argocd.applications.map((app) => [app.name, (app.ancestors ?? []).map((ancestor) => `${ancestor.repo}#${ancestor.name}`), app.sources.map((source) => source.fleetRepo ?? null)]);
  // What rendering added here depends on other repos' files (values, charts): its digest stands for them.
  return hashOf(JSON.stringify([base, head, includes, depHeads, apps, repo.renderDigest ?? null]));
}

export const RESULTS_CACHE_FILE = '.fleetlint-results.json.gz';
const RESULTS_CACHE_FORMAT = 'fleetlint-repo-results';
// 2: reports name a fact in another repo by its origin; the runner places them at the include.
const RESULTS_CACHE_VERSION = 2;

export interface CachedRepoResults {
  key: string;
  checks: RepoCheckResults;
}

/** Reads the cache; a missing, unreadable or outdated one is an empty cache (and a reason, for a warning). */
export async function readResultsCache(path: string): Promise<{ entries: Map<string, CachedRepoResults>; problem?: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: new Map() };
    return { entries: new Map(), problem: `cannot be read: ${(error as Error).message}` };
  }
  try {
    const value = JSON.parse((await promisify(gunzip)(bytes)).toString('utf8')) as { format?: unknown; version?: unknown; repos?: unknown };
    if (value.format !== RESULTS_CACHE_FORMAT || value.version !== RESULTS_CACHE_VERSION || typeof value.repos !== 'object' || value.repos === null) {
      return { entries: new Map(), problem: 'is from another fleetlint version' };
    }
    const entries = new Map<string, CachedRepoResults>();
    for (const [id, entry] of Object.entries(value.repos as Record<string, unknown>)) {
      const candidate = entry as Partial<CachedRepoResults> | null;
      if (typeof candidate?.key === 'string' && typeof candidate.checks === 'object') entries.set(id, { key: candidate.key, checks: candidate.checks });
    }
    return { entries };
  } catch (error) {
    return { entries: new Map(), problem: `is damaged: ${(error as Error).message}` };
  }
}

/** Writes the cache atomically: a run killed halfway leaves the previous cache, never half a file. */
export async function writeResultsCache(path: string, entries: ReadonlyMap<string, CachedRepoResults>): Promise<void> {
  const repos = Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  await writeFileAtomic(path, await promisify(gzip)(JSON.stringify({ format: RESULTS_CACHE_FORMAT, version: RESULTS_CACHE_VERSION, repos })));
}

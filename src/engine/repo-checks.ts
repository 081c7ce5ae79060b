/**
 * A repo's repo-scope checks, evaluated as plain data. `checkRepo` is the one way a repo is checked: the runner
 * calls it on the main thread, a build thread calls it on the repo it has just built, and what either made can be
 * kept (the incremental cache), carried to another machine (a shard's fragment) and replayed by the runner when it
 * was made with the options the run would use (src/run/repo-results.ts).
 */
import { createHash } from 'node:crypto';
import type { CheckReport, RepoCheck } from './check.js';
import type { FleetSettings, Repo } from '../model/types.js';

/** One check's outcome on one repo, with the options it was made with. */
export type StoredCheckResult =
  | {
      /** Hash of the check's effective options for this repo (config and overrides applied). */
      options: string;
      reports: CheckReport[];
    }
  /** The check threw: the runner reports it as an `internal-error`; never kept between runs. */
  | { options: string; error: string };

/** By check id. */
export type RepoCheckResults = Record<string, StoredCheckResult>;

/** A check to run on a repo, with the options it runs with there. */
export interface PlannedCheck {
  check: RepoCheck;
  options: Readonly<Record<string, unknown>>;
}

/** JSON with object keys sorted, so equal values hash equally whatever order they were built in. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    return Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

export function hashOf(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

const optionsHashes = new WeakMap<object, string>();

/** Options objects are never changed once made, and repos with the same settings share one: hashed once each. */
export function optionsHash(options: Readonly<Record<string, unknown>>): string {
  let hash = optionsHashes.get(options);
  if (hash === undefined) optionsHashes.set(options, (hash = hashOf(stableJson(options))));
  return hash;
}

/** A deep copy through JSON: what a cache file or a fragment gives back. */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Runs the planned checks on one repo, in order. Reports are kept as JSON holds them, so that a fresh result and a
 * replayed one hand the runner the same data; a check that throws gives its error message instead. The time each
 * check took is added to `timings` by check id.
 */
export async function checkRepo(planned: readonly PlannedCheck[], repo: Repo, settings: FleetSettings, timings?: Record<string, number>): Promise<RepoCheckResults> {
  const results: RepoCheckResults = {};
  for (const { check, options } of planned) {
    const started = performance.now();
    const hash = optionsHash(options);
    try {
      results[check.meta.id] = { options: hash, reports: plain(await check.run({ repo, settings, options })) };
    } catch (error) {
      results[check.meta.id] = { options: hash, error: error instanceof Error ? error.message : String(error) };
    }
    if (timings) timings[check.meta.id] = (timings[check.meta.id] ?? 0) + performance.now() - started;
  }
  return results;
}

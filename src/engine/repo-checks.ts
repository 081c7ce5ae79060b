/**
 * Repo-scope check results as plain data: what the incremental cache keeps, what a shard hands to the merge, and
 * what a build thread computes for the repos it builds. The runner replays them (src/run/repo-results.ts) when
 * they were made with the options the run would use.
 */
import { createHash } from 'node:crypto';
import type { Check, CheckReport } from './check.js';
import type { FleetlintConfig } from './config-types.js';
import { ruleSettingFor } from './rule-settings.js';
import type { Fleet, Repo } from '../model/types.js';

/** One check's reports for one repo, with the options they were made with. */
export interface StoredCheckResult {
  /** Hash of the check's effective options for this repo (config and overrides applied). */
  options: string;
  reports: CheckReport[];
}

/** By check id. */
export type RepoCheckResults = Record<string, StoredCheckResult>;

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
 * Evaluates repo-scope checks on one repo as the runner would (config severity and overrides decide which run and
 * with what options). A check that throws is left out: the runner evaluates it again and reports the failure.
 */
export async function evaluateRepoChecks(checks: readonly Check[], config: FleetlintConfig, fleet: Fleet, repo: Repo): Promise<RepoCheckResults> {
  const results: RepoCheckResults = {};
  for (const check of checks) {
    if (check.meta.scope !== 'repo') continue;
    const setting = ruleSettingFor(config, check.meta, repo.id);
    if (!setting.enabled) continue;
    try {
      results[check.meta.id] = { options: optionsHash(setting.options), reports: plain(await check.run({ fleet, repo, options: setting.options })) };
    } catch {
      // Not recorded: the runner evaluates it again.
    }
  }
  return results;
}

/**
 * What leaves fleetlint besides findings (the runner redacts those): the printed model, the audit report's facts,
 * snapshots, shard fragments and the repo-scope results they carry. Everything goes through src/secrets/mask.ts,
 * the same detectors no-secrets reports with: `redactSecrets` for text that is printed, `maskFileSecrets` for file
 * texts that are stored and parsed again.
 */
import type { RepoCheckResults } from '../engine/repo-checks.js';
import type { Repo, RepoFile } from '../model/types.js';
import { maskFileSecrets, redactSecrets } from '../secrets/mask.js';

/** A JSON-like value with every string (keys too) redacted; the same object when nothing changed. */
export function redactDeep<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = value.map(redactValue);
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  const entries = Object.entries(value).map(([key, item]): [string, unknown] => [redactSecrets(key), redactValue(item)]);
  return entries.some(([key, item]) => !(key in value) || item !== (value as Record<string, unknown>)[key]) ? Object.fromEntries(entries) : value;
}

/** A repo file's text as it may be stored outside the clone: its secrets masked (the same length, the same structure). */
export function maskedText(repo: Repo, file: RepoFile): Promise<string | undefined> {
  if (file.text === undefined) return Promise.resolve(undefined);
  return maskFileSecrets(file.path, file.text, repo.yaml.get(file.path));
}

/** Stored repo-scope results with their messages, subjects and data redacted as the runner would redact them. */
export function redactedResults(results: RepoCheckResults): RepoCheckResults {
  const redacted: RepoCheckResults = {};
  for (const [checkId, result] of Object.entries(results)) {
    redacted[checkId] =
      'error' in result
        ? { ...result, error: redactSecrets(result.error) }
        : {
            ...result,
            reports: result.reports.map((report) => ({
              ...report,
              message: redactSecrets(report.message),
              ...(report.subject !== undefined ? { subject: redactSecrets(report.subject) } : {}),
              ...(report.data !== undefined ? { data: redactDeep(report.data) } : {}),
            })),
          };
  }
  return redacted;
}

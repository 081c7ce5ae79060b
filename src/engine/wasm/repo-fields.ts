import type { Repo } from '../../model/types.js';
import { repoJson } from '../../model/policy-input.js';

/** What to keep of a JSON value: all of it, or some of its keys (of each element, in an array). */
type Selection = true | Map<string, Selection>;

/**
 * The repo as a policy that declares these `custom.repoFields` reads it. Without them, every field. Else `id`
 * and the fields named, where a dotted path keeps only part of a field: `ci.jobs.name` keeps of `ci` only its
 * `jobs`, and of each job only its `name` (a path goes through every element of an array on its way).
 */
export function repoReader(fields: readonly string[] | undefined): (repo: Repo) => Record<string, unknown> {
  if (!fields) return (repo) => repoJson(repo);
  const selection = new Map<string, Selection>([['id', true]]);
  for (const field of fields) select(selection, field.split('.').filter((key) => key !== ''));
  const topLevel = [...selection.keys()];
  if ([...selection.values()].every((inner) => inner === true)) return (repo) => repoJson(repo, topLevel);
  return (repo) => pick(repoJson(repo, topLevel), selection) as Record<string, unknown>;
}

function select(selection: Map<string, Selection>, path: readonly string[]): void {
  const [key, ...rest] = path;
  if (key === undefined) return;
  const current = selection.get(key);
  if (rest.length === 0) {
    selection.set(key, true);
  } else if (current !== true) {
    const inner = current ?? new Map<string, Selection>();
    selection.set(key, inner);
    select(inner, rest);
  }
}

function pick(value: unknown, selection: Selection): unknown {
  if (selection === true || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => pick(item, selection));
  const record = value as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const [key, inner] of selection) if (Object.hasOwn(record, key)) picked[key] = pick(record[key], inner);
  return picked;
}

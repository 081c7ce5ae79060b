import type { CiEntry, CiMap } from './node.js';

/**
 * GitLab's deep merge (ActiveSupport `deep_merge`), used for includes and for `extends`: maps merge key by key,
 * recursively; anything else in `over` (a list, a scalar, `null`) replaces what `base` had. A `null` therefore
 * survives the merge and means "unset" to the job (GitLab's documented way to drop an inherited key).
 * Each entry keeps the origin of the side it came from; a merged map takes the overriding side's origin.
 */
export function deepMerge(base: CiMap, over: CiMap): CiMap {
  if (base.entries.size === 0) return over;
  if (over.entries.size === 0) return { ...base, origin: over.origin };
  const entries = new Map<string, CiEntry>(base.entries);
  for (const [key, entry] of over.entries) {
    const previous = entries.get(key);
    if (previous?.value.kind === 'map' && entry.value.kind === 'map') {
      // An empty hash adds nothing: the content, and so the origin, stay the base's.
      const origin = entry.value.entries.size === 0 ? previous.origin : entry.origin;
      entries.set(key, { value: deepMerge(previous.value, entry.value), origin });
    } else {
      entries.set(key, entry);
    }
  }
  return { kind: 'map', entries, origin: over.origin };
}

/** A copy of `map` without some keys (the `include:` of a file once it has been expanded). */
export function withoutKeys(map: CiMap, keys: readonly string[]): CiMap {
  if (!keys.some((key) => map.entries.has(key))) return map;
  const entries = new Map(map.entries);
  for (const key of keys) entries.delete(key);
  return { ...map, entries };
}

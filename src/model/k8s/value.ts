import type { DocPath } from '../findings.js';

/** Helpers for reading the plain JavaScript value of a YAML document without trusting its shape. */

export type PlainMap = Record<string, unknown>;

export function isMap(value: unknown): value is PlainMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path`, or undefined when any step is missing or of the wrong shape. */
export function valueAt(value: unknown, path: DocPath): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (!isMap(current)) return undefined;
      current = current[segment];
    }
  }
  return current;
}

export function stringAt(value: unknown, path: DocPath): string | undefined {
  const found = valueAt(value, path);
  return typeof found === 'string' ? found : undefined;
}

export function mapAt(value: unknown, path: DocPath): PlainMap | undefined {
  const found = valueAt(value, path);
  return isMap(found) ? found : undefined;
}

/** Only the string items of a list; anything else yields an empty list. */
export function stringsAt(value: unknown, path: DocPath): string[] {
  const found = valueAt(value, path);
  return Array.isArray(found) ? found.filter((item): item is string => typeof item === 'string') : [];
}

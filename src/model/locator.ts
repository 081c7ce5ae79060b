import type { DocPath } from './findings.js';
import { originAt, type FactOrigin } from './origin.js';
import { scalarTextAt } from './k8s/scalar.js';
import { valueAt } from './k8s/value.js';
import type { YamlDocument } from './yaml/parse.js';

/**
 * Where the parts of a value are, for extractors that walk values from anywhere: a YAML document, the inline
 * values string of an Application, an Application an ApplicationSet generates, an object a renderer made.
 * Paths are relative to the value walked.
 */
export interface ValueLocator {
  /** Where the node at `path` is. */
  at(path: DocPath): FactOrigin;
  /** The scalar at `path` as written (a tag `1.10` is text, not the number 1.1); undefined for none. */
  text(path: DocPath): string | undefined;
}

/** The value at `base` of a parsed document (the whole document by default). */
export function documentLocator(repo: string, document: YamlDocument, base: DocPath = []): ValueLocator {
  return {
    at: (path) => originAt(repo, document, [...base, ...path]),
    text: (path) => scalarTextAt(document, [...base, ...path]),
  };
}

/** A value with no source text of its own (generated or rendered): texts are its scalars, origins `at` gives. */
export function plainLocator(value: unknown, at: (path: DocPath) => FactOrigin): ValueLocator {
  return { at, text: (path) => scalarText(valueAt(value, path)) };
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

import { posix } from 'node:path';
import { objectsOf } from './manifests.js';
import type { DirectorySpec } from './app-spec.js';
import type { RepoIndex } from './repo-index.js';

/** The extensions ArgoCD reads in a plain directory. */
const MANIFEST_FILE = /\.(?:ya?ml|json|jsonnet)$/;
/** A file that carries this text is not read as manifests. */
const SKIP_MARKER = '+argocd:skip-file-rendering';

export interface DirectoryObject {
  value: Record<string, unknown>;
  repo: string;
  file: string;
  /** Index of the YAML document in the file (0 for JSON). */
  docIndex: number;
}

export interface DirectoryRead {
  objects: DirectoryObject[];
  /** `.jsonnet` files ArgoCD would evaluate and fleetlint does not. */
  jsonnet: string[];
}

/**
 * A plain directory as ArgoCD's repo-server reads it: the folder's YAML and JSON files (its subfolders too
 * with `recurse`), filtered by `include` and `exclude` (globs on the path relative to the folder, where `*`
 * crosses slashes, as ArgoCD's glob library has no separator), files with the skip marker left out. The
 * objects are the model's parsed documents, so they keep their real lines. Broken documents are left to the
 * model's parse-error findings.
 */
export function readDirectory(index: RepoIndex, dir: string, spec: DirectorySpec | undefined): DirectoryRead {
  const include = spec?.include === undefined ? undefined : gobwasGlob(spec.include);
  const exclude = spec?.exclude === undefined ? undefined : gobwasGlob(spec.exclude);
  const objects: DirectoryObject[] = [];
  const jsonnet: string[] = [];
  for (const file of index.filesUnder(dir)) {
    const relative = dir === '.' ? file : file.slice(dir.length + 1);
    if (spec?.recurse !== true && relative.includes('/')) continue;
    if (!MANIFEST_FILE.test(posix.basename(file))) continue;
    if (exclude?.test(relative) === true) continue;
    if (include !== undefined && !include.test(relative)) continue;
    const text = index.text(file);
    if (text === undefined || text.includes(SKIP_MARKER)) continue;
    if (file.endsWith('.jsonnet')) {
      jsonnet.push(file);
      continue;
    }
    if (file.endsWith('.json')) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      for (const object of objectsOf(value)) objects.push({ value: object, repo: index.id, file, docIndex: 0 });
      continue;
    }
    for (const document of index.documents(file)) {
      if (document.broken) continue;
      for (const object of objectsOf(document.value)) objects.push({ value: object, repo: index.id, file, docIndex: document.index });
    }
  }
  return { objects, jsonnet };
}

/**
 * A glob as github.com/gobwas/glob reads it without separators: `*` is any text (slashes too), `?` one
 * character, `[abc]`/`[!abc]` classes, `{a,b}` alternatives, `\` escapes. No JavaScript glob library has
 * these semantics (they all stop `*` at a slash), so the pattern is turned into a regular expression here.
 */
export function gobwasGlob(pattern: string): RegExp {
  let source = '';
  let depth = 0;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern.charAt(index);
    if (char === '\\' && index + 1 < pattern.length) {
      source += escapeRegExp(pattern.charAt(++index));
    } else if (char === '*') {
      source += '.*';
    } else if (char === '?') {
      source += '.';
    } else if (char === '[') {
      const close = pattern.indexOf(']', index + 2);
      if (close === -1) {
        source += '\\[';
        continue;
      }
      let body = pattern.slice(index + 1, close);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      index = close;
    } else if (char === '{') {
      depth++;
      source += '(?:';
    } else if (char === '}' && depth > 0) {
      depth--;
      source += ')';
    } else if (char === ',' && depth > 0) {
      source += '|';
    } else {
      source += escapeRegExp(char);
    }
  }
  source += ')'.repeat(depth);
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

import { posix } from 'node:path';
import { isMap } from '../model/k8s/value.js';
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
  /**
   * YAML files ArgoCD skips: a document in them is not a Kubernetes object (no `kind`: Helm values, a CI file)
   * and the file does not look like a manifest, so the repo-server ignores the whole file.
   */
  ignored: string[];
  /**
   * The first file ArgoCD fails on: a document that is not a Kubernetes object in a file that has objects
   * before it or looks like a manifest (`apiVersion:`, `kind:` and `metadata:` in its text). The Application
   * then fails to render.
   */
  failure?: { file: string; message: string };
  /** Manifest files below the folder that are not read because `directory.recurse` is off. */
  inSubfolders: string[];
}

/**
 * A plain directory as ArgoCD's repo-server reads it (`findManifests` and `getObjsFromYAMLOrJSON` in
 * reposerver/repository/repository.go): the folder's YAML and JSON files (its subfolders too with `recurse`),
 * filtered by `include` and `exclude` (globs on the path relative to the folder, where `*` crosses slashes, as
 * ArgoCD's glob library has no separator), files with the skip marker left out. A YAML file is read document
 * by document until one is not an object with a `kind`: such a file is skipped whole when nothing was read
 * from it and its text does not look like a manifest, and fails the render otherwise. The objects are the
 * model's parsed documents, so they keep their real lines. Broken documents end a file like ArgoCD's decoder
 * does, but they are the model's parse-error findings, not a failure here.
 */
export function readDirectory(index: RepoIndex, dir: string, spec: DirectorySpec | undefined): DirectoryRead {
  const include = spec?.include === undefined ? undefined : gobwasGlob(spec.include);
  const exclude = spec?.exclude === undefined ? undefined : gobwasGlob(spec.exclude);
  const read: DirectoryRead = { objects: [], jsonnet: [], ignored: [], inSubfolders: [] };
  for (const file of index.filesUnder(dir)) {
    const relative = dir === '.' ? file : file.slice(dir.length + 1);
    if (!MANIFEST_FILE.test(posix.basename(file))) continue;
    if (exclude?.test(relative) === true) continue;
    if (include !== undefined && !include.test(relative)) continue;
    const text = index.text(file);
    if (text === undefined || text.includes(SKIP_MARKER)) continue;
    if (spec?.recurse !== true && relative.includes('/')) {
      if (index.documents(file).some((document) => !document.broken && objectsOf(document.value).length > 0)) read.inSubfolders.push(file);
      continue;
    }
    if (file.endsWith('.jsonnet')) {
      read.jsonnet.push(file);
      continue;
    }
    if (file.endsWith('.json')) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      for (const object of objectsOf(value)) read.objects.push({ value: object, repo: index.id, file, docIndex: 0 });
      continue;
    }
    const documents = index.documents(file);
    // A template (`{{ }}`, kept as text by the model) is not read here: it is no manifest until rendered.
    if (documents.length === 0) continue;
    const objects: DirectoryObject[] = [];
    let problem: string | undefined;
    let broken = false;
    for (const document of documents) {
      if (document.broken) {
        broken = true;
        break;
      }
      if (document.value === null || document.value === undefined) continue;
      if (!isMap(document.value) || typeof document.value.kind !== 'string' || document.value.kind === '') {
        problem = isMap(document.value) ? `Object 'Kind' is missing in document ${String(document.index + 1)}` : `document ${String(document.index + 1)} is not an object`;
        break;
      }
      for (const object of objectsOf(document.value)) objects.push({ value: object, repo: index.id, file, docIndex: document.index });
    }
    if (problem !== undefined && (objects.length > 0 || looksLikeManifest(text))) {
      read.failure ??= { file, message: `Failed to unmarshal "${posix.basename(file)}": ${problem}` };
    } else if ((problem !== undefined || broken) && objects.length === 0) {
      if (problem !== undefined) read.ignored.push(file);
      continue;
    }
    read.objects.push(...objects);
  }
  return read;
}

/** ArgoCD's test for a YAML file that fails to decode: an error when it looks like a manifest, else skipped. */
function looksLikeManifest(text: string): boolean {
  return text.includes('apiVersion:') && text.includes('kind:') && text.includes('metadata:');
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

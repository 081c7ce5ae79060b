import { posix } from 'node:path';
import type { DocPath } from '../model/findings.js';
import { isMap, valueAt, type PlainMap } from '../model/k8s/value.js';
import { originAt } from '../model/origin.js';
import { readSource, type AppSourceSpec } from './app-spec.js';
import type { AppTask } from './context.js';
import { yamlValue } from './inputs.js';
import type { RepoIndex } from './repo-index.js';

/** The fields an override file cannot change, as in ArgoCD's mergeSourceParameters. */
const KEPT = ['chart', 'path', 'repoURL', 'targetRevision'] as const;

/**
 * `.argocd-source.yaml` and `.argocd-source-<app>.yaml` in the source's folder (what argocd-image-updater's git
 * write-back and `argocd app set` write), merged into the source as JSON merge patches in that order, as ArgoCD's
 * repo-server does before it decides the source's type. A field an override set is located in the override file.
 */
export function applySourceOverrides(index: RepoIndex, dir: string, task: AppTask, source: AppSourceSpec): { task: AppTask; source: AppSourceSpec } | { error: string } {
  const files = ['.argocd-source.yaml', `.argocd-source-${task.spec.name}.yaml`].map((name) => (dir === '.' ? name : posix.join(dir, name))).filter((file) => index.has(file));
  if (files.length === 0) return { task, source };
  let merged: unknown = source.raw;
  for (const file of files) {
    const patch = yamlValue(index, file);
    if (!isMap(patch)) return { error: `error while parsing source parameters: ${file} is not a YAML map` };
    merged = mergePatch(merged, patch);
  }
  const kept = new Set<string>(KEPT);
  const result: PlainMap = Object.fromEntries(Object.entries(isMap(merged) ? merged : {}).filter(([key]) => !kept.has(key)));
  for (const key of KEPT) if (source.raw[key] !== undefined) result[key] = source.raw[key];
  const overridden = readSource(result, source.index, source.docPath);
  const locateInApp = (path: DocPath): ReturnType<AppTask['locateInApp']> => {
    const inSource = path.length >= source.docPath.length && source.docPath.every((segment, position) => path[position] === segment);
    if (inSource) {
      const rest = path.slice(source.docPath.length);
      // The later file wins, as it was merged last.
      for (const file of [...files].reverse()) {
        const document = index.documents(file)[0];
        if (rest.length > 0 && document && valueAt(document.value, rest) !== undefined) {
          const found = originAt(index.id, document, rest);
          return { repo: index.id, file, range: found.range, ...(found.path !== undefined ? { path: found.path } : {}), docIndex: document.index, via: 'application' };
        }
      }
    }
    return task.locateInApp(path);
  };
  return { task: { ...task, locateInApp }, source: overridden };
}

/** RFC 7386: maps merge key by key, `null` removes a key, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return patch;
  const base = isMap(target) ? target : {};
  const result: PlainMap = {};
  for (const key of new Set([...Object.keys(base), ...Object.keys(patch)])) {
    if (!(key in patch)) result[key] = base[key];
    else if (patch[key] !== null) result[key] = mergePatch(base[key], patch[key]);
  }
  return result;
}

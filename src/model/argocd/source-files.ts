import type { Repo } from '../types.js';
import { dirOf, isUnder, joinInRepo, normalizeDir } from '../helm/paths.js';
import { stringAt, valueAt } from '../k8s/value.js';
import { originAt, type FactOrigin } from '../origin.js';
import { scalarTextAt } from '../k8s/scalar.js';
import type { ArgoSource } from './types.js';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/**
 * Which files of the source's repo ArgoCD reads as manifests: everything under a Helm chart, everything under a
 * Kustomize folder and under the local folders its kustomization reaches (`resources`, `bases`, `components`, and
 * theirs: an overlay's `../../base`), else a plain directory, whose subfolders are read only with
 * `directory.recurse: true`. Nothing for a source without `path` (a chart from a Helm repository). The render
 * stage knows exactly; this is the reading without it.
 */
export function manifestFilter(source: ArgoSource, target: Repo): (file: string) => boolean {
  const dir = normalizeDir(source.path);
  if (dir === undefined) return () => false;
  const isChart = target.helm.charts.some((chart) => chart.dir === dir);
  if (isChart || source.directoryRecurse === true) return (file) => isUnder(file, dir);
  const folders = kustomizeFolders(target, dir);
  if (folders.length > 0) return (file) => folders.some((folder) => isUnder(file, folder));
  return (file) => dirOf(file) === dir;
}

/** A kustomization's folder and the local folders it reaches, recursively; none when `dir` has no kustomization. */
export function kustomizeFolders(target: Repo, dir: string): string[] {
  const folders: string[] = [];
  const visit = (folder: string): void => {
    if (folders.includes(folder)) return;
    const file = KUSTOMIZATION_FILES.map((name) => (folder === '.' ? name : `${folder}/${name}`)).find((path) => target.files.some((entry) => entry.path === path));
    if (file === undefined) return;
    folders.push(folder);
    const value = target.yaml.get(file)?.documents[0]?.value;
    for (const key of ['resources', 'bases', 'components']) {
      const entries = valueAt(value, [key]);
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        const path = typeof entry === 'string' ? entry : stringAt(entry, ['path']);
        // A URL or `github.com/...` base is not in the repo.
        if (path === undefined || path.includes('://') || /^[\w.-]+\.(?:com|org|io)\//.test(path)) continue;
        const reached = joinInRepo(folder, path);
        if (reached !== undefined && reached !== folder) visit(reached);
      }
    }
  };
  visit(dir);
  return folders;
}

/** A kustomization's `images:` entry: what kustomize makes of an image named `name`, and where that was written. */
export interface KustomizeImageOverride {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  /** The entry's `newTag` (else `digest`, else `newName`) line. */
  origin: FactOrigin;
}

/**
 * The `images:` entries of the kustomizations in `folders` (`kustomizeFolders`, the overlay first): the first entry
 * for a name wins, as the overlay's transformer runs last. For a render that did not run, to know the tag an
 * overlay gives a base's image.
 */
export function kustomizeImageOverrides(target: Repo, folders: readonly string[]): Map<string, KustomizeImageOverride> {
  const overrides = new Map<string, KustomizeImageOverride>();
  for (const folder of folders) {
    const file = KUSTOMIZATION_FILES.map((name) => (folder === '.' ? name : `${folder}/${name}`)).find((path) => target.yaml.has(path));
    const document = file === undefined ? undefined : target.yaml.get(file)?.documents[0];
    const entries = valueAt(document?.value, ['images']);
    if (!document || document.broken || !Array.isArray(entries)) continue;
    entries.forEach((entry: unknown, index) => {
      const name = stringAt(entry, ['name']);
      if (name === undefined || overrides.has(name)) return;
      const newName = stringAt(entry, ['newName']);
      // As written: `newTag: 1.10` is the tag 1.10, not the number 1.1.
      const newTag = scalarTextAt(document, ['images', index, 'newTag']);
      const digest = stringAt(entry, ['digest']);
      if (newName === undefined && newTag === undefined && digest === undefined) return;
      const key = newTag !== undefined ? 'newTag' : digest !== undefined ? 'digest' : 'newName';
      overrides.set(name, {
        name,
        ...(newName !== undefined ? { newName } : {}),
        ...(newTag !== undefined ? { newTag } : {}),
        ...(digest !== undefined ? { digest } : {}),
        origin: originAt(target.id, document, ['images', index, key]),
      });
    });
  }
  return overrides;
}

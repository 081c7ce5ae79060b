import { posix } from 'node:path';
import type { ArgoApplication, ArgoSource } from '../argocd/types.js';
import { joinInRepo, normalizeDir } from './paths.js';

/**
 * `values.yaml`, `values-prod.yaml`, `values.prod.yml`, `values_dev.yaml`, `prod-values.yaml`. The seed keeps
 * per-component values in plain subfolders (`hubble/values.yaml`, `prometheus/values.yaml`, `base/values.yaml`),
 * so the name decides, not the folder.
 */
const VALUES_NAME = /^(?:[^/]*[-_.])?values(?:[-_.][^/]*)?\.ya?ml$/i;

export function isValuesFileName(file: string): boolean {
  return VALUES_NAME.test(posix.basename(file));
}

/** Files inside a chart's `templates/` folder are templates, whatever their name. */
export function isChartTemplate(file: string, chartDirs: ReadonlySet<string>): boolean {
  const parts = file.split('/');
  for (let index = parts.length - 2; index >= 0; index -= 1) {
    if (parts[index] !== 'templates') continue;
    const chartDir = index === 0 ? '.' : parts.slice(0, index).join('/');
    if (chartDirs.has(chartDir)) return true;
  }
  return false;
}

/**
 * The files of `repo` that the repo's own Applications name in `helm.valueFiles`: relative to the source's
 * `path`, or `$ref/...` relative to the root of the source whose `ref` it names. Only sources whose repoURL
 * resolves to this repo count; a values file in another repo is that repo's.
 */
export function referencedValueFiles(repo: string, applications: readonly ArgoApplication[]): Set<string> {
  const files = new Set<string>();
  for (const app of applications) {
    for (const source of app.sources) {
      for (const valueFile of source.helmValueFiles) {
        const target = resolveValueFile(app, source, valueFile);
        if (target?.repo === repo) files.add(target.file);
      }
    }
  }
  return files;
}

/** Where a `helm.valueFiles` entry of `app`'s `source` points: a fleet repo and a file in it, when it can be known. */
export function resolveValueFile(app: ArgoApplication, source: ArgoSource, valueFile: string): { repo: string; file: string } | undefined {
  const refMatch = /^\$([^/]+)\/(.+)$/.exec(valueFile);
  if (refMatch) {
    const [, ref = '', rest = ''] = refMatch;
    const refSource = app.sources.find((candidate) => candidate.ref === ref);
    const file = joinInRepo('.', rest);
    return refSource?.fleetRepo !== undefined && file !== undefined ? { repo: refSource.fleetRepo, file } : undefined;
  }
  // Value files are relative to the chart, which for a Git source is `path` (ArgoCD also takes URLs; those stay unknown).
  const base = normalizeDir(source.path);
  if (source.fleetRepo === undefined || base === undefined || /^[a-z]+:\/\//i.test(valueFile)) return undefined;
  const file = joinInRepo(base, valueFile);
  return file === undefined ? undefined : { repo: source.fleetRepo, file };
}

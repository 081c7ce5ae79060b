import { isMap, stringAt } from '../model/k8s/value.js';
import type { Fleet } from '../model/types.js';

/** ArgoCD's own settings that change what the repo-server renders, as found in the fleet. */
export interface ArgoSettings {
  /** `kustomize.buildOptions` of argocd-cm, split as ArgoCD splits it (on whitespace), with where it was written. */
  kustomizeBuildOptions?: { options: string[]; repo: string; file: string };
}

const BUILD_OPTIONS = 'kustomize.buildOptions';

/**
 * A fleet that deploys ArgoCD usually holds its settings: an `argocd-cm` ConfigMap, or the argo-cd chart's
 * values (`configs.cm`, also under an umbrella chart's key such as `argo-cd:`). The first one, by repo and file,
 * is taken; fleetlint cannot know which ArgoCD renders which Application when a fleet has several.
 */
export function detectArgoSettings(fleet: Fleet): ArgoSettings {
  for (const repo of fleet.repos) {
    for (const object of repo.k8s) {
      if (object.kind !== 'ConfigMap' || object.name !== 'argocd-cm') continue;
      const options = stringAt(object.document.value, ['data', BUILD_OPTIONS]);
      if (options !== undefined) return { kustomizeBuildOptions: { options: splitFields(options), repo: repo.id, file: object.origin.file } };
    }
    for (const values of repo.helm.values) {
      const options = chartSetting(values.document.value, 0);
      if (options !== undefined) return { kustomizeBuildOptions: { options: splitFields(options), repo: repo.id, file: values.file } };
    }
  }
  return {};
}

/** `configs.cm["kustomize.buildOptions"]` at the top of a values document or under one or two umbrella keys. */
function chartSetting(value: unknown, depth: number): string | undefined {
  if (!isMap(value)) return undefined;
  const found = stringAt(value, ['configs', 'cm', BUILD_OPTIONS]);
  if (found !== undefined) return found;
  if (depth >= 2) return undefined;
  for (const child of Object.values(value)) {
    const nested = chartSetting(child, depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

function splitFields(text: string): string[] {
  return text.split(/\s+/).filter((field) => field !== '');
}

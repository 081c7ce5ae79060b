import type { DocPath } from '../findings.js';
import type { ArgoApplication } from '../argocd/types.js';
import { manifestFilter } from '../argocd/source-files.js';
import type { K8sObject } from '../k8s/types.js';
import type { Repo } from '../types.js';
import type { YamlDocument } from '../yaml/parse.js';
import { dirOf, normalizeDir } from '../helm/paths.js';
import { resolveValueFile } from '../helm/values-files.js';

/** A tree of Helm values an Application deploys: a values file, or an inline `helm.valuesObject`. */
export interface DeployedValues {
  repo: string;
  file: string;
  document: YamlDocument;
  /** Where the values start in the document: `[]` for a file. */
  basePath: DocPath;
}

export interface DeployedObject {
  repo: string;
  object: K8sObject;
}

/** What an Application puts on the cluster, as far as the fleet's files tell. */
export interface DeployedScope {
  values: DeployedValues[];
  objects: DeployedObject[];
}

/**
 * The files an Application deploys, source by source:
 *  - its `helm.valueFiles`, relative to the source's `path` in the repo the repoURL names (`$ref/...` relative to
 *    the root of the repo of the source with that `ref`);
 *  - when `path` is a chart folder (it has Chart.yaml), the chart's own `values.yaml`, which Helm always reads;
 *  - when there are no `valueFiles` and `path` is not a chart (the seed's `helm/` folder with only values),
 *    every values file directly in that folder;
 *  - Kubernetes objects (except ArgoCD's own) in the files ArgoCD reads for the source: at any depth under a chart
 *    or a Kustomize folder (approximating the kustomization's `resources`), else the files directly in `path`, or
 *    at any depth with `directory.recurse: true`;
 *  - inline `helm.valuesObject`.
 * A source whose repoURL is not a fleet repo (a public chart repository, a GitLab group) adds nothing but its
 * inline values.
 */
export function deployedScope(app: ArgoApplication, appRepo: Repo, repos: ReadonlyMap<string, Repo>): DeployedScope {
  const values = new Map<string, DeployedValues>();
  const objects = new Map<string, DeployedObject>();
  const addValuesFile = (repoId: string, file: string): void => {
    const document = repos.get(repoId)?.yaml.get(file)?.documents[0];
    if (document && !document.broken) values.set(`${repoId}\0${file}`, { repo: repoId, file, document, basePath: [] });
  };

  for (const source of app.sources) {
    for (const valueFile of source.helmValueFiles) {
      const target = resolveValueFile(app, source, valueFile);
      if (target) addValuesFile(target.repo, target.file);
    }
    if (source.helmValuesObjectPath) {
      const document = appRepo.yaml.get(app.origin.file)?.documents[app.origin.docIndex ?? 0];
      if (document && !document.broken) {
        values.set(`${appRepo.id}\0${app.origin.file}\0${source.helmValuesObjectPath.join('/')}`, {
          repo: appRepo.id,
          file: app.origin.file,
          document,
          basePath: source.helmValuesObjectPath,
        });
      }
    }
    const target = source.fleetRepo === undefined ? undefined : repos.get(source.fleetRepo);
    const dir = normalizeDir(source.path);
    if (!target || dir === undefined) continue;

    const chart = target.helm.charts.find((candidate) => candidate.dir === dir);
    if (chart) {
      const defaults = target.helm.values.find((file) => dirOf(file.file) === dir && /^values\.ya?ml$/.test(file.file.slice(dir === '.' ? 0 : dir.length + 1)));
      if (defaults) addValuesFile(target.id, defaults.file);
    } else if (source.helmValueFiles.length === 0) {
      for (const file of target.helm.values) if (dirOf(file.file) === dir) addValuesFile(target.id, file.file);
    }
    const reads = manifestFilter(source, target);
    for (const object of target.k8s) {
      if (object.apiVersion.startsWith('argoproj.io/') || !reads(object.origin.file)) continue;
      objects.set(`${target.id}\0${object.origin.file}\0${String(object.document.index)}`, { repo: target.id, object });
    }
  }
  return { values: [...values.values()], objects: [...objects.values()] };
}

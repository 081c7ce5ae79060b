import { posix } from 'node:path';
import type { RepoFile } from '../types.js';
import type { ParsedYamlFile, YamlDocument } from '../yaml/parse.js';
import type { ArgoApplication } from '../argocd/types.js';
import { originAt } from '../origin.js';
import { scalarTextAt } from '../k8s/scalar.js';
import { isMap } from '../k8s/value.js';
import type { HelmChart, HelmFacts, HelmValuesFile } from './types.js';
import { isChartTemplate, isValuesFileName, referencedValueFiles } from './values-files.js';
import { dirOf } from './paths.js';

/**
 * Helm charts (`Chart.yaml`) and values files of a repo. `applications` are the repo's own ArgoCD
 * Applications: the files they name in `helm.valueFiles` are values files whatever their name.
 */
export function loadHelmFacts(
  repo: string,
  files: readonly RepoFile[],
  yaml: ReadonlyMap<string, ParsedYamlFile>,
  applications: readonly ArgoApplication[],
): HelmFacts {
  const charts: HelmChart[] = [];
  for (const file of files) {
    if (posix.basename(file.path) !== 'Chart.yaml') continue;
    const document = firstDocument(yaml.get(file.path));
    if (document) charts.push(loadChart(repo, file.path, document));
  }
  const chartDirs = new Set(charts.map((chart) => chart.dir));
  const referenced = referencedValueFiles(repo, applications);

  const values: HelmValuesFile[] = [];
  for (const file of files) {
    const isReferenced = referenced.has(file.path);
    if (!isReferenced && (!isValuesFileName(file.path) || isChartTemplate(file.path, chartDirs))) continue;
    const document = firstDocument(yaml.get(file.path));
    // A Kubernetes manifest named `values.yaml` is still a manifest.
    if (!document || (isMap(document.value) && typeof document.value.apiVersion === 'string' && typeof document.value.kind === 'string')) continue;
    if (document.value !== null && document.value !== undefined && !isMap(document.value)) continue;
    values.push({ file: file.path, document, referenced: isReferenced });
  }
  return { values, charts };
}

/** Helm reads the first document of a values file or Chart.yaml; a broken one has been reported already. */
function firstDocument(parsed: ParsedYamlFile | undefined): YamlDocument | undefined {
  const document = parsed?.documents[0];
  return document && !document.broken ? document : undefined;
}

function loadChart(repo: string, file: string, document: YamlDocument): HelmChart {
  const name = scalarTextAt(document, ['name']);
  const version = scalarTextAt(document, ['version']);
  const appVersion = scalarTextAt(document, ['appVersion']);
  return {
    file,
    dir: dirOf(file),
    ...(name !== undefined ? { name } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(appVersion !== undefined ? { appVersion } : {}),
    origin: originAt(repo, document, name !== undefined ? ['name'] : []),
  };
}

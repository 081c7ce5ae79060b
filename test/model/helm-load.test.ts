import { describe, expect, it } from 'vitest';
import { parseYamlFile, type ParsedYamlFile } from '../../src/model/yaml/parse.js';
import type { RepoFile } from '../../src/model/types.js';
import { loadK8sObjects } from '../../src/model/k8s/load.js';
import { loadArgoFacts } from '../../src/model/argocd/load.js';
import { makeRepoResolver } from '../../src/model/argocd/repo-url.js';
import { loadHelmFacts } from '../../src/model/helm/load.js';
import { isValuesFileName } from '../../src/model/helm/values-files.js';

const REPO = 'observability/monitoring/prometheus-stack';

function load(files: Record<string, string>) {
  const entries = Object.entries(files).sort(([a], [b]) => a.localeCompare(b));
  const repoFiles: RepoFile[] = entries.map(([path, text]) => ({ path, size: text.length, text }));
  const yaml = new Map<string, ParsedYamlFile>(entries.filter(([path]) => /\.ya?ml$/.test(path)).map(([path, text]) => [path, parseYamlFile(REPO, path, text).parsed]));
  const resolver = makeRepoResolver({ group: 'homelab', registries: [], providers: [] }, new Set([REPO]));
  const { facts } = loadArgoFacts(REPO, loadK8sObjects(REPO, yaml), resolver);
  return loadHelmFacts(REPO, repoFiles, yaml, facts.applications);
}

describe('isValuesFileName', () => {
  it.each(['values.yaml', 'helm/values.yml', 'values-prod.yaml', 'values.prod.yaml', 'values_dev.yaml', 'hubble/prod-values.yaml', 'Values.yaml'])('%s is a values file', (file) => {
    expect(isValuesFileName(file)).toBe(true);
  });
  it.each(['valuesfile.yaml', 'myvalues.yaml', 'values.json', 'Chart.yaml', 'values.yaml.bak', 'values/prod.yaml'])('%s is not', (file) => {
    expect(isValuesFileName(file)).toBe(false);
  });
});

describe('loadHelmFacts', () => {
  const helm = load({
    'argocd/application.yaml': `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: prometheus-stack}
spec:
  source:
    repoURL: https://gitlab.homelab.local/homelab/observability/monitoring/prometheus-stack.git
    path: chart
    helm:
      valueFiles: [../overrides/prod.yaml, values.yaml, ../../outside.yaml]
`,
    'chart/Chart.yaml': 'apiVersion: v2\nname: stack\nversion: 1.10\nappVersion: 2.0.0\n',
    'chart/values.yaml': 'replicas: 1\n',
    'chart/templates/values.yaml': 'apiVersion: v1\nkind: ConfigMap\n',
    'chart/templates/values-extra.yaml': '{{ .Values.x }}: 1\n',
    'prometheus/values.yaml': 'prometheus: {}\n',
    'grafana/values.yaml': '# only a comment\n',
    'alertmanager/values.yaml': 'key: [broken\n',
    'overrides/prod.yaml': 'replicas: 3\n',
    'manifests/values.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
    'lists/values.yaml': '- 1\n',
    'helm/values-prod.yaml': 'a: 1\n',
  });

  it('loads Chart.yaml with its version text as written', () => {
    expect(helm.charts).toEqual([expect.objectContaining({ file: 'chart/Chart.yaml', dir: 'chart', name: 'stack', version: '1.10', appVersion: '2.0.0' })]);
    expect(helm.charts[0]?.origin.line).toBe(2);
  });

  // Not: templates, broken or comment-only files (no document), manifests and lists named like values, files outside the repo.
  it('finds values files by name in any folder, and the files Applications name', () => {
    expect(helm.values.map((values) => [values.file, values.referenced])).toEqual([
      ['chart/values.yaml', true],
      ['helm/values-prod.yaml', false],
      ['overrides/prod.yaml', true],
      ['prometheus/values.yaml', false],
    ]);
  });
});

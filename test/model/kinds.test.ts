import { describe, expect, it } from 'vitest';
import { detectKinds, isHelmValuesFile } from '../../src/model/layout/kinds.js';
import type { RepoFile, RepoKind } from '../../src/model/types.js';
import { parseYamlFile, type ParsedYamlFile } from '../../src/model/yaml/parse.js';

/** Kinds of a repo given as path → content (`null` for a file whose content does not matter). */
function kindsOf(files: Record<string, string | null>, buildsImages = false): RepoKind[] {
  const repoFiles: RepoFile[] = [];
  const yaml = new Map<string, ParsedYamlFile>();
  for (const [path, text] of Object.entries(files)) {
    repoFiles.push(text === null ? { path, size: 0 } : { path, size: text.length, text });
    if (text !== null && /\.ya?ml$/.test(path)) yaml.set(path, parseYamlFile('r', path, text).parsed);
  }
  return detectKinds(repoFiles, yaml, buildsImages);
}

const application = 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: traefik\n';
const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n';

describe('detectKinds', () => {
  const cases: [string, Record<string, string | null>, RepoKind[], boolean?][] = [
    ['an empty repo', {}, []],
    ['terraform modules', { 'modules/vm/main.tf': null, 'modules/vm/variables.tf': null }, ['terraform']],
    ['terraform JSON', { 'main.tf.json': null }, ['terraform']],
    ['providers terraform downloaded are not the repo', { '.terraform/modules/x/main.tf': null }, []],
    ['ansible roles by their layout', { 'roles/common/tasks/main.yml': '- name: x\n  ansible.builtin.ping:\n' }, ['ansible']],
    ['a bare roles/ folder of Teleport roles is not ansible', { 'roles/admin.yaml': 'kind: role\nversion: v7\n' }, []],
    ['ansible playbooks under ansible/', { 'ansible/playbooks/configure.yml': null }, ['ansible']],
    ['an inventory folder', { 'inventory/hosts.ini': null }, ['ansible']],
    ['ansible.cfg', { 'ansible.cfg': null }, ['ansible']],
    ['galaxy requirements', { 'ansible/requirements.yml': 'roles:\n  - name: common\n    src: https://gitlab.homelab.local/homelab/platform/ansible-roles.git\n' }, ['ansible']],
    ['old-style galaxy requirements', { 'requirements.yml': '- src: geerlingguy.docker\n' }, ['ansible']],
    ['a requirements.yml that is something else', { 'requirements.yml': 'packages: [a]\n' }, []],
    ['a playbook anywhere', { 'site.yml': '- hosts: all\n  tasks:\n    - ansible.builtin.ping:\n' }, ['ansible']],
    ['a list that is not plays', { 'list.yaml': '- name: a\n- name: b\n' }, []],
    ['helm values under helm/', { 'helm/values.yaml': 'replicaCount: 1\n' }, ['helm']],
    ['helm values per component', { 'prometheus/values.yaml': 'a: 1\n', 'grafana/values-prod.yaml': 'a: 1\n' }, ['helm']],
    ['a chart', { 'chart/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n' }, ['helm']],
    ['chart templates are not manifests', { 'Chart.yaml': 'apiVersion: v2\nname: app\n', 'templates/deploy.yaml': deployment }, ['helm']],
    ['an Argo CD Application', { 'argocd/application.yaml': application }, ['argocd']],
    ['AppProject and ApplicationSet', { 'project.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\n---\napiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\n' }, ['argocd']],
    ['an Argo Rollout is a manifest', { 'rollout.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n' }, ['k8s-manifests']],
    ['manifests', { 'rbac/roles.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n', 'deploy.yaml': deployment }, ['k8s-manifests']],
    ['manifests in a multi-document file after an Application', { 'all.yaml': `${application}---\n${deployment}` }, ['argocd', 'k8s-manifests']],
    ['a kustomization alone is not a manifest', { 'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n' }, []],
    ['a kubeconfig is not a manifest', { 'kubeconfig.yaml': 'apiVersion: v1\nkind: Config\nclusters: []\n' }, []],
    ['a values file with apiVersion and kind is still values', { 'values.yaml': 'apiVersion: v1\nkind: Thing\n' }, ['helm']],
    ['a broken document says nothing', { 'bad.yaml': 'apiVersion: apps/v1\nkind: [Deployment\n' }, []],
    ['a Dockerfile', { 'Dockerfile': null }, ['docker']],
    ['named Dockerfiles and Containerfiles', { 'build/api.Dockerfile': null, 'Containerfile.dev': null }, ['docker']],
    ['a .dockerignore alone is not docker', { '.dockerignore': null }, []],
    ['images built by CI', { 'src/main.go': null }, ['docker'], true],
    ['a README', { 'README.md': null }, ['docs']],
    ['a README without extension', { 'README': null }, ['docs']],
    ['a docs folder', { 'docs/runbook.txt': null }, ['docs']],
    ['markdown anywhere', { 'notes/upgrade.md': null }, ['docs']],
    [
      'a service repo of the homelab pattern, in REPO_KINDS order',
      { 'README.md': null, '.gitlab-ci.yml': 'include: []\n', 'argocd/application.yaml': application, 'helm/values.yaml': 'image:\n  tag: 1.0.0\n', 'Dockerfile': null, 'terraform/main.tf': null },
      ['terraform', 'helm', 'argocd', 'docker', 'docs'],
    ],
  ];

  it.each(cases)('%s', (_name, files, expected, buildsImages = false) => {
    expect(kindsOf(files, buildsImages)).toEqual(expected);
  });
});

describe('isHelmValuesFile', () => {
  it.each([
    ['helm/values.yaml', true],
    ['values.yml', true],
    ['k8s/helm/values-prod.yaml', true],
    ['values.lab.yaml', true],
    ['charts/traefik/traefik-values.yaml', true],
    ['prometheus/values.yaml', true],
    ['values.schema.json', false],
    ['myvalues.yaml', false],
    ['helm/Chart.yaml', false],
    ['values/app.yaml', false],
  ])('%s → %s', (path, expected) => {
    expect(isHelmValuesFile(path)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { fleetFromFiles, TEST_SETTINGS } from '../support/fleet.js';
import type { Fleet } from '../../src/model/types.js';

const APPS = 'kubernetes/argocd-apps';
const ADDONS = 'platform/cluster-addons';
const URL = (repo: string): string => `https://gitlab.homelab.local/homelab/${repo}.git`;

const appsOf = (fleet: Fleet, repo = APPS) => fleet.repos.find((candidate) => candidate.id === repo)?.argocd.applications ?? [];
const notesOf = (fleet: Fleet, repo = APPS) => fleet.repos.find((candidate) => candidate.id === repo)?.diagnostics.filter((finding) => finding.ruleId === 'unexpanded-applicationset') ?? [];

describe('expandApplicationSets', () => {
  it('a git directories generator (goTemplate) gives an Application per matching folder, at the template lines', async () => {
    const fleet = await fleetFromFiles({
      [ADDONS]: {
        'addons/argo-workflows/kustomization.yaml': 'resources: []\n',
        'addons/prometheus/Chart.yaml': 'name: prometheus\n',
        'addons/prometheus/templates/x.yaml': 'a: 1\n',
        'addons/excluded/kustomization.yaml': 'resources: []\n',
        'addons/.hidden/kustomization.yaml': 'resources: []\n',
      },
      [APPS]: {
        'appsets/addons.yaml': `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: cluster-addons
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - git:
        repoURL: ${URL(ADDONS)}
        revision: HEAD
        directories:
          - path: addons/*
          - path: addons/excluded
            exclude: true
  template:
    metadata:
      name: '{{.path.basename}}'
      annotations:
        argocd.argoproj.io/sync-wave: "3"
    spec:
      project: default
      source:
        repoURL: ${URL(ADDONS)}
        targetRevision: HEAD
        path: '{{.path.path}}'
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{.path.basenameNormalized}}'
`,
      },
    });
    const apps = appsOf(fleet);
    expect(apps.map((app) => [app.name, app.sources[0]?.path, app.sources[0]?.fleetRepo, app.destination.namespace, app.wave])).toEqual([
      ['argo-workflows', 'addons/argo-workflows', ADDONS, 'argo-workflows', 3],
      ['prometheus', 'addons/prometheus', ADDONS, 'prometheus', 3],
    ]);
    expect(apps[0]?.generatedBy).toEqual({ repo: APPS, name: 'cluster-addons' });
    expect(apps[0]?.origin).toMatchObject({ file: 'appsets/addons.yaml', line: 19 });
    expect(apps[0]?.sources[0]?.origin.line).toBe(24);
    expect(apps[0]?.waveOrigin.line).toBe(21);
    expect(notesOf(fleet)).toEqual([]);
  });

  it('git files (fasttemplate), list, matrix and merge generators', async () => {
    const fleet = await fleetFromFiles({
      [ADDONS]: {
        'clusters/dev/config.json': '{"cluster": {"name": "dev", "address": "https://1.2.3.4"}, "replicas": 2}',
        'clusters/prod/config.json': '{"cluster": {"name": "prod", "address": "https://5.6.7.8"}, "replicas": 1000000}',
      },
      [APPS]: {
        'files.yaml': `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: files
spec:
  generators:
    - git:
        repoURL: ${URL(ADDONS)}
        files:
          - path: "clusters/**/config.json"
  template:
    metadata:
      name: '{{cluster.name}}-guestbook'
    spec:
      source:
        repoURL: ${URL(ADDONS)}
        path: 'apps/{{path.basename}}/{{ replicas }}'
      destination:
        server: '{{cluster.address}}'
        namespace: guestbook
`,
        'matrix.yaml': `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: matrix
spec:
  goTemplate: true
  generators:
    - matrix:
        generators:
          - list:
              elements:
                - env: dev
                - env: prod
          - list:
              elements:
                - app: web
                  wave: "{{ if eq .env \\"prod\\" }}5{{ else }}1{{ end }}"
  template:
    metadata:
      name: '{{.app}}-{{.env}}'
      annotations:
        argocd.argoproj.io/sync-wave: '{{.wave}}'
    spec:
      source:
        repoURL: ${URL(ADDONS)}
        path: '{{.env}}'
      destination:
        server: https://kubernetes.default.svc
`,
        'merge.yaml': `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: merge
spec:
  goTemplate: true
  generators:
    - merge:
        mergeKeys: [name]
        generators:
          - list:
              elements:
                - {name: a, ns: one}
                - {name: b, ns: two}
          - list:
              elements:
                - {name: b, ns: overridden}
  template:
    metadata:
      name: 'merged-{{.name}}'
    spec:
      destination:
        namespace: '{{.ns}}'
`,
      },
    });
    const apps = appsOf(fleet);
    expect(apps.map((app) => [app.name, app.sources[0]?.path ?? null, app.destination.server ?? null, app.destination.namespace, app.wave])).toEqual([
      ['dev-guestbook', 'apps/dev/2', 'https://1.2.3.4', 'guestbook', 0],
      ['prod-guestbook', 'apps/prod/1e+06', 'https://5.6.7.8', 'guestbook', 0],
      ['web-dev', 'dev', 'https://kubernetes.default.svc', undefined, 1],
      ['web-prod', 'prod', 'https://kubernetes.default.svc', undefined, 5],
      ['merged-a', null, null, 'one', 0],
      ['merged-b', null, null, 'overridden', 0],
    ]);
  });

  it('the cluster generator lists ArgoCD\'s own cluster, or the clusters fleet.yaml names', async () => {
    const appset = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: per-cluster
spec:
  goTemplate: true
  generators:
    - clusters:
        selector:
          matchLabels:
            env: prod
    - clusters: {}
  template:
    metadata:
      name: 'guestbook-{{.name}}'
    spec:
      destination:
        server: '{{.server}}'
`;
    const local = await fleetFromFiles({ [APPS]: { 'clusters.yaml': appset } });
    expect(appsOf(local).map((app) => [app.name, app.destination.server])).toEqual([['guestbook-in-cluster', 'https://kubernetes.default.svc']]);
    const configured = await fleetFromFiles(
      { [APPS]: { 'clusters.yaml': appset } },
      { ...TEST_SETTINGS, argocdClusters: [{ name: 'lab', server: 'https://lab:6443', labels: { env: 'lab' } }, { name: 'prod', server: 'https://prod:6443', labels: { env: 'prod' } }] },
    );
    expect(appsOf(configured).map((app) => app.name)).toEqual(['guestbook-prod', 'guestbook-lab']);
  });

  it('templatePatch is rendered and merged (not the project, as ArgoCD); what needs ArgoCD or is not evaluated is a note, never a guess', async () => {
    const fleet = await fleetFromFiles({
      [APPS]: {
        'patch.yaml': `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: patched
spec:
  goTemplate: true
  generators:
    - list:
        elements:
          - {name: web, autoSync: true, namespace: web}
          - {name: api, autoSync: false}
    - scmProvider:
        gitlab:
          group: homelab
    - git:
        repoURL: https://github.com/example/elsewhere.git
        directories: [{path: '*'}]
  template:
    metadata:
      name: '{{.name}}'
    spec:
      project: '{{ .name | upper | lower }}'
      source:
        repoURL: https://charts.example.com
        chart: '{{ .name }}'
        targetRevision: '{{ .name | unknownFunction }}'
  templatePatch: |
    spec:
      project: patched-away
      revisionHistoryLimit: 3
      {{- if .namespace }}
      destination:
        namespace: {{ .namespace }}
      {{- end }}
      {{- if .autoSync }}
      syncPolicy:
        automated:
          prune: true
      {{- end }}
`,
      },
    });
    const apps = appsOf(fleet);
    expect(apps.map((app) => [app.name, app.project, app.destination.namespace ?? null, app.automatedSync, app.sources[0]?.targetRevision])).toEqual([
      ['web', 'web', 'web', true, '{{ .name | unknownFunction }}'],
      ['api', 'api', null, false, '{{ .name | unknownFunction }}'],
    ]);
    expect(notesOf(fleet).map((finding) => [finding.range?.startLine, finding.message])).toEqual([
      [12, "ApplicationSet patched: the scmProvider generator asks an SCM provider's API for repositories; the Applications it would generate are not checked"],
      [15, 'ApplicationSet patched: the git generator reads https://github.com/example/elsewhere.git, which is not a repository of the fleet; the Applications it would generate are not checked'],
      [26, 'ApplicationSet patched: a template value is left unknown (function "unknownFunction" is not evaluated)'],
    ]);
  });

  it('images of generated inline values join the repo once per template line', async () => {
    const fleet = await fleetFromFiles({
      [APPS]: {
        'images.yaml': `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: images
spec:
  generators:
    - list:
        elements:
          - {env: dev}
          - {env: prod}
  template:
    metadata:
      name: 'grafana-{{env}}'
    spec:
      source:
        repoURL: https://grafana.github.io/helm-charts
        chart: grafana
        helm:
          values: |
            image:
              tag: latest
            sidecar:
              image: quay.io/kiwigrid/k8s-sidecar:{{env}}
`,
      },
    });
    const images = fleet.repos.find((repo) => repo.id === APPS)?.images ?? [];
    expect(images.map((image) => [image.raw, image.origin.line])).toEqual([
      // Rendered values differ from the template's text: they point at the values key.
      ['quay.io/kiwigrid/k8s-sidecar:dev', 19],
      ['quay.io/kiwigrid/k8s-sidecar:prod', 19],
    ]);
  });
});

import argocdAppSchema from '../../rules/argocd-app-schema.js';
import { ruleTester } from '../support/rule-tester.js';

// Verbatim from the seed (fixtures/homelab/core-services/networking/traefik/argocd/application.yaml, MISTAKES S1).
const SEED_TRAEFIK = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: traefik
  namespace: argocd
spec:
  project: core-services
  source:
    repoURL: https://gitlab.homelab.local/homelab/core-services/networking/traefik.git
    targetRevision: main
    path: helm
  destination:
    server: https://kubernetes.default.svc
    namespace: traefik
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
  syncWaves:
    - wave: 2  # Deploy after MetalLB (wave 1)
`;

const VALID_TRAEFIK = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: traefik
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "2"
spec:
  project: core-services
  source:
    repoURL: https://gitlab.homelab.local/homelab/core-services/networking/traefik.git
    targetRevision: main
    path: helm
    helm:
      valueFiles:
        - values.yaml
  destination:
    server: https://kubernetes.default.svc
    namespace: traefik
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
`;

const CORE_PROJECT = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: core-services
  namespace: argocd
spec:
  description: Core platform services
  sourceRepos:
    - https://gitlab.homelab.local/homelab/core-services/*
  destinations:
    - namespace: '*'
      server: https://kubernetes.default.svc
  clusterResourceWhitelist:
    - group: '*'
      kind: '*'
`;

ruleTester(argocdAppSchema).run({
  valid: [
    { name: 'an Application with the sync wave as an annotation', files: { 'argocd/application.yaml': VALID_TRAEFIK } },
    { name: 'an AppProject with the CRD fields', files: { 'argocd/project.yaml': CORE_PROJECT } },
    {
      name: 'a multi-source Application',
      files: {
        'argocd/application.yaml': [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Application',
          'metadata:',
          '  name: prometheus-stack',
          'spec:',
          '  project: observability',
          '  sources:',
          '    - repoURL: https://prometheus-community.github.io/helm-charts',
          '      chart: kube-prometheus-stack',
          '      targetRevision: 58.2.1',
          '      helm:',
          '        valueFiles:',
          '          - $values/helm/values.yaml',
          '    - repoURL: https://gitlab.homelab.local/homelab/observability/monitoring/prometheus-stack.git',
          '      targetRevision: main',
          '      ref: values',
          '  destination:',
          '    name: in-cluster',
          '    namespace: monitoring',
          '',
        ].join('\n'),
      },
    },
    {
      name: 'other kinds and other API groups are not checked',
      files: {
        'manifests/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  syncWaves: 2\n',
        'manifests/appset.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: all\nspec:\n  generators: []\n  template: {}\n',
      },
    },
  ],
  invalid: [
    {
      name: 'the seed traefik Application: spec.syncWaves is not a field',
      repos: { 'core-services/networking/traefik': { 'argocd/application.yaml': SEED_TRAEFIK } },
      findings: [
        {
          repo: 'core-services/networking/traefik',
          file: 'argocd/application.yaml',
          line: 21,
          column: 3,
          severity: 'error',
          messageIncludes: ['Application traefik: spec.syncWaves is not a field of the Application CRD', 'argocd.argoproj.io/sync-wave'],
        },
      ],
    },
    {
      name: 'an AppProject with an unknown spec key',
      files: { 'argocd/project.yaml': CORE_PROJECT.replace('  sourceRepos:', '  sourceRepositories:\n    - https://gitlab.homelab.local/homelab/*\n  sourceRepos:') },
      findings: [{ file: 'argocd/project.yaml', line: 8, column: 3, severity: 'error', messageIncludes: 'AppProject core-services: spec.sourceRepositories is not a field of the AppProject CRD' }],
    },
    {
      name: 'an Application without spec.destination (reported at spec)',
      files: {
        'argocd/application.yaml': [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Application',
          'metadata:',
          '  name: jellyfin',
          'spec:',
          '  project: applications',
          '  source:',
          '    repoURL: https://gitlab.homelab.local/homelab/applications/media/jellyfin.git',
          '    path: helm',
          '',
        ].join('\n'),
      },
      findings: [{ file: 'argocd/application.yaml', line: 5, column: 1, messageIncludes: 'Application jellyfin: spec.destination is required' }],
    },
    {
      name: 'a misspelt key inside a nested CRD object',
      files: { 'argocd/application.yaml': VALID_TRAEFIK.replace('      selfHeal: true', '      selfheal: true') },
      findings: [{ file: 'argocd/application.yaml', line: 23, column: 7, messageIncludes: 'spec.syncPolicy.automated.selfheal is not a field' }],
    },
    {
      name: 'multi-document YAML: the second document is reported at its own line',
      files: { 'argocd/apps.yaml': `${VALID_TRAEFIK}---\n${SEED_TRAEFIK.replace('name: traefik', 'name: traefik-b')}` },
      // VALID_TRAEFIK has 25 lines and the separator is line 26, so the second document's line 21 is line 47.
      findings: [{ file: 'argocd/apps.yaml', line: 47, column: 3, messageIncludes: 'Application traefik-b: spec.syncWaves' }],
    },
  ],
});

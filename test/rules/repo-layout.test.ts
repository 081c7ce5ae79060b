import repoLayout from '../../rules/repo-layout.js';
import { ruleTester } from '../support/rule-tester.js';
import { homelabOptions } from '../support/presets.js';

const TRAEFIK = 'core-services/networking/traefik';

const APPLICATION = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: traefik
spec:
  source:
    repoURL: https://gitlab.homelab.local/homelab/core-services/networking/traefik.git
    path: helm
  destination:
    server: https://kubernetes.default.svc
    namespace: traefik
`;

const CI = 'stages: [validate]\nlint:\n  stage: validate\n  script: [helm lint helm/]\n';

const SERVICE_REPO = {
  'argocd/application.yaml': APPLICATION,
  '.gitlab-ci.yml': CI,
  'README.md': '# Traefik\n',
  'helm/values.yaml': 'deployment:\n  replicas: 2\n',
};

const INFRA_REPO = {
  'terraform/main.tf': 'module "dns" {\n  source = "./modules/dns"\n}\n',
  '.gitlab-ci.yml': 'stages: [plan]\nplan:\n  stage: plan\n  script: [terraform plan]\n',
  'README.md': '# networking\n',
};

/** The homelab fleet's layouts (its preset): service and infrastructure repositories. */
const HOMELAB = homelabOptions('repo-layout');

function without(files: Record<string, string>, path: string): Record<string, string> {
  return Object.fromEntries(Object.entries(files).filter(([name]) => name !== path));
}

/** A team's own layout: chart repositories keep each chart under charts/ and document it. */
const CHART_LAYOUTS = {
  layouts: [{ name: 'chart repository', repos: ['platform/helm-charts'], require: ['charts/*/Chart.yaml', 'README.md|README.rst'] }],
};

ruleTester(repoLayout).run({
  valid: [
    {
      name: 'no layouts by default: nothing is required of any repo',
      repos: { 'core-services/networking/traefik': { 'argocd/application.yaml': APPLICATION }, 'infrastructure/dns': { 'main.tf': 'resource "null_resource" "x" {}\n' } },
    },
    { name: 'a service repo with everything the layout requires', options: HOMELAB, repos: { [TRAEFIK]: SERVICE_REPO } },
    { name: 'an infrastructure repo with terraform/', options: HOMELAB, repos: { 'infrastructure/networking': INFRA_REPO } },
    {
      name: 'repos outside every layout are not checked',
      options: HOMELAB,
      repos: { 'operations/scripts': { 'create-gitlab-structure.sh': '#!/bin/bash\n' }, 'platform/ci-templates': { 'templates/helm.yml': '.helm:\n  script: [helm lint]\n' } },
    },
    {
      name: 'a repo under a service group that does not deploy through ArgoCD (the seed\'s grype CLI) is not a service repo',
      options: HOMELAB,
      repos: { 'security/scanning/grype': { 'config/grype.yaml': 'fail-on-severity: high\n' } },
    },
    {
      name: 'deeper repo ids do not match core-services/*/*',
      options: HOMELAB,
      repos: { 'core-services/networking/traefik/plugins': { 'argocd/application.yaml': APPLICATION } },
    },
    {
      name: 'custom layouts: a chart repo with a chart and a README.rst alternative',
      options: CHART_LAYOUTS,
      repos: { 'platform/helm-charts': { 'charts/homelab-app/Chart.yaml': 'apiVersion: v2\nname: homelab-app\nversion: 1.0.0\n', 'README.rst': 'Charts\n' } },
    },
    {
      name: 'custom layouts replace the homelab layouts',
      options: CHART_LAYOUTS,
      repos: { [TRAEFIK]: { 'argocd/application.yaml': APPLICATION } },
    },
  ],
  invalid: [
    {
      name: 'a service repo without README.md',
      options: HOMELAB,
      repos: { [TRAEFIK]: without(SERVICE_REPO, 'README.md') },
      // A repo-level finding: no file, no line.
      findings: [{ repo: TRAEFIK, file: null, line: null, severity: 'warning', messageIncludes: `service repository ${TRAEFIK} has no README.md` }],
    },
    {
      name: 'a service repo with only its Application',
      options: HOMELAB,
      repos: { 'applications/media/jellyfin': { 'argocd/application.yaml': APPLICATION.replace(/traefik/g, 'jellyfin') } },
      findings: [
        { repo: 'applications/media/jellyfin', messageIncludes: 'has no .gitlab-ci.yml' },
        { repo: 'applications/media/jellyfin', messageIncludes: 'has no README.md' },
      ],
    },
    {
      name: 'an infrastructure repo without terraform/',
      options: HOMELAB,
      repos: { 'infrastructure/dns': { 'main.tf': 'resource "null_resource" "x" {}\n', '.gitlab-ci.yml': INFRA_REPO['.gitlab-ci.yml'], 'README.md': '# dns\n' } },
      findings: [{ repo: 'infrastructure/dns', severity: 'warning', messageIncludes: 'infrastructure repository infrastructure/dns has no terraform/' }],
    },
    {
      name: 'custom layouts: a chart repo without a chart and without any README',
      options: CHART_LAYOUTS,
      repos: { 'platform/helm-charts': { 'ci/lint.sh': 'helm lint charts/*\n' } },
      findings: [
        // Repo-level findings have no position; they are sorted by message.
        { repo: 'platform/helm-charts', messageIncludes: 'chart repository platform/helm-charts has no README.md or README.rst' },
        { repo: 'platform/helm-charts', messageIncludes: 'has no charts/*/Chart.yaml' },
      ],
    },
    {
      name: 'custom layouts restricted to repos of a kind',
      options: { layouts: [{ name: 'Terraform repository', repos: ['**'], kinds: ['terraform'], require: ['versions.tf'] }] },
      repos: { 'platform/terraform-modules': { 'modules/vm/main.tf': 'variable "name" {}\n' }, 'operations/documentation': { 'index.md': '# Docs\n' } },
      findings: [{ repo: 'platform/terraform-modules', messageIncludes: 'Terraform repository platform/terraform-modules has no versions.tf' }],
    },
  ],
});

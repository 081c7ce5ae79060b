// The fleet-wide repos: the CI templates every pipeline includes, the AppProjects, and the app-of-apps registry.
import { markdown, repoUrl } from './text.mjs';

const TEMPLATES = {
  helm: `.helm:base:
  image: alpine/helm:3.14.4
  before_script:
    - helm version

.helm:lint:
  extends: .helm:base
  script:
    - cd \${HELM_ROOT}
    - helm lint .

.helm:upgrade:
  extends: .helm:base
  script:
    - helm upgrade --install \${CI_PROJECT_NAME} \${HELM_ROOT} --namespace \${CI_PROJECT_NAME} --create-namespace
  when: manual
`,
  'security-scan': `.security:kubescape:
  stage: security
  image: quay.io/kubescape/kubescape:v3.0.8
  script:
    - kubescape scan framework nsa . --severity-threshold high

.security:checkov:
  stage: security
  image: bridgecrew/checkov:3.2.136
  script:
    - checkov -d \${TF_ROOT} --framework terraform

.security:trivy-image:
  stage: security
  image: aquasec/trivy:0.51.1
  script:
    - trivy image --severity HIGH,CRITICAL --exit-code 1 \${IMAGE_NAME}:\${CI_COMMIT_SHORT_SHA}

.security:gitleaks:
  stage: security
  image: zricethezav/gitleaks:v8.18.2
  script:
    - gitleaks detect --source . --verbose --redact
`,
  'argocd-sync': `.argocd:base:
  image: argoproj/argocd:v2.11.3
  before_script:
    - argocd version --client

.argocd:register:
  extends: .argocd:base
  script:
    - kubectl apply -f argocd/application.yaml

.argocd:sync:
  extends: .argocd:base
  script:
    - argocd app sync \${ARGOCD_APP_NAME}
  when: manual
`,
  'docker-build': `.docker:build:
  image: docker:26.1.4
  services:
    - docker:26.1.4-dind
  variables:
    IMAGE_NAME: harbor.homelab.local/\${CI_PROJECT_NAMESPACE}/\${CI_PROJECT_NAME}
  script:
    - docker build --tag \${IMAGE_NAME}:\${CI_COMMIT_SHORT_SHA} .
    - docker push \${IMAGE_NAME}:\${CI_COMMIT_SHORT_SHA}
`,
  terraform: `.terraform:base:
  image: hashicorp/terraform:1.8.5
  before_script:
    - cd \${TF_ROOT}
    - terraform init -backend=false

.terraform:validate:
  extends: .terraform:base
  script:
    - terraform validate

.terraform:plan:
  extends: .terraform:base
  script:
    - terraform plan -out plan.tfplan
`,
  ansible: `.ansible:lint:
  image: cytopia/ansible-lint:6.22
  script:
    - ansible-lint
`,
};

export function ciTemplatesFiles(random) {
  const files = { 'README.md': markdown(random, 'ci-templates', 'medium') };
  for (const [name, text] of Object.entries(TEMPLATES)) files[`templates/${name}.yml`] = text;
  return files;
}

const PROJECTS = ['applications', 'core-services', 'observability', 'security'];

/** AppProjects as the seed's argocd-bootstrap has them; every Application's project is one of these. */
export function bootstrapFiles(random) {
  const files = { 'README.md': markdown(random, 'argocd-bootstrap', 'small'), '.gitlab-ci.yml': registryPipeline() };
  for (const project of PROJECTS) {
    files[`argocd/projects/${project}.yaml`] = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: ${project}
  namespace: argocd
spec:
  description: ${project} of the homelab
  sourceRepos:
    - 'https://gitlab.homelab.local/homelab/${project}/*'
  destinations:
    - namespace: '*'
      server: https://kubernetes.default.svc
  clusterResourceWhitelist:
    - group: '*'
      kind: '*'
`;
  }
  return files;
}

/** The app-of-apps registry: one file per group and category, at most 40 Applications per file. */
export function registryFiles(repos, random) {
  const files = { 'README.md': markdown(random, 'argocd-apps', 'small'), '.gitlab-ci.yml': registryPipeline() };
  const byFile = new Map();
  for (const repo of repos) {
    if (!repo.app?.registered) continue;
    const folder = repo.id.split('/').slice(0, -1).join('/');
    const list = byFile.get(folder) ?? [];
    list.push(repo);
    byFile.set(folder, list);
  }
  for (const [folder, list] of byFile) {
    for (let start = 0; start < list.length; start += 40) {
      const chunk = list.slice(start, start + 40);
      files[`${folder}${start === 0 ? '' : `-${start / 40}`}.yaml`] = chunk.map(registration).join('---\n');
    }
  }
  return files;
}

function registration(repo) {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${repo.app.name}-app
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "${repo.app.wave}"
spec:
  project: ${repo.group}
  source:
    repoURL: ${repoUrl(repo.id)}
    targetRevision: main
    path: argocd
  destination:
    server: https://kubernetes.default.svc
    namespace: argocd
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
`;
}

function registryPipeline() {
  return `include:
  - project: 'homelab/platform/ci-templates'
    file:
      - 'templates/security-scan.yml'

stages:
  - validate
  - security

yaml:lint:
  stage: validate
  image: cytopia/yamllint:1.35
  script:
    - yamllint .

secrets:gitleaks:
  extends: .security:gitleaks
  stage: security
`;
}

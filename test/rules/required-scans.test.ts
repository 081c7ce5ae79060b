/** required-scans, the compiled Rego policy, on literal repositories: what their content requires of the pipeline. */
import { policyTester } from '../support/rule-tester.js';
import { homelabOptions } from '../support/presets.js';

/** Scans required by kind, as the homelab preset sets them: the default asks every pipeline for a secret scan only. */
const BY_KIND = homelabOptions('required-scans');

const TEMPLATES = 'platform/ci-templates';
const APP = 'applications/media/jellyfin';

const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.3\n';

const GITLEAKS = 'secrets:\n  image: zricethezav/gitleaks:v8.21.2\n  script:\n    - gitleaks detect --source .\n';
const KUBESCAPE = 'manifests:\n  image: quay.io/kubescape/kubescape-cli:v3.0.21\n  script:\n    - kubescape scan k8s/\n';

policyTester('required-scans').run({
  valid: [
    {
      name: 'manifests and a pipeline that scans the manifests and the secrets',
      files: { 'k8s/deployment.yaml': DEPLOYMENT, '.gitlab-ci.yml': `${KUBESCAPE}\n${GITLEAKS}` },
    },
    {
      name: 'a job counts by the scanner its script runs, whatever it is called',
      files: { 'k8s/deployment.yaml': DEPLOYMENT, '.gitlab-ci.yml': 'lint:\n  image: aquasec/trivy:0.57.1\n  script:\n    - trivy config k8s/\n\ncheck:\n  image: trufflesecurity/trufflehog:3.88.0\n  script:\n    - trufflehog git file://. --fail\n' },
    },
    {
      name: 'a repository with nothing deployable and no pipeline',
      files: { 'README.md': '# notes\n' },
    },
    {
      name: "scans from a template's hidden jobs, extended in this repository",
      repos: {
        [TEMPLATES]: { 'templates/security.yml': `.security:secrets:\n  image: zricethezav/gitleaks:v8.21.2\n  script:\n    - gitleaks detect --source .\n` },
        [APP]: {
          'Dockerfile': 'FROM nginx:1.27.3\n',
          '.gitlab-ci.yml': "include:\n  - project: 'homelab/platform/ci-templates'\n    file: 'templates/security.yml'\n\nsecrets:\n  extends: .security:secrets\n\nimage:scan:\n  image: anchore/grype:v0.84.0\n  script:\n    - grype app:1.2.3\n",
        },
      },
    },
  ],
  invalid: [
    {
      name: 'manifests with no .gitlab-ci.yml: a repo-level error',
      files: { 'k8s/deployment.yaml': DEPLOYMENT },
      findings: [{ file: null, line: null, severity: 'error', messageIncludes: 'repository has deployable content (k8s-manifests) but no .gitlab-ci.yml' }],
    },
    {
      name: 'missing categories are reported at the top of the pipeline, one finding each',
      options: BY_KIND,
      files: { 'k8s/deployment.yaml': DEPLOYMENT, '.gitlab-ci.yml': 'build:\n  image: alpine:3.20\n  script: [make]\n' },
      findings: [
        { file: '.gitlab-ci.yml', line: 1, severity: 'error', messageIncludes: 'no job runs a manifests scan (kubescape, trivy config' },
        { file: '.gitlab-ci.yml', line: 1, severity: 'error', messageIncludes: 'no job runs a secrets scan (gitleaks, trufflehog or detect-secrets); required for every pipeline' },
      ],
    },
    {
      name: 'a scan that only runs on the default branch does not gate merge requests',
      files: {
        'k8s/deployment.yaml': DEPLOYMENT,
        '.gitlab-ci.yml': `${KUBESCAPE}\n${GITLEAKS}  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n`,
      },
      findings: [{ file: '.gitlab-ci.yml', line: 6, severity: 'error', messageIncludes: 'the secrets scan (job secrets) does not gate merge requests: it is excluded from merge-request pipelines by its rules' }],
    },
    {
      name: 'a manual scan does not gate merge requests',
      options: BY_KIND,
      files: { 'k8s/deployment.yaml': DEPLOYMENT, '.gitlab-ci.yml': `${KUBESCAPE}  when: manual\n\n${GITLEAKS}` },
      findings: [{ file: '.gitlab-ci.yml', line: 1, severity: 'error', messageIncludes: 'the manifests scan (job manifests) does not gate merge requests: it is manual' }],
    },
    {
      name: 'allow_failure: true is a warning at the allow_failure line',
      options: BY_KIND,
      files: { 'k8s/deployment.yaml': DEPLOYMENT, '.gitlab-ci.yml': `${KUBESCAPE}  allow_failure: true\n\n${GITLEAKS}` },
      findings: [{ file: '.gitlab-ci.yml', line: 5, severity: 'warning', messageIncludes: 'the manifests scan (job manifests) cannot fail the pipeline: allow_failure: true' }],
    },
    {
      name: 'a scanner told not to fail is a warning',
      options: BY_KIND,
      files: { Dockerfile: 'FROM nginx:1.27.3\n', '.gitlab-ci.yml': `image:scan:\n  image: aquasec/trivy:0.57.1\n  script:\n    - trivy image --exit-code 0 app:1.2.3\n\n${GITLEAKS}` },
      findings: [{ file: '.gitlab-ci.yml', line: 1, severity: 'warning', messageIncludes: 'the image scan (job image:scan) cannot fail the pipeline: its script tells the scanner not to fail' }],
    },
    {
      name: 'options replace the requirements: terraform needs an IaC scan',
      options: { requirements: { terraform: ['iac'] } },
      files: { 'main.tf': 'resource "null_resource" "x" {}\n', '.gitlab-ci.yml': 'plan:\n  image: hashicorp/terraform:1.9.8\n  script: [terraform plan]\n' },
      findings: [{ file: '.gitlab-ci.yml', line: 1, severity: 'error', messageIncludes: 'no job runs a iac scan (checkov, tfsec, terrascan, kics or trivy config); required for terraform' }],
    },
    {
      name: "a template's allow_failure: true, with the template's line",
      repos: {
        [TEMPLATES]: { 'templates/security.yml': `.security:secrets:\n  image: zricethezav/gitleaks:v8.21.2\n  allow_failure: true\n  script:\n    - gitleaks detect --source .\n` },
        [APP]: { '.gitlab-ci.yml': "include:\n  - project: 'homelab/platform/ci-templates'\n    file: 'templates/security.yml'\n\nsecrets:\n  extends: .security:secrets\n" },
      },
      findings: [{ repo: APP, file: '.gitlab-ci.yml', line: 2, severity: 'warning', messageIncludes: 'the secrets scan (job secrets) cannot fail the pipeline: allow_failure: true', related: [{ repo: TEMPLATES, file: 'templates/security.yml', line: 3 }] }],
    },
  ],
});

import { describe, expect, it } from 'vitest';
import ciConfig from '../../rules/ci-config.js';
import { EMPTY_CONFIG } from '../../src/engine/config-types.js';
import { runChecks } from '../../src/engine/runner.js';
import { fleetFromFiles } from '../support/fleet.js';
import { ruleTester } from '../support/rule-tester.js';

const TEMPLATES = 'platform/ci-templates';
const TRAEFIK = 'core-services/networking/traefik';

// A trimmed copy of the seed's platform/ci-templates.
const HELM_TEMPLATE = `.helm:base:
  image: alpine/helm:3.15.2
  before_script:
    - helm version

.helm:lint:
  extends: .helm:base
  stage: validate
  script:
    - helm lint helm/
`;

const SECURITY_TEMPLATE = `.trivy:scan:
  stage: security
  image: aquasec/trivy:0.52.2
  script:
    - trivy config .
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
`;

const TEMPLATE_REPO = { 'templates/helm.yml': HELM_TEMPLATE, 'templates/security-scan.yml': SECURITY_TEMPLATE, 'README.md': '# ci-templates\n' };

const INCLUDES = `include:
  - project: 'homelab/platform/ci-templates'
    ref: main
    file:
      - 'templates/helm.yml'
      - 'templates/security-scan.yml'
`;

const TEMPLATE_STAGE_NOT_DECLARED = `${INCLUDES}\nstages: [validate]\n\nhelm:lint:\n  extends: .helm:lint\n\ntrivy:scan:\n  extends: .trivy:scan\n`;

ruleTester(ciConfig).run({
  valid: [
    {
      name: 'a pipeline built from templates of a ci-templates repo in the same fleet',
      repos: {
        [TEMPLATES]: TEMPLATE_REPO,
        [TRAEFIK]: {
          '.gitlab-ci.yml': `${INCLUDES}
stages:
  - validate
  - security
  - deploy

helm:lint:
  extends: .helm:lint

trivy:scan:
  extends: .trivy:scan

deploy:
  stage: deploy
  image: alpine/k8s:1.29.4
  needs: [helm:lint, trivy:scan]
  script:
    - kubectl apply -f argocd/application.yaml
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
`,
        },
      },
    },
    {
      name: "GitLab's default stages when stages: is absent, and a job using only:",
      files: { '.gitlab-ci.yml': 'build:\n  stage: build\n  script: [make]\ntest:\n  script: [make test]\n  only: [merge_requests]\n' },
    },
    {
      name: 'needs of a job from an include that cannot be read offline are not guessed',
      files: {
        '.gitlab-ci.yml': [
          'include:',
          '  - remote: https://example.com/ci/shared.yml',
          'stages: [build, test]',
          'test:',
          '  stage: test',
          '  needs: [shared-build]',
          '  script: [make test]',
          '',
        ].join('\n'),
      },
      allowDiagnostics: true, // the remote include is an unresolved-include note
    },
    {
      // omnibus-gitlab: the component's job_stage input gives danger-review its stage; the local job only adds to it.
      name: 'a job without a stage of its own, that a CI/CD component not read offline may define',
      files: {
        '.gitlab-ci.yml': [
          'include:',
          '  - component: $CI_SERVER_FQDN/gitlab-org/components/danger-review/danger-review@2.1.0',
          '    inputs:',
          '      job_stage: check',
          'stages: [check, build]',
          'danger-review:',
          '  variables:',
          '    BUNDLE_WITH: danger',
          '',
        ].join('\n'),
      },
      allowDiagnostics: true,
    },
    {
      name: 'needs of other pipelines and projects, optional needs, a matrix instance, and a stage given by an input',
      files: {
        '.gitlab-ci.yml': [
          'spec:',
          '  inputs:',
          '    stage: {}',
          '---',
          'stages: [build, test]',
          'build:',
          '  stage: build',
          '  parallel:',
          '    matrix:',
          '      - ARCH: [amd64, arm64]',
          '  script: [make]',
          'test:',
          '  stage: test',
          '  needs:',
          '    - job: build',
          '      parallel:',
          '        matrix:',
          '          - ARCH: amd64',
          '    - pipeline: $PARENT_PIPELINE_ID',
          '      job: generate',
          '    - project: group/other',
          '      job: package',
          '      ref: main',
          '      artifacts: true',
          '    - job: lint',
          '      optional: true',
          '  dependencies: ["build: [amd64]"]',
          '  script: [make test]',
          'deploy:',
          '  stage: $[[ inputs.stage ]]',
          '  script: [make deploy]',
          '',
        ].join('\n'),
      },
    },
  ],
  invalid: [
    {
      name: 'needs of a job in a later stage, and dependencies outside needs',
      files: {
        '.gitlab-ci.yml': [
          'stages: [build, test]',
          'build:',
          '  stage: build',
          '  needs: [test]',
          '  script: [make]',
          'test:',
          '  stage: test',
          '  needs: []',
          '  dependencies: [build]',
          '  script: [make test]',
          '',
        ].join('\n'),
      },
      findings: [
        { file: '.gitlab-ci.yml', line: 4, column: 3, messageIncludes: 'job build needs test, which runs in a later stage (test, after build)' },
        { file: '.gitlab-ci.yml', line: 9, column: 3, messageIncludes: 'job test depends on build, which is not in its needs' },
      ],
    },
    {
      name: 'GitLab-rejected shapes the resolver reports: no script, when: never, blank rules, an empty needs entry, a misspelt keyword, stages not a list',
      files: {
        '.gitlab-ci.yml': [
          'stages: build',
          'build:',
          '  stage: build',
          '  when: never',
          '  rules: []',
          '  needs: [~]',
          '  scirpt: [make]',
          '',
        ].join('\n'),
      },
      findings: [
        { file: '.gitlab-ci.yml', line: 1, column: 1, messageIncludes: 'stages must be a list of stage names' },
        { file: '.gitlab-ci.yml', line: 2, column: 1, messageIncludes: 'job build has no script' },
        { file: '.gitlab-ci.yml', line: 4, column: 3, messageIncludes: 'job build: when: never can only be used in rules or workflow:rules' },
        { file: '.gitlab-ci.yml', line: 5, column: 3, messageIncludes: "job build: rules can't be blank" },
        { file: '.gitlab-ci.yml', line: 6, column: 11, messageIncludes: 'job build: a needs entry is empty' },
        { file: '.gitlab-ci.yml', line: 7, column: 3, messageIncludes: 'job build: unknown keyword scirpt (did you mean script?)' },
      ],
    },
    {
      name: 'a stage that stages: does not declare',
      files: { '.gitlab-ci.yml': 'stages:\n  - build\n  - test\nbuild:\n  stage: build\n  script: [make]\npublish:\n  stage: publish\n  script: [make publish]\n' },
      findings: [{ file: '.gitlab-ci.yml', line: 8, column: 3, severity: 'error', messageIncludes: 'job publish uses stage publish, which is not declared (stages: .pre, build, test, .post)' }],
    },
    {
      name: "a stage that is not one of GitLab's defaults",
      files: { '.gitlab-ci.yml': 'lint:\n  stage: lint\n  script: [yamllint .]\n' },
      findings: [{ file: '.gitlab-ci.yml', line: 2, column: 3, messageIncludes: ["job lint uses stage lint, which is not declared (GitLab's default stages (", 'build', 'test', 'deploy'] }],
    },
    {
      name: 'needs naming a job that does not exist',
      files: { '.gitlab-ci.yml': 'stages: [build, test]\nbuild:\n  stage: build\n  script: [make]\ntest:\n  stage: test\n  needs:\n    - compile\n  script: [make test]\n' },
      findings: [{ file: '.gitlab-ci.yml', line: 7, column: 3, messageIncludes: 'job test needs compile, which is not a job of this pipeline' }],
    },
    {
      name: 'rules mixed with only',
      files: {
        '.gitlab-ci.yml': [
          'deploy:',
          '  stage: deploy',
          '  script: [make deploy]',
          '  rules:',
          '    - if: $CI_COMMIT_BRANCH == "main"',
          '  only:',
          '    - main',
          '',
        ].join('\n'),
      },
      findings: [{ file: '.gitlab-ci.yml', line: 4, column: 3, messageIncludes: 'job deploy combines rules with only/except, which GitLab rejects' }],
    },
    {
      name: 'extends of a job that is not defined (reported by the resolver, under ci-config)',
      repos: {
        [TEMPLATES]: TEMPLATE_REPO,
        [TRAEFIK]: {
          '.gitlab-ci.yml': `${INCLUDES}
stages: [validate, security]

helm:lint:
  extends: .helm:lints
`,
        },
      },
      findings: [
        // Without its parent the job has no stage: GitLab's default, `test`, which this pipeline does not declare.
        { repo: TRAEFIK, file: '.gitlab-ci.yml', line: 10, column: 1, messageIncludes: 'job helm:lint uses stage test, which is not declared' },
        { repo: TRAEFIK, file: '.gitlab-ci.yml', line: 11, column: 12, messageIncludes: 'helm:lint extends .helm:lints, which is not defined' },
      ],
    },
    {
      name: "a stage set in a template is reported on this repo, at its include, naming the template's line",
      repos: { [TEMPLATES]: TEMPLATE_REPO, [TRAEFIK]: { '.gitlab-ci.yml': TEMPLATE_STAGE_NOT_DECLARED } },
      findings: [
        {
          repo: TRAEFIK,
          file: '.gitlab-ci.yml',
          line: 2,
          column: 5,
          messageIncludes: 'job trivy:scan uses stage security, which is not declared (stages: .pre, validate, .post) (in platform/ci-templates: templates/security-scan.yml:2)',
        },
      ],
    },
  ],
});

describe('ci-config in a run scoped to one repo (lint, mr)', () => {
  it('keeps a finding whose fact is in a template of another repo, with the template line as related', async () => {
    const fleet = await fleetFromFiles({ [TEMPLATES]: TEMPLATE_REPO, [TRAEFIK]: { '.gitlab-ci.yml': TEMPLATE_STAGE_NOT_DECLARED } });
    const { findings } = await runChecks({ fleet, checks: [ciConfig], config: EMPTY_CONFIG, repoIds: new Set([TRAEFIK]) });
    expect(findings.map((finding) => [finding.ruleId, finding.repo, finding.file, finding.range?.startLine])).toEqual([['ci-config', TRAEFIK, '.gitlab-ci.yml', 2]]);
    expect(findings[0]?.related?.map((place) => [place.repo, place.file, place.range?.startLine])).toEqual([[TEMPLATES, 'templates/security-scan.yml', 2]]);
  });
});

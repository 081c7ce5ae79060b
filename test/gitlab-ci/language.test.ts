import { describe, expect, it } from 'vitest';
import type { CiJob, CiPipeline } from '../../src/model/gitlab-ci/types.js';
import { brief, jobOf, resolveIn, scriptOf } from './helpers.js';

/**
 * The parts of GitLab's pipeline language beyond include/extends/!reference, each with literal pipelines and the
 * jobs GitLab resolves from them: inputs, components, include:rules, rules:variables, parallel:matrix, trigger,
 * needs forms, include:local wildcards.
 */

const FLEET = { projectPath: 'homelab/app', serverHost: 'gitlab.homelab.local' };

function resolve(files: Record<string, string>, other: Record<string, Record<string, string>> = {}): ReturnType<typeof resolveIn> {
  return resolveIn({ app: files, ...other }, 'app', FLEET);
}

/** name → stage, for compact expectations of the job set. */
function stages(pipeline: CiPipeline): Record<string, string> {
  return Object.fromEntries(pipeline.jobs.map((job) => [job.name, job.stage]));
}

const runsIn = (job: CiJob): string => ['mergeRequest', 'branch', 'defaultBranch', 'tag', 'schedule'].map((kind) => `${kind}=${String(job.runsIn[kind as keyof CiJob['runsIn']])}`).join(' ');

describe('spec:inputs and interpolation', () => {
  const template = `spec:
  inputs:
    stage:
      default: test
    image:
      default: alpine:3.20
    scanner:
      options: [gitleaks, trufflehog]
      default: gitleaks
    job-prefix:
      regex: ^[a-z]+$
    rules-config:
      type: array
      default:
        - if: $CI_PIPELINE_SOURCE == "merge_request_event"
          when: manual
        - when: never
    verbose:
      type: boolean
      default: false
    registry:
      default: $CI_SERVER_HOST/tools
---
$[[ inputs.job-prefix ]]-scan:
  stage: $[[ inputs.stage ]]
  image: $[[ inputs.image ]]
  script:
    - $[[ inputs.scanner ]] detect --source . --verbose=$[[ inputs.verbose ]]
    - echo "$[[ inputs.job-prefix | truncate(0,3) ]] from $[[ inputs.registry | expand_vars ]]"
    - echo "$[[ inputs.image | expand_vars ]]"
  rules: $[[ inputs.rules-config ]]
`;

  it('interpolates include inputs with defaults, types, options, functions and whole-value arrays', () => {
    const { pipeline, diagnostics } = resolve({
      '.gitlab-ci.yml': `stages: [lint, security]
include:
  - local: ci/scan.yml
    inputs:
      stage: security
      job-prefix: secrets
      image: $CI_REGISTRY_IMAGE/gitleaks:8.18.4
`,
      'ci/scan.yml': template,
    });
    expect(diagnostics).toEqual([]);
    expect(stages(pipeline)).toEqual({ 'secrets-scan': 'security' });
    const job = jobOf(pipeline, 'secrets-scan');
    expect(job.image).toBe('$CI_REGISTRY_IMAGE/gitleaks:8.18.4');
    // $CI_REGISTRY_IMAGE is not known offline: that line keeps its text and is unknown, not a guess.
    expect(scriptOf(job)).toEqual(['gitleaks detect --source . --verbose=false', 'echo "sec from gitlab.homelab.local/tools"', 'echo "$[[ inputs.image | expand_vars ]]"']);
    // The default rules make it manual in merge requests and leave it out elsewhere: GitLab runs it as manual.
    expect(job).toMatchObject({ ruleWhen: ['manual'], gatesMergeRequests: { value: false, reason: 'manual-through-rules' } });
    expect(runsIn(job)).toBe('mergeRequest=true branch=false defaultBranch=false tag=false schedule=false');
    expect(job.scans.map((scan) => scan.tool)).toEqual(['gitleaks']);
  });

  it('reports inputs that do not match their spec, unknown inputs and required inputs not given', () => {
    const { diagnostics } = resolve({
      '.gitlab-ci.yml': `include:
  - local: ci/scan.yml
    inputs:
      scanner: grype
      job-prefix: Not-Lower
      verbose: "yes"
      colour: red
  - local: ci/scan.yml
`,
      'ci/scan.yml': template,
    });
    expect(diagnostics.map((d) => d.message)).toEqual([
      'Unknown input colour: the included file declares stage, image, scanner, job-prefix, rules-config, verbose, registry.',
      'Input scanner: grype is not one of the options (gitleaks, trufflehog).',
      'Input job-prefix: Not-Lower does not match ^[a-z]+$.',
      'Input verbose: the value is not a boolean.',
      'Input job-prefix is required and not given.',
    ]);
    expect(brief(diagnostics).every((d) => d.startsWith('ci-config@.gitlab-ci.yml:'))).toBe(true);
  });

  it("a pipeline's own input without a default is unknown, never a wrong value: no false stage error, rules unknown", () => {
    const { pipeline, diagnostics } = resolve({
      '.gitlab-ci.yml': `spec:
  inputs:
    stage: {}
    rules-config:
      type: array
---
stages: [build]
deploy:
  stage: $[[ inputs.stage ]]
  script: [./deploy.sh]
  rules: $[[ inputs.rules-config ]]
`,
    });
    expect(diagnostics).toEqual([]);
    const job = jobOf(pipeline, 'deploy');
    expect(job).toMatchObject({ stage: '$[[ inputs.stage ]]', unknownKeys: ['rules', 'stage'], unknownConditions: ['inputs.rules-config'] });
    expect(runsIn(job)).toBe('mergeRequest=unknown branch=unknown defaultBranch=unknown tag=unknown schedule=unknown');
    expect(job.gatesMergeRequests).toEqual({ value: 'unknown', reason: 'unknown-offline', unknown: ['inputs.rules-config'] });
  });
});

describe('CI/CD components', () => {
  const components = {
    'templates/secret-scan.yml': `spec:
  inputs:
    stage:
      default: test
---
secret-scan:
  stage: $[[ inputs.stage ]]
  image: zricethezav/gitleaks:v8.18.4
  script:
    - gitleaks detect --source . --redact
`,
    'templates/iac/template.yml': `iac-scan:
  image: bridgecrew/checkov:3.2.0
  script:
    - checkov -d .
`,
  };

  it('resolves a component of a fleet project (templates/<name>.yml or templates/<name>/template.yml) with its inputs', () => {
    const { pipeline, diagnostics } = resolve(
      {
        '.gitlab-ci.yml': `stages: [security, test]
include:
  - component: gitlab.homelab.local/homelab/ci-components/secret-scan@~latest
    inputs:
      stage: security
  - component: $CI_SERVER_FQDN/homelab/ci-components/iac@1.2.0
`,
      },
      { 'ci-components': components },
    );
    expect(stages(pipeline)).toEqual({ 'iac-scan': 'test', 'secret-scan': 'security' });
    expect(pipeline.includes.map((include) => [include.type, include.resolvedRepo, include.resolved])).toEqual([
      ['component', 'ci-components', true],
      ['component', 'ci-components', true],
    ]);
    // A version other than the loaded tree is read from that tree, and said so.
    expect(diagnostics.map((d) => [d.severity, d.message])).toEqual([
      ['note', "Component iac is read from the fleet's copy of ci-components; version 1.2.0 is not checked against it."],
    ]);
    expect(jobOf(pipeline, 'secret-scan').keyOrigins.script).toMatchObject({ repo: 'ci-components', file: 'templates/secret-scan.yml' });
  });

  it('resolves the same-project form against the revision being linted', () => {
    const { pipeline, diagnostics } = resolve({
      '.gitlab-ci.yml': 'include:\n  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/secret-scan@$CI_COMMIT_SHA\n',
      ...components,
    });
    expect(diagnostics).toEqual([]);
    expect(stages(pipeline)).toEqual({ 'secret-scan': 'test' });
  });

  it("knows GitLab's scanner components by name; other components outside the fleet are noted, not guessed", () => {
    const { pipeline, diagnostics } = resolve({
      '.gitlab-ci.yml': `include:
  - component: gitlab.com/components/secret-detection/secret-detection@2.0.0
  - component: gitlab.com/acme/components/lint/lint@1.0.0
  - component: gitlab.com/components/opentofu/full-pipeline@1.0.0
secret_detection:
  stage: security
stages: [build, security]
`,
    });
    expect(diagnostics.map((d) => d.severity)).toEqual(['note', 'note', 'note']);
    const job = jobOf(pipeline, 'secret_detection');
    // The pipeline's own override of the component's job is merged over what GitLab's component defines.
    expect(job).toMatchObject({ stage: 'security', providedBy: { type: 'component', tool: 'GitLab secret detection' }, allowFailure: true });
    expect(job.scans.map((scan) => [scan.category, scan.tool])).toEqual([['secrets', 'GitLab secret detection']]);
    expect(runsIn(job)).toBe('mergeRequest=true branch=false defaultBranch=true tag=false schedule=true');
    expect(pipeline.unresolvedSources.map((source) => [source.target, source.provides])).toEqual([
      ['gitlab.com/components/secret-detection/secret-detection@2.0.0', ['secrets']],
      ['gitlab.com/acme/components/lint/lint@1.0.0', undefined],
      ['gitlab.com/components/opentofu/full-pipeline@1.0.0', []],
    ]);
  });

  it("counts GitLab's container scanning template for a job that overrides it (omnibus-gitlab's container_scanning)", () => {
    const { pipeline } = resolve({
      '.gitlab-ci.yml': `include:
  - template: Jobs/Container-Scanning.gitlab-ci.yml
stages: [validate]
container_scanning:
  stage: validate
  rules:
    - if: '$PIPELINE_TYPE == "EE_NIGHTLY_BUILD_PIPELINE"'
`,
    });
    const job = jobOf(pipeline, 'container_scanning');
    expect(job.scans.map((scan) => scan.category)).toEqual(['image']);
    expect(job.stage).toBe('validate');
  });
});

describe('include:rules', () => {
  it('adds the jobs of an include that applies only in merge-request pipelines to those pipelines only', () => {
    const { pipeline } = resolve({
      '.gitlab-ci.yml': `include:
  - local: ci/mr.yml
    rules:
      - if: $CI_PIPELINE_SOURCE == "merge_request_event"
build:
  script: [make]
`,
      'ci/mr.yml': 'review:\n  script: [make review]\n  rules:\n    - when: always\n',
    });
    expect(runsIn(jobOf(pipeline, 'review'))).toBe('mergeRequest=true branch=false defaultBranch=false tag=false schedule=false');
    expect(runsIn(jobOf(pipeline, 'build'))).toBe('mergeRequest=false branch=true defaultBranch=true tag=true schedule=true');
  });

  it("does not merge mutually exclusive includes for one pipeline (gitlab-runner's canonical and fork files)", () => {
    const { pipeline } = resolve({
      '.gitlab-ci.yml': `include:
  - local: ci/canonical.yml
    rules:
      - if: $CI_PROJECT_PATH == "homelab/app"
  - local: ci/fork.yml
    rules:
      - if: $CI_PROJECT_PATH != "homelab/app"
build:
  extends: .runner
  script: [make]
`,
      'ci/canonical.yml': '.runner:\n  tags: [canonical]\n  image: golang:1.22\n',
      'ci/fork.yml': '.runner:\n  tags: [saas-linux-small]\n  image: golang:1.21\nfork-only:\n  script: [make]\n',
    });
    expect(stages(pipeline)).toEqual({ build: 'test' });
    expect(jobOf(pipeline, 'build').image).toBe('golang:1.22');
    expect(pipeline.includes.map((include) => [include.target, include.skippedByRules ?? false])).toEqual([
      ['ci/canonical.yml', false],
      ['ci/fork.yml', true],
    ]);
  });

  it('evaluates include:rules exists against the repository files and changes per pipeline (unknown where a diff decides)', () => {
    const { pipeline, diagnostics } = resolve({
      '.gitlab-ci.yml': `include:
  - local: ci/docker.yml
    rules:
      - changes: [Dockerfile]
  - local: ci/docs.yml
    rules:
      - exists: ['docs/**/*.md']
  - local: ci/helm.yml
    rules:
      - exists: ['charts/**/Chart.yaml']
build:
  script: [make]
`,
      'ci/docker.yml': 'image-build:\n  script: [docker build .]\n',
      'ci/docs.yml': 'docs:\n  script: [make docs]\n',
      'ci/helm.yml': 'helm:\n  script: [helm lint]\n',
      'docs/guide/intro.md': '# Guide\n',
    });
    expect(diagnostics).toEqual([]);
    // No chart in the repository: the helm file is not included at all.
    expect(stages(pipeline)).toEqual({ build: 'test', docs: 'test', 'image-build': 'test' });
    expect(runsIn(jobOf(pipeline, 'docs'))).toBe(runsIn(jobOf(pipeline, 'build')));
    // changes: a push's diff decides; tag and schedule pipelines have no diff base, where GitLab takes changes as true.
    expect(jobOf(pipeline, 'image-build')).toMatchObject({ unknownConditions: ['changes'] });
    expect(runsIn(jobOf(pipeline, 'image-build'))).toBe('mergeRequest=false branch=unknown defaultBranch=unknown tag=true schedule=true');
  });
});


describe('workflow:rules:variables and rules:variables', () => {
  it('feeds the variables a workflow rule sets into the jobs of each kind of pipeline', () => {
    const { pipeline } = resolve({
      '.gitlab-ci.yml': `workflow:
  rules:
    - if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS
      when: never
    - if: $CI_PIPELINE_SOURCE == "schedule"
      variables:
        PIPELINE_TYPE: NIGHTLY
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      variables:
        PIPELINE_TYPE: MR
    - if: $CI_COMMIT_TAG
      variables:
        PIPELINE_TYPE: RELEASE
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      variables:
        PIPELINE_TYPE: MAIN
lint:
  script: [make lint]
  rules:
    - if: $PIPELINE_TYPE == "MR" || $PIPELINE_TYPE == "MAIN"
package:
  script: [make package]
  rules:
    - if: $PIPELINE_TYPE =~ /^(NIGHTLY|RELEASE)$/
`,
    });
    expect(pipeline.runsIn).toEqual({ mergeRequest: true, branch: false, defaultBranch: true, tag: true, schedule: true });
    expect(runsIn(jobOf(pipeline, 'lint'))).toBe('mergeRequest=true branch=false defaultBranch=true tag=false schedule=false');
    expect(runsIn(jobOf(pipeline, 'package'))).toBe('mergeRequest=false branch=false defaultBranch=false tag=true schedule=true');
  });

  it("knows each job's $CI_JOB_NAME in rules, also for jobs that share one rules template", () => {
    const { pipeline } = resolve({
      '.gitlab-ci.yml': `variables:
  SKIP_JOB_REGEX: /^(docs|Ubuntu-22.04)/
.default_rules:
  rules:
    - if: $SKIP_JOB_REGEX && $CI_JOB_NAME =~ $SKIP_JOB_REGEX
      when: never
    - when: on_success
docs:
  extends: .default_rules
  script: [make docs]
Ubuntu-22.04:
  extends: .default_rules
  script: [make package]
Ubuntu-24.04:
  extends: .default_rules
  script: [make package]
`,
    });
    expect(pipeline.jobs.map((job) => [job.name, job.runsIn.defaultBranch, job.unknownConditions ?? []])).toEqual([
      ['Ubuntu-22.04', false, []],
      ['Ubuntu-24.04', true, []],
      ['docs', false, []],
    ]);
  });

  it('passes the trigger job variables, rules:variables included, to the child pipeline', () => {
    const { pipeline } = resolve({
      '.gitlab-ci.yml': `variables:
  EDITION: ce
trigger-ee:
  trigger:
    include: ci/child.yml
    strategy: depend
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      variables:
        EDITION: ee
`,
      'ci/child.yml': `ee-scan:
  script: [gitleaks detect --source .]
  rules:
    - if: $EDITION == "ee"
ce-only:
  script: [make]
  rules:
    - if: $EDITION == "ce"
`,
    });
    const child = jobOf(pipeline, 'trigger-ee').trigger?.pipeline;
    expect(child?.jobs.map((job) => [job.name, job.runsIn.defaultBranch])).toEqual([
      ['ce-only', false],
      ['ee-scan', true],
    ]);
  });
});

describe('parallel:matrix and trigger', () => {
  it('expands matrix instances with GitLab names and resolves needs naming an instance', () => {
    const { pipeline, diagnostics } = resolve({
      '.gitlab-ci.yml': `stages: [build, test]
build:
  stage: build
  script: [make]
  parallel:
    matrix:
      - ARCH: [amd64, arm64]
        OS: linux
      - ARCH: riscv64
test:
  stage: test
  script: [make test]
  parallel: 2
  needs:
    - job: build
      parallel:
        matrix:
          - ARCH: amd64
            OS: linux
deploy:
  stage: test
  script: [make deploy]
  needs: [build]
`,
    });
    expect(diagnostics).toEqual([]);
    expect(stages(pipeline)).toEqual({
      'build: [amd64, linux]': 'build',
      'build: [arm64, linux]': 'build',
      'build: [riscv64]': 'build',
      deploy: 'test',
      'test 1/2': 'test',
      'test 2/2': 'test',
    });
    expect(jobOf(pipeline, 'build: [arm64, linux]').parallel).toEqual({ job: 'build', variables: { ARCH: 'arm64', OS: 'linux' } });
    expect(jobOf(pipeline, 'test 2/2').needs).toEqual(['build: [amd64, linux]']);
    // A matrix job's name stands for all its instances.
    expect(jobOf(pipeline, 'deploy').needs).toEqual(['build: [amd64, linux]', 'build: [arm64, linux]', 'build: [riscv64]']);
  });

  it("resolves matrix expressions in needs ($[[ matrix.X ]]): each instance needs its own producer", () => {
    const { pipeline, diagnostics } = resolve({
      '.gitlab-ci.yml': `stages: [build, test]
build:
  stage: build
  script: [make]
  parallel:
    matrix:
      - PROVIDER: [aws, gcp]
test:
  stage: test
  script: [make test]
  parallel:
    matrix:
      - PROVIDER: [aws, gcp]
  needs:
    - job: build
      parallel:
        matrix:
          - PROVIDER: $[[ matrix.PROVIDER ]]
`,
    });
    expect(diagnostics).toEqual([]);
    expect(jobOf(pipeline, 'test: [gcp]').needs).toEqual(['build: [gcp]']);
  });

  it('resolves a child pipeline of local includes and counts its gating scans for the trigger job with strategy: depend', () => {
    const { pipeline } = resolve({
      '.gitlab-ci.yml': `security:
  trigger:
    include:
      - local: ci/security.yml
    strategy: depend
docs:
  trigger:
    include: ci/docs.yml
`,
      'ci/security.yml': 'gitleaks:\n  script: [gitleaks detect --source .]\n',
      'ci/docs.yml': 'docs-secrets:\n  script: [trufflehog filesystem .]\n',
    });
    const security = jobOf(pipeline, 'security');
    expect(security.trigger).toMatchObject({ kind: 'child', target: 'ci/security.yml', strategy: 'depend' });
    expect(security.scans.map((scan) => [scan.tool, scan.nonFailing, scan.evidence.file])).toEqual([['gitleaks', false, 'ci/security.yml']]);
    // Without strategy: depend the parent does not wait for the child: its scans cannot fail the parent.
    expect(jobOf(pipeline, 'docs').scans.map((scan) => [scan.tool, scan.nonFailing])).toEqual([['trufflehog', true]]);
    expect(jobOf(pipeline, 'security').script).toEqual([]);
  });
});

describe('trigger: a child pipeline from a fleet project', () => {
  it('resolves a child pipeline of a project include of the fleet and counts its scans for the trigger job', () => {
    const { pipeline, diagnostics } = resolve(
      {
        '.gitlab-ci.yml': `stages: [build, security]
scans:
  stage: security
  trigger:
    include:
      - project: homelab/ci-templates
        ref: v2
        file: pipelines/scans.yml
    strategy: depend
`,
      },
      { 'ci-templates': { 'pipelines/scans.yml': 'gitleaks:\n  image: zricethezav/gitleaks:v8.18.4\n  script: [gitleaks detect --source .]\n' } },
    );
    expect(diagnostics).toEqual([]);
    const scans = jobOf(pipeline, 'scans');
    expect(scans.trigger).toMatchObject({ kind: 'child', target: 'pipelines/scans.yml', strategy: 'depend' });
    expect(scans.trigger?.pipeline?.jobs.map((job) => [job.name, job.stage, job.image])).toEqual([['gitleaks', 'test', 'zricethezav/gitleaks:v8.18.4']]);
    expect(scans.scans.map((scan) => [scan.tool, scan.nonFailing])).toEqual([['gitleaks', false]]);
  });
});

describe('needs forms and rules:needs', () => {
  it('keeps only local jobs in needs and uses rules:needs where its rule applies', () => {
    const { pipeline } = resolve({
      '.gitlab-ci.yml': `stages: [build, test]
build:
  stage: build
  script: [make]
quick:
  stage: build
  script: [make quick]
test:
  stage: test
  script: [make test]
  needs:
    - build
    - pipeline: $PARENT_PIPELINE_ID
      job: generate
    - project: group/tools
      job: package
      ref: main
    - job: lint
      optional: true
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      needs: [quick]
    - when: on_success
`,
    });
    const test = jobOf(pipeline, 'test');
    expect(test.needs).toEqual(['quick']);
    expect(test.needsDeclared).toBe(true);
  });
});

describe('include:local wildcards as GitLab documents them', () => {
  const files = {
    'configs/a.yml': 'a:\n  script: [x]\n',
    'configs/sub/b.yml': 'b:\n  script: [x]\n',
    'configs/sub/deeper/c.yml': 'c:\n  script: [x]\n',
  };
  const jobsFor = (pattern: string): string[] => resolve({ '.gitlab-ci.yml': `include:\n  - local: '${pattern}'\n`, ...files }).pipeline.jobs.map((job) => job.name);

  it('configs/*.yml does not descend; configs/**.yml takes configs/ and every subfolder; configs/**/*.yml only subfolders', () => {
    expect(jobsFor('configs/*.yml')).toEqual(['a']);
    expect(jobsFor('configs/**.yml')).toEqual(['a', 'b', 'c']);
    expect(jobsFor('configs/**/*.yml')).toEqual(['b', 'c']);
  });
});

describe('what GitLab rejects in the YAML', () => {
  it('reports include: local: "" and scripts nested deeper than ten lists', () => {
    const eleven = `${'['.repeat(11)}echo deep${']'.repeat(11)}`;
    const { diagnostics } = resolve({ '.gitlab-ci.yml': `include:\n  - local: ""\njob:\n  script: ${eleven}\nok:\n  script: ${'['.repeat(9)}echo fine${']'.repeat(9)}\n` });
    expect(diagnostics.map((d) => [d.range?.startLine, d.message])).toEqual([
      [2, 'include: local must name a file; it is empty.'],
      [4, 'job job: script is nested more than 10 lists deep; GitLab accepts a string or lists of strings up to 10 levels.'],
    ]);
  });
});

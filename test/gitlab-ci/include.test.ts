import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { brief, jobOf, repoRoot, resolveCi, resolveIn, scriptOf } from './helpers.js';

describe('include: local', () => {
  it('merges included files first, then lets the including file override (deep merge)', () => {
    const { pipeline, diagnostics } = resolveCi(
      `include:
  - local: /ci/base.yml
  - ci/more.yml
variables:
  SHARED: from-root
build:
  image: node:22
`,
      {
        'ci/base.yml': `variables:
  SHARED: from-base
  BASE_ONLY: yes
build:
  stage: build
  image: node:20
  script:
    - npm ci
`,
        'ci/more.yml': `test:
  script: npm test
`,
      },
    );
    expect(diagnostics).toEqual([]);
    const build = jobOf(pipeline, 'build');
    expect(build.stage).toBe('build');
    expect(build.image).toBe('node:22');
    expect(build.keyOrigins.image?.file).toBe('.gitlab-ci.yml');
    expect(build.keyOrigins.stage).toMatchObject({ repo: 'app', file: 'ci/base.yml', line: 5 });
    expect(build.origin.file).toBe('.gitlab-ci.yml');
    expect(scriptOf(jobOf(pipeline, 'test'))).toEqual(['npm test']);
    expect(pipeline.includes.map((include) => [include.type, include.target, include.resolved])).toEqual([
      ['local', '/ci/base.yml', true],
      ['local', 'ci/more.yml', true],
    ]);
    expect(pipeline.includes[0]?.origin).toMatchObject({ file: '.gitlab-ci.yml', line: 2 });
  });

  it('resolves nested includes and reports a missing file at the include entry', () => {
    const { pipeline, diagnostics } = resolveCi(
      `include: ci/a.yml
`,
      {
        'ci/a.yml': `include:
  - local: ci/b.yml
  - local: ci/nope.yml
a:
  script: echo a
`,
        'ci/b.yml': `b:
  script: echo b
`,
      },
    );
    expect(pipeline.jobs.map((job) => job.name)).toEqual(['a', 'b']);
    expect(brief(diagnostics)).toEqual(['unresolved-include@ci/a.yml:3']);
    expect(diagnostics[0]?.severity).toBe('error');
    expect(diagnostics[0]?.message).toContain('ci/nope.yml does not exist');
    expect(pipeline.partial).toBe(true);
  });

  it('expands wildcard local includes from the repo file list', () => {
    const { pipeline } = resolveCi(`include: 'ci/jobs/*.yml'\n`, {
      'ci/jobs/b.yml': 'b:\n  script: echo b\n',
      'ci/jobs/a.yml': 'a:\n  script: echo a\n',
      'ci/jobs/deep/c.yml': 'c:\n  script: echo c\n',
    });
    expect(pipeline.jobs.map((job) => job.name)).toEqual(['a', 'b']);
    expect(pipeline.includes.map((include) => include.target)).toEqual(['ci/jobs/a.yml', 'ci/jobs/b.yml']);
  });

  it('detects include loops, names the chain and keeps the jobs it could load', () => {
    const { pipeline, diagnostics } = resolveCi(`include: [ci/a.yml]\nroot:\n  script: x\n`, {
      'ci/a.yml': 'include:\n  - local: ci/b.yml\na:\n  script: echo a\n',
      'ci/b.yml': 'include:\n  - local: /ci/a.yml\nb:\n  script: echo b\n',
    });
    expect(brief(diagnostics)).toEqual(['unresolved-include@ci/b.yml:2']);
    expect(diagnostics[0]?.message).toBe('Include loop: .gitlab-ci.yml → ci/a.yml → ci/b.yml → ci/a.yml.');
    expect(pipeline.jobs.map((job) => job.name)).toEqual(['a', 'b', 'root']);
  });

  it('detects a file including itself', () => {
    const { diagnostics } = resolveCi(`include: ci/self.yml\n`, { 'ci/self.yml': 'include: ci/self.yml\nx:\n  script: x\n' });
    expect(diagnostics.map((d) => d.message)).toEqual(['Include loop: .gitlab-ci.yml → ci/self.yml → ci/self.yml.']);
  });

  it('enforces GitLab\'s limit of 150 includes, duplicates counted', () => {
    const entries = Array.from({ length: 151 }, () => '  - local: ci/job.yml').join('\n');
    const { diagnostics, pipeline } = resolveCi(`include:\n${entries}\n`, { 'ci/job.yml': 'job:\n  script: x\n' });
    expect(brief(diagnostics)).toEqual(['unresolved-include@.gitlab-ci.yml:152']);
    expect(diagnostics[0]?.message).toContain('more than 150');
    expect(pipeline.includes.filter((include) => include.resolved)).toHaveLength(150);
  });

  it('allows exactly 150 includes', () => {
    const entries = Array.from({ length: 150 }, (_, i) => `  - local: ci/job${i % 3}.yml`).join('\n');
    const files = Object.fromEntries([0, 1, 2].map((i) => [`ci/job${i}.yml`, `job${i}:\n  script: x\n`]));
    expect(resolveCi(`include:\n${entries}\n`, files).diagnostics).toEqual([]);
  });

  it('rejects a local path that leaves the repo and an entry without a known key', () => {
    const { diagnostics } = resolveCi(`include:\n  - local: ../other/ci.yml\n  - foo: bar\n`);
    expect(brief(diagnostics)).toEqual(['unresolved-include@.gitlab-ci.yml:2', 'ci-config@.gitlab-ci.yml:3']);
  });

  it('reports an included file with YAML errors or that is not a map', () => {
    const { diagnostics } = resolveCi(`include:\n  - ci/broken.yml\n  - ci/list.yml\n`, { 'ci/broken.yml': 'a: [1, 2\n', 'ci/list.yml': '- a\n- b\n' });
    expect(brief(diagnostics)).toEqual(['unresolved-include@.gitlab-ci.yml:2', 'unresolved-include@.gitlab-ci.yml:3']);
  });
});

describe('include: rules', () => {
  it('records conditional includes and loads them unless their rules never match (exists: read from the repo files)', () => {
    const { pipeline, diagnostics } = resolveCi(
      `include:
  - local: ci/maybe.yml
    rules:
      - if: $CI_PROJECT_PATH == "homelab/app"
  - local: ci/never.yml
    rules:
      - when: never
  - local: ci/constant.yml
    rules:
      - if: '"a" == "b"'
  - local: ci/exists.yml
    rules:
      - exists: [Dockerfile]
  - local: ci/absent.yml
    rules:
      - exists: [Containerfile]
`,
      {
        'ci/maybe.yml': 'maybe:\n  script: x\n',
        'ci/never.yml': 'never:\n  script: x\n',
        'ci/constant.yml': 'constant:\n  script: x\n',
        'ci/exists.yml': 'exists:\n  script: x\n',
        'ci/absent.yml': 'absent:\n  script: x\n',
        Dockerfile: 'FROM alpine:3.20\n',
      },
    );
    expect(diagnostics).toEqual([]);
    expect(pipeline.jobs.map((job) => job.name)).toEqual(['exists', 'maybe']);
    expect(pipeline.includes.map((include) => [include.target, include.conditional, include.skippedByRules ?? false, include.resolved])).toEqual([
      ['ci/maybe.yml', true, false, true],
      ['ci/never.yml', true, true, false],
      ['ci/constant.yml', true, true, false],
      ['ci/exists.yml', true, false, true],
      ['ci/absent.yml', true, true, false],
    ]);
    expect(pipeline.partial).toBeUndefined();
    // $CI_PROJECT_PATH is not known in this fleet: the file may or may not be included, and so may its job.
    expect(jobOf(pipeline, 'maybe')).toMatchObject({ runsIn: { mergeRequest: false, defaultBranch: 'unknown' }, unknownConditions: ['$CI_PROJECT_PATH'] });
    expect(jobOf(pipeline, 'exists').runsIn.defaultBranch).toBe(true);
  });

  it("does not read the configuration's own variables in include:rules, and keeps their reasons apart per kind", () => {
    // omnibus-gitlab's shape: CANONICAL is defined in the YAML, where workflow:rules and job rules see it; GitLab
    // evaluates include:rules before the YAML, so there it is a project setting (unknown offline).
    const { pipeline, diagnostics } = resolveCi(
      `variables:
  CANONICAL: homelab/app
include:
  - local: ci/canonical.yml
    rules:
      - if: $CANONICAL == "homelab/app"
workflow:
  rules:
    - if: $CANONICAL == "homelab/app" && $CI_COMMIT_TAG && $CI_COMMIT_REF_PROTECTED == "true"
    - if: $CI_COMMIT_TAG
      when: never
    - when: always
own:
  script: x
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule" && $NIGHTLY
    - if: $CANONICAL == "homelab/app"
`,
      { 'ci/canonical.yml': 'canonical:\n  script: x\n' },
    );
    expect(diagnostics).toEqual([]);
    expect(pipeline.runsIn).toMatchObject({ defaultBranch: true, tag: 'unknown' });
    expect(pipeline.unknownIn).toEqual({ tag: { conditions: ['$CI_COMMIT_REF_PROTECTED'] } });
    // In push, merge-request and tag pipelines a variable only the project's settings could set is presumed unset
    // (the include does not apply); a schedule may set it.
    expect(jobOf(pipeline, 'canonical')).toMatchObject({
      runsIn: { mergeRequest: false, defaultBranch: false, tag: false, schedule: 'unknown' },
      unknownConditions: ['$CANONICAL'],
      unknownIn: { schedule: { conditions: [], include: ['$CANONICAL'] } },
    });
    // The job's own rules read CANONICAL from the YAML: known; only a schedule's NIGHTLY is not.
    expect(jobOf(pipeline, 'own')).toMatchObject({ runsIn: { defaultBranch: true, schedule: true } });
    expect(jobOf(pipeline, 'own').unknownIn).toBeUndefined();
  });
});

describe('include: project (cross-repo)', () => {
  const templates = {
    'templates/scan.yml': `include:
  - local: templates/common.yml
.scan:
  extends: .common
  stage: test
  image: aquasec/trivy:0.50.0
  script:
    - trivy fs .
`,
    'templates/common.yml': `.common:
  before_script:
    - echo common
  tags: [docker]
`,
    'templates/scan.yml@v2': `.scan:
  stage: test
  script:
    - trivy fs --v2 .
`,
  };

  it('reads the file from the fleet repo and resolves its nested local includes in that repo', () => {
    const { pipeline, diagnostics, fleet } = resolveIn({
      'platform/ci-templates': templates,
      app: {
        '.gitlab-ci.yml': `include:
  - project: homelab/platform/ci-templates
    file: templates/scan.yml
scan:
  extends: .scan
`,
        // Same path in the consumer: must NOT be the one the template's nested include reads.
        'templates/common.yml': '.common:\n  before_script: [echo wrong]\n',
      },
    });
    expect(diagnostics).toEqual([]);
    const scan = jobOf(pipeline, 'scan');
    expect(scriptOf(scan)).toEqual(['echo common', 'trivy fs .']);
    expect(scan.image).toBe('aquasec/trivy:0.50.0');
    expect(scan.keyOrigins.image).toMatchObject({ repo: 'platform/ci-templates', file: 'templates/scan.yml', line: 6 });
    expect(scan.keyOrigins.before_script).toMatchObject({ repo: 'platform/ci-templates', file: 'templates/common.yml', line: 2 });
    expect(scan.script[1]?.origin).toMatchObject({ repo: 'platform/ci-templates', file: 'templates/scan.yml', line: 8 });
    expect(scan.keyOrigins.extends).toMatchObject({ repo: 'app', file: '.gitlab-ci.yml', line: 5 });
    expect(pipeline.includes.map((include) => [include.type, include.target, include.resolvedRepo, include.viaRepo, include.resolved])).toEqual([
      ['project', 'templates/scan.yml', 'platform/ci-templates', undefined, true],
      ['local', 'templates/common.yml', undefined, 'platform/ci-templates', true],
    ]);
    expect(fleet.lookups.map((lookup) => `${lookup.repo}:${lookup.file}`)).toEqual(['app:.gitlab-ci.yml', 'platform/ci-templates:templates/scan.yml', 'platform/ci-templates:templates/common.yml']);
  });

  it('passes ref and reads several files', () => {
    const { pipeline, fleet } = resolveIn({
      'platform/ci-templates': templates,
      app: {
        '.gitlab-ci.yml': `include:
  - project: homelab/platform/ci-templates
    ref: v2
    file: [templates/scan.yml, templates/common.yml]
scan:
  extends: [.scan, .common]
`,
      },
    });
    expect(scriptOf(jobOf(pipeline, 'scan'))).toEqual(['echo common', 'trivy fs --v2 .']);
    expect(fleet.lookups.slice(1).map((lookup) => lookup.ref)).toEqual(['v2', 'v2']);
    expect(pipeline.includes.map((include) => include.ref)).toEqual(['v2', 'v2']);
  });

  it('reports a missing file in a fleet project and a fleet project that does not exist as errors, other projects as notes', () => {
    const { diagnostics, pipeline } = resolveIn({
      'platform/ci-templates': templates,
      app: {
        '.gitlab-ci.yml': `include:
  - project: homelab/platform/ci-templates
    file: templates/nope.yml
  - project: homelab/platform/gone
    file: x.yml
  - project: other-org/templates
    file: x.yml
`,
      },
    });
    expect(diagnostics.map((d) => [d.severity, d.range?.startLine])).toEqual([
      ['error', 2],
      ['error', 4],
      ['note', 6],
    ]);
    expect(diagnostics[0]?.message).toContain('does not exist in platform/ci-templates');
    expect(pipeline.partial).toBe(true);
  });

  it('attributes a problem inside a template to the consumer\'s include entry, with the template as related', () => {
    const { diagnostics } = resolveIn({
      'platform/ci-templates': { 'templates/bad.yml': 'include:\n  - local: templates/missing.yml\n.x:\n  script: x\n' },
      app: { '.gitlab-ci.yml': '\n\ninclude:\n  - project: homelab/platform/ci-templates\n    file: templates/bad.yml\n' },
    });
    expect(brief(diagnostics)).toEqual(['unresolved-include@.gitlab-ci.yml:4']);
    expect(diagnostics[0]?.repo).toBe('app');
    expect(diagnostics[0]?.related?.[0]).toMatchObject({ repo: 'platform/ci-templates', file: 'templates/bad.yml', range: { startLine: 2 } });
    expect(diagnostics[0]?.message).toContain('(in platform/ci-templates: templates/bad.yml:2)');
  });

  it('reads a remote raw URL of a fleet project from the fleet', () => {
    const { pipeline, diagnostics } = resolveIn({
      'platform/ci-templates': templates,
      app: { '.gitlab-ci.yml': 'include: https://gitlab.homelab.local/homelab/platform/ci-templates/-/raw/v2/templates/scan.yml\nscan:\n  extends: .scan\n' },
    });
    expect(diagnostics).toEqual([]);
    expect(scriptOf(jobOf(pipeline, 'scan'))).toEqual(['trivy fs --v2 .']);
    expect(pipeline.includes[0]).toMatchObject({ type: 'remote', resolvedRepo: 'platform/ci-templates', ref: 'v2', resolved: true });
  });

  it('points keyOrigins of a job built on the homelab ci-templates into the template repo', () => {
    const template = fs.readFileSync(path.join(repoRoot, 'fixtures/homelab/platform/ci-templates/templates/security-scan.yml'), 'utf8');
    const { pipeline, diagnostics } = resolveIn({
      'platform/ci-templates': { 'templates/security-scan.yml': template },
      app: {
        '.gitlab-ci.yml': `stages: [security]
include:
  - project: 'homelab/platform/ci-templates'
    file: 'templates/security-scan.yml'
checkov:
  extends: .security:checkov
`,
      },
    });
    expect(diagnostics).toEqual([]);
    const job = jobOf(pipeline, 'checkov');
    expect(job.stage).toBe('security');
    expect(job.image).toBe('bridgecrew/checkov:latest');
    expect(job.allowFailure).toBe(true);
    expect(job.keyOrigins.artifacts).toMatchObject({ repo: 'platform/ci-templates', file: 'templates/security-scan.yml', line: 10 });
    expect(job.keyOrigins.allow_failure).toMatchObject({ repo: 'platform/ci-templates', line: 15 });
    expect(job.script[0]).toMatchObject({ section: 'script', origin: { repo: 'platform/ci-templates', line: 6 } });
    expect(pipeline.hiddenJobs).toContain('.security:trufflehog');
  });
});

describe('include: not resolvable offline', () => {
  it('notes template, remote and component includes and does not fail on them', () => {
    const { pipeline, diagnostics } = resolveCi(`include:
  - template: Security/SAST.gitlab-ci.yml
  - remote: https://example.com/ci.yml
  - https://example.com/short.yml
  - component: $CI_SERVER_FQDN/org/comp/thing@1.0
  - local: ci/$VARIANT.yml
sast:
  variables:
    SAST_EXCLUDED_PATHS: vendor
`);
    expect(diagnostics.map((d) => `${d.severity}:${d.range?.startLine}`)).toEqual(['note:2', 'note:3', 'note:4', 'note:5', 'note:6']);
    expect(diagnostics.every((d) => d.ruleId === 'unresolved-include')).toBe(true);
    expect(pipeline.includes.map((include) => include.type)).toEqual(['template', 'remote', 'remote', 'component', 'local']);
    expect(pipeline.includes.every((include) => !include.resolved && include.problem === 'not resolvable offline')).toBe(true);
    expect(pipeline.partial).toBe(true);
    // The job that overrides a template job is kept, without script (it lives in the template).
    expect(jobOf(pipeline, 'sast').script).toEqual([]);
  });

  it('tolerates extends parents and references that may come from an unresolved include', () => {
    const { pipeline, diagnostics } = resolveCi(`include:
  - template: Jobs/Secret-Detection.gitlab-ci.yml
scan:
  extends: .secret-analyzer
  script:
    - !reference [.secret-analyzer, script]
    - echo done
`);
    expect(diagnostics.map((d) => d.severity)).toEqual(['note']);
    const scan = jobOf(pipeline, 'scan');
    expect(scan.unresolved).toEqual(['!reference [.secret-analyzer, script]', '.secret-analyzer']);
    expect(scriptOf(scan)).toEqual(['echo done']);
  });
});

describe('include: variables in paths', () => {
  it('notes project includes that use variables instead of guessing', () => {
    const { diagnostics } = resolveIn({
      'platform/ci-templates': { 'templates/a.yml': '.a:\n  script: x\n' },
      app: { '.gitlab-ci.yml': 'include:\n  - project: homelab/$TEMPLATES\n    file: a.yml\n  - project: homelab/platform/ci-templates\n    file: templates/$NAME.yml\n' },
    });
    expect(diagnostics.map((d) => `${d.severity}:${d.range?.startLine}`)).toEqual(['note:2', 'note:4']);
  });
});

describe('include: diamonds', () => {
  it('loads a file included twice, and reports its problems once', () => {
    const { pipeline, diagnostics } = resolveCi('include: [ci/a.yml, ci/b.yml]\n', {
      'ci/a.yml': 'include: ci/common.yml\na:\n  script: x\n',
      'ci/b.yml': 'include: ci/common.yml\nb:\n  script: x\n',
      'ci/common.yml': 'common:\n  extends: .gone\n  script: x\n',
    });
    expect(pipeline.jobs.map((job) => job.name)).toEqual(['a', 'b', 'common']);
    expect(brief(diagnostics)).toEqual(['ci-config@ci/common.yml:2']);
    expect(pipeline.includes).toHaveLength(4);
  });
});

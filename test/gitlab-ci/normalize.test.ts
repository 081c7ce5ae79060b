import { describe, expect, it } from 'vitest';
import { jobOf, resolveCi, scriptOf } from './helpers.js';

describe('default: and inherit', () => {
  const ci = `default:
  image: node:22
  services: [postgres:16]
  before_script: [echo default-before]
  after_script: [echo default-after]
  retry: 2
plain:
  script: [npm test]
own:
  image: { name: node:20, entrypoint: [""] }
  before_script: []
  script: [npm test]
none:
  inherit: { default: false }
  script: [x]
some:
  inherit:
    default: [image]
  script: [x]
`;

  it('fills keys the job does not set, keeping the default block\'s origin', () => {
    const { pipeline } = resolveCi(ci);
    const plain = jobOf(pipeline, 'plain');
    expect(plain.image).toBe('node:22');
    expect(plain.services).toEqual(['postgres:16']);
    expect(plain.script.map((line) => `${line.section}:${line.text}`)).toEqual(['before_script:echo default-before', 'script:npm test', 'after_script:echo default-after']);
    expect(plain.keyOrigins.image?.line).toBe(2);
    expect(plain.keyOrigins.retry?.line).toBe(6);
  });

  it('lets the job\'s own keys win, an empty list included', () => {
    const own = jobOf(resolveCi(ci).pipeline, 'own');
    expect(own.image).toBe('node:20');
    expect(scriptOf(own)).toEqual(['npm test', 'echo default-after']);
  });

  it('honours inherit:default false and a list', () => {
    const { pipeline } = resolveCi(ci);
    const none = jobOf(pipeline, 'none');
    expect(none.image).toBeUndefined();
    expect(none.services).toEqual([]);
    expect(scriptOf(none)).toEqual(['x']);
    const some = jobOf(pipeline, 'some');
    expect(some.image).toBe('node:22');
    expect(some.services).toEqual([]);
  });

  it('uses the deprecated top-level image/before_script when default: does not set them', () => {
    const { pipeline } = resolveCi(`image: alpine
before_script: [echo global]
default:
  image: debian
job:
  script: [x]
`);
    const job = jobOf(pipeline, 'job');
    expect(job.image).toBe('debian');
    expect(scriptOf(job)).toEqual(['echo global', 'x']);
  });
});

describe('normalized job fields', () => {
  it('normalizes stage, image, services, when, allow_failure, needs', () => {
    const { pipeline } = resolveCi(`job:
  image:
    name: registry.example.com/tools:1.2
  services:
    - redis:7
    - name: postgres:16
      alias: db
  script: make
  allow_failure:
    exit_codes: [42, 137]
  needs:
    - build
    - job: lint
      artifacts: false
    - pipeline: other
build:
  stage: build
  script: make
  when: manual
lint:
  script: make lint
  when: manual
  allow_failure: false
single:
  script: make
  allow_failure: { exit_codes: 3 }
`);
    const job = jobOf(pipeline, 'job');
    expect(job).toMatchObject({ stage: 'test', image: 'registry.example.com/tools:1.2', services: ['redis:7', 'postgres:16'], when: 'on_success', allowFailure: [42, 137], needs: ['build', 'lint'], extends: [], mixesRulesAndOnly: false });
    expect(scriptOf(job)).toEqual(['make']);
    expect(job.origin).toMatchObject({ file: '.gitlab-ci.yml', line: 1, repo: 'app' });
    // GitLab: a manual job outside rules may fail unless it says otherwise.
    expect(jobOf(pipeline, 'build')).toMatchObject({ when: 'manual', allowFailure: true, stage: 'build' });
    expect(jobOf(pipeline, 'lint').allowFailure).toBe(false);
    expect(jobOf(pipeline, 'single').allowFailure).toEqual([3]);
  });

  it('keeps multi-line script entries as one line with their origin', () => {
    const { pipeline } = resolveCi(`job:
  script:
    - |
      echo one
      echo two
    - >
      folded
      text
`);
    const job = jobOf(pipeline, 'job');
    expect(scriptOf(job)).toEqual(['echo one\necho two\n', 'folded text\n']);
    expect(job.script.map((line) => line.origin.line)).toEqual([3, 6]);
  });

  it('sorts jobs by name and lists hidden jobs separately', () => {
    const { pipeline } = resolveCi('b:\n  script: x\n.hidden:\n  script: x\na:\n  script: x\n.not-a-job: text\n');
    expect(pipeline.jobs.map((job) => job.name)).toEqual(['a', 'b']);
    expect(pipeline.hiddenJobs).toEqual(['.hidden']);
  });

  it('reports a visible job that is not a map', () => {
    const { diagnostics } = resolveCi('job: echo hi\n');
    expect(diagnostics).toMatchObject([{ ruleId: 'ci-config', range: { startLine: 1 } }]);
  });
});

describe('stages', () => {
  it('uses GitLab\'s defaults when stages are not declared', () => {
    const { pipeline } = resolveCi('job:\n  script: x\n');
    expect(pipeline).toMatchObject({ stages: ['.pre', 'build', 'test', 'deploy', '.post'], stagesDeclared: false });
  });

  it('adds .pre and .post around declared stages and flattens referenced lists', () => {
    const { pipeline } = resolveCi(`.extra: [scan, publish]
stages:
  - build
  - !reference [.extra]
  - .post
job:
  stage: scan
  script: x
`);
    expect(pipeline).toMatchObject({ stages: ['.pre', 'build', 'scan', 'publish', '.post'], stagesDeclared: true });
  });
});

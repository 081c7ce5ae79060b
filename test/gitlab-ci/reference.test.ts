import { describe, expect, it } from 'vitest';
import { brief, jobOf, resolveCi, scriptOf } from './helpers.js';

describe('!reference', () => {
  it('pulls script lines from another job, flattening the nested list, with the lines\' own origins', () => {
    const { pipeline, diagnostics } = resolveCi(`.setup:
  script:
    - echo one
    - echo two
job:
  script:
    - !reference [.setup, script]
    - echo three
`);
    expect(diagnostics).toEqual([]);
    const job = jobOf(pipeline, 'job');
    expect(scriptOf(job)).toEqual(['echo one', 'echo two', 'echo three']);
    expect(job.script.map((line) => line.origin.line)).toEqual([3, 4, 8]);
    expect(job.keyOrigins.script?.line).toBe(6);
  });

  it('resolves nested references (a referenced list that itself references)', () => {
    const { pipeline } = resolveCi(`.snippets:
  one:
    - echo ONE
  two:
    - !reference [.snippets, one]
    - echo TWO
  three:
    - !reference [.snippets, two]
    - echo THREE
job:
  script:
    - !reference [.snippets, three]
`);
    expect(scriptOf(jobOf(pipeline, 'job'))).toEqual(['echo ONE', 'echo TWO', 'echo THREE']);
  });

  it('resolves after extends, so it sees what the referenced job inherited', () => {
    const { pipeline } = resolveCi(`.base:
  before_script: [echo base]
.child:
  extends: .base
job:
  before_script:
    - !reference [.child, before_script]
    - echo job
  script: [x]
`);
    expect(scriptOf(jobOf(pipeline, 'job'), 'before_script')).toEqual(['echo base', 'echo job']);
  });

  it('replaces whole values: rules, a scalar, a top-level list, across files', () => {
    const { pipeline } = resolveCi(`include: ci/rules.yml
.image: alpine:3.20
job:
  image: !reference [.image]
  rules: !reference [.mr-only, rules]
  script: [x]
`, { 'ci/rules.yml': '.mr-only:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n' });
    const job = jobOf(pipeline, 'job');
    expect(job.image).toBe('alpine:3.20');
    expect(job.runsInMergeRequests).toBe(true);
    expect(job.runsOnDefaultBranch).toBe(false);
  });

  it('reports a missing target, a malformed tag and a self-reference without looping', () => {
    const { pipeline, diagnostics } = resolveCi(`job:
  script:
    - !reference [.nope, script]
    - !reference [job, { a: 1 }]
    - echo ok
loop:
  script:
    - !reference [loop, script]
`);
    expect(brief(diagnostics)).toEqual(['ci-config@.gitlab-ci.yml:3', 'ci-config@.gitlab-ci.yml:4', 'ci-config@.gitlab-ci.yml:8']);
    expect(diagnostics[0]?.message).toBe('!reference [.nope, script] does not exist.');
    expect(scriptOf(jobOf(pipeline, 'job'))).toEqual(['echo ok']);
  });
});

describe('YAML anchors, aliases and merge keys', () => {
  it('applies <<: merges (explicit keys win, earlier sources win) and keeps the anchor\'s lines', () => {
    const { pipeline, diagnostics } = resolveCi(`.defaults: &defaults
  image: ruby:3.3
  stage: build
  script:
    - bundle exec rake
.other: &other
  image: ruby:2.7
  when: manual
job:
  <<: [*defaults, *other]
  stage: test
`);
    expect(diagnostics).toEqual([]);
    const job = jobOf(pipeline, 'job');
    expect(job.image).toBe('ruby:3.3');
    expect(job.stage).toBe('test');
    expect(job.when).toBe('manual');
    expect(job.keyOrigins.image?.line).toBe(2);
    expect(job.script[0]?.origin.line).toBe(5);
  });

  it('flattens aliased script lists', () => {
    const { pipeline } = resolveCi(`.scripts: &setup
  - echo a
  - echo b
job:
  script:
    - *setup
    - echo c
`);
    expect(scriptOf(jobOf(pipeline, 'job'))).toEqual(['echo a', 'echo b', 'echo c']);
  });

  it('merges rule conditions with <<:', () => {
    const { pipeline } = resolveCi(`.if-mr: &if-mr
  if: $CI_PIPELINE_SOURCE == "merge_request_event"
job:
  rules:
    - <<: *if-mr
      when: manual
  script: [x]
`);
    const job = jobOf(pipeline, 'job');
    expect(job.runsInMergeRequests).toBe(true);
    expect(job.runsOnDefaultBranch).toBe(false);
    expect(job.ruleWhen).toEqual(['manual']);
  });
});

describe('!reference in unused hidden jobs', () => {
  it('is checked too, as GitLab resolves every reference of the configuration', () => {
    const { diagnostics } = resolveCi('.unused:\n  script:\n    - !reference [.gone, script]\njob:\n  script: x\n');
    expect(brief(diagnostics)).toEqual(['ci-config@.gitlab-ci.yml:3']);
  });
});

import { describe, expect, it } from 'vitest';
import { jobOf, resolveCi } from './helpers.js';

/** `runsInMergeRequests/runsOnDefaultBranch` of each job of a pipeline. */
function runs(ci: string, extra: { defaultBranch?: string } = {}): Record<string, string> {
  const { pipeline } = resolveCi(ci, {}, extra);
  return Object.fromEntries(pipeline.jobs.map((job) => [job.name, `${job.runsInMergeRequests ? 'mr' : '-'}/${job.runsOnDefaultBranch ? 'main' : '-'}`]));
}

describe('rules:', () => {
  it('evaluates if rules against MR and default-branch pipelines', () => {
    expect(
      runs(`mr-only:
  script: x
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
main-only:
  script: x
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
both:
  script: x
  rules:
    - if: $CI_MERGE_REQUEST_IID
    - if: $CI_COMMIT_BRANCH == "main"
tags-only:
  script: x
  rules:
    - if: $CI_COMMIT_TAG
always:
  script: x
  rules:
    - when: always
no-match:
  script: x
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
`),
    ).toEqual({ 'mr-only': 'mr/-', 'main-only': '-/main', both: 'mr/main', 'tags-only': '-/-', always: 'mr/main', 'no-match': '-/-' });
  });

  it('stops at the first matching rule; when: never excludes; manual still runs', () => {
    expect(
      runs(`not-in-mr:
  script: x
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      when: never
    - when: on_success
manual:
  script: x
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      when: manual
`),
    ).toEqual({ 'not-in-mr': 'mr/main', manual: 'mr/-' });
    // `not-in-mr` is kept out of the MR pipeline, but without workflow:rules the MR branch's own branch pipeline
    // runs it on the MR's commits, which is what "runs for MRs" means here (see rules.ts).
    const { pipeline } = resolveCi(`workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
not-in-mr:
  script: x
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      when: never
    - when: on_success
`);
    expect(jobOf(pipeline, 'not-in-mr')).toMatchObject({ runsInMergeRequests: false, runsOnDefaultBranch: true });
  });

  it('presumes a variable nothing defines unset (outside schedules), says so, and counts changes as may run', () => {
    const { pipeline } = resolveCi(`user-var:
  script: x
  rules:
    - if: $DEPLOY_ENABLED == "true"
changes:
  script: x
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      changes: [src/**/*]
maybe-never:
  script: x
  rules:
    - if: $SKIP_SCAN
      when: never
    - when: manual
`);
    // Only the project's settings could set DEPLOY_ENABLED in a push or MR pipeline; a schedule's variables may.
    expect(jobOf(pipeline, 'user-var')).toMatchObject({
      runsIn: { mergeRequest: false, branch: false, defaultBranch: false, tag: false, schedule: 'unknown' },
      assumedUnset: ['DEPLOY_ENABLED'],
      unknownConditions: ['$DEPLOY_ENABLED'],
      unknownIn: { schedule: { conditions: ['$DEPLOY_ENABLED'] } },
      // Left out of MRs only by that presumption: not a fact a policy may stand on.
      gatesMergeRequests: { value: 'unknown', reason: 'unknown-offline', unknown: ['$DEPLOY_ENABLED'] },
    });
    // changes: the MR's files decide; a job that runs when its files change gates the MRs that change them.
    expect(jobOf(pipeline, 'changes')).toMatchObject({
      runsIn: { mergeRequest: 'unknown', defaultBranch: false },
      unknownConditions: ['changes'],
      runsInMergeRequests: true,
      runsOnDefaultBranch: false,
      gatesMergeRequests: { value: true },
    });
    expect(jobOf(pipeline, 'maybe-never')).toMatchObject({ runsInMergeRequests: true, runsOnDefaultBranch: true, ruleWhen: ['manual'] });
  });

  it('uses variables defined in YAML (global and job, with inherit:variables)', () => {
    expect(
      runs(`variables:
  SCAN: "false"
off:
  script: x
  rules:
    - if: $SCAN == "true"
on:
  script: x
  variables:
    SCAN: "true"
  rules:
    - if: $SCAN == "true"
not-inherited:
  script: x
  inherit:
    variables: false
  rules:
    - if: $SCAN == "false"
      when: never
    - when: always
`),
    ).toEqual({ off: '-/-', on: 'mr/main', 'not-inherited': 'mr/main' });
  });

  it('honours the default branch name', () => {
    expect(runs('job:\n  script: x\n  rules:\n    - if: $CI_COMMIT_BRANCH == "trunk"\n', { defaultBranch: 'trunk' })).toEqual({ job: '-/main' });
  });

  it('flags rules mixed with only/except, and lets rules decide', () => {
    const { pipeline } = resolveCi(`.base:
  only: [main]
job:
  extends: .base
  script: x
  rules:
    - if: $CI_MERGE_REQUEST_IID
clean:
  script: x
  rules:
    - when: always
`);
    expect(jobOf(pipeline, 'job')).toMatchObject({ mixesRulesAndOnly: true, runsInMergeRequests: true, runsOnDefaultBranch: false });
    expect(jobOf(pipeline, 'clean').mixesRulesAndOnly).toBe(false);
  });
});

describe('only/except and the default', () => {
  it('treats a job without rules or only as running for MRs (through the branch pipeline) and on main', () => {
    expect(runs('job:\n  script: x\n')).toEqual({ job: 'mr/main' });
  });

  it('evaluates refs keywords, names and regexes', () => {
    expect(
      runs(`mrs:
  script: x
  only: [merge_requests]
main:
  script: x
  only: [main]
branches:
  script: x
  only: [branches]
tags:
  script: x
  only: [tags]
release-regex:
  script: x
  only: ['/^release-.*$/']
except-main:
  script: x
  except: [main]
except-mrs:
  script: x
  only: [branches, merge_requests]
  except: [merge_requests]
schedules:
  script: x
  only:
    refs: [schedules]
`),
    ).toEqual({
      mrs: 'mr/-',
      main: '-/main',
      branches: 'mr/main',
      tags: '-/-',
      'release-regex': 'mr/-',
      'except-main': 'mr/-',
      'except-mrs': 'mr/main',
      schedules: '-/-',
    });
  });

  it('evaluates only:variables (any) and except:variables, and ANDs only keys', () => {
    expect(
      runs(`vars:
  script: x
  only:
    variables:
      - $CI_PIPELINE_SOURCE == "merge_request_event"
      - $CI_COMMIT_BRANCH == "nope"
refs-and-vars:
  script: x
  only:
    refs: [branches]
    variables: [$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH]
except-vars:
  script: x
  except:
    variables: [$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH]
kubernetes:
  script: x
  only:
    kubernetes: active
`),
    ).toEqual({ vars: 'mr/-', 'refs-and-vars': '-/main', 'except-vars': 'mr/-', kubernetes: 'mr/main' });
  });
});

describe('workflow:rules', () => {
  it('restricting pipelines to MRs removes branch-pipeline jobs from MRs and from the default branch', () => {
    const { pipeline } = resolveCi(`workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
plain:
  script: x
mr:
  script: x
  rules:
    - if: $CI_MERGE_REQUEST_IID
`);
    expect(pipeline.workflowAllowsMergeRequests).toBe(true);
    expect(jobOf(pipeline, 'plain')).toMatchObject({ runsInMergeRequests: false, runsOnDefaultBranch: false });
    expect(jobOf(pipeline, 'mr')).toMatchObject({ runsInMergeRequests: true, runsOnDefaultBranch: false });
  });

  it('the "avoid duplicate pipelines" workflow: branch pipelines of MR branches do not run', () => {
    const { pipeline } = resolveCi(`workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS
      when: never
    - if: $CI_COMMIT_BRANCH
plain:
  script: x
`);
    expect(jobOf(pipeline, 'plain')).toMatchObject({ runsInMergeRequests: false, runsOnDefaultBranch: true });
  });

  it('a workflow that only allows the default branch disables MR pipelines', () => {
    const { pipeline } = resolveCi(`workflow:
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
job:
  script: x
  rules:
    - when: always
`);
    expect(pipeline.workflowAllowsMergeRequests).toBe(false);
    expect(jobOf(pipeline, 'job')).toMatchObject({ runsInMergeRequests: false, runsOnDefaultBranch: true });
  });

  it('workflow rules can come from a !reference', () => {
    const { pipeline } = resolveCi(`.wf:
  rules:
    - if: $CI_PIPELINE_SOURCE == "push"
workflow:
  rules: !reference [.wf, rules]
job:
  script: x
`);
    expect(pipeline.workflowAllowsMergeRequests).toBe(false);
    expect(jobOf(pipeline, 'job')).toMatchObject({ runsInMergeRequests: true, runsOnDefaultBranch: true });
  });
});

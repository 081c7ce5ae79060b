import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePipeline } from '../../src/model/gitlab-ci/resolve.js';
import type { CiPipeline } from '../../src/model/gitlab-ci/types.js';
import { jobOf, readRepoDir, repoRoot, scriptOf, testFleet } from './helpers.js';

/** GitLab Runner's own pipeline (see test/vendor/corpus/README.md): real includes, extends, !reference, anchors. */
const corpusDir = path.resolve(repoRoot, 'test/vendor/corpus/gitlab-runner-ci');
const fleet = testFleet({ 'gitlab-runner': readRepoDir(corpusDir) });

function resolveCorpus(): ReturnType<typeof resolvePipeline> {
  return resolvePipeline(fleet.context('gitlab-runner'));
}

describe('corpus: gitlab-runner CI', () => {
  const started = performance.now();
  const result = resolveCorpus();
  const coldMs = performance.now() - started;
  const pipeline = result.pipeline as CiPipeline;

  it('parses cleanly and resolves with no diagnostics but genuinely unresolvable includes', () => {
    expect(fleet.parseDiagnostics).toEqual([]);
    expect(pipeline).toBeDefined();
    for (const diagnostic of result.diagnostics) {
      expect(diagnostic).toMatchObject({ ruleId: 'unresolved-include', severity: 'note' });
    }
    const unresolved = pipeline.includes.filter((include) => !include.resolved);
    expect(unresolved.map((include) => include.type).sort()).toEqual(['component', 'component', 'component', 'project', 'template']);
    expect(unresolved.every((include) => include.problem === 'not resolvable offline')).toBe(true);
    expect(result.diagnostics).toHaveLength(unresolved.length);
    expect(pipeline.includes.filter((include) => include.resolved)).toHaveLength(17);
    expect(pipeline.includes.filter((include) => include.conditional).map((include) => include.target)).toEqual([
      '/.gitlab/ci/_project_canonical.gitlab-ci.yml',
      '/.gitlab/ci/_project_fork.gitlab-ci.yml',
      '${CI_SERVER_FQDN}/gitlab-org/components/danger-review/danger-review@2.1.0',
    ]);
  });

  it('finds every visible job, the declared stages and the hidden jobs', () => {
    // 79 visible top-level jobs across the 17 files (checked independently of the resolver).
    expect(pipeline.jobs.length).toBeGreaterThan(50);
    expect(pipeline.jobs).toHaveLength(79);
    expect(pipeline.stagesDeclared).toBe(true);
    expect(pipeline.stages).toEqual(['.pre', 'build', 'qa', 'test', 'coverage', 'package', 'release', 'test kubernetes integration', 'postrelease', 'deploy', 'rebase', 'docs', '.post']);
    expect(pipeline.hiddenJobs).toContain('.rules:merge_request_pipelines:no_docs');
    expect(pipeline.workflowAllowsMergeRequests).toBe(true);
    for (const job of pipeline.jobs) expect(pipeline.stages).toContain(job.stage);
  });

  it('resolves unit test: extends chain, .go-cache before_script, default image, rules', () => {
    const job = jobOf(pipeline, 'unit test');
    expect(job.stage).toBe('test');
    expect(job.image).toBe('$CI_IMAGE');
    expect(scriptOf(job, 'before_script')).toEqual(['mkdir -p "$GOCACHE"', './ci/touch_git']);
    expect(scriptOf(job, 'script')[0]).toBe('make splitic');
    expect(scriptOf(job, 'script')[1]).toMatch(/^\.tmp\/bin\/splitic test -race/);
    expect(job.needs).toEqual(['clone test repo', 'prepare done']);
    expect(job.extends).toEqual(['.linux test', '.rules:merge_request_pipelines:no_docs:unit_test', '.kubernetes runner', '.unit tests kubernetes limits']);
    expect(job.keyOrigins.timeout).toMatchObject({ file: '.gitlab/ci/test.gitlab-ci.yml', line: 37 });
    expect(job.keyOrigins.image).toMatchObject({ file: '.gitlab/ci/_common.gitlab-ci.yml' });
    expect(job.keyOrigins.interruptible).toMatchObject({ file: '.gitlab/ci/_kubernetes.gitlab-ci.yml', line: 2 });
    expect(job.script[0]?.origin).toMatchObject({ file: '.gitlab/ci/_common.gitlab-ci.yml', line: 89 });
    expect(job).toMatchObject({ runsInMergeRequests: true, runsOnDefaultBranch: true, mixesRulesAndOnly: false, when: 'on_success' });
  });

  it('resolves !reference before_script lines and tolerates the parent from the unresolved project include', () => {
    const binaries = jobOf(pipeline, 'binaries');
    expect(binaries.stage).toBe('build');
    expect(binaries.needs).toEqual([]);
    expect(scriptOf(binaries, 'before_script')).toEqual(['mkdir -p "$GOCACHE"', './ci/touch_git']);
    expect(scriptOf(binaries, 'script')[0]).toBe('go mod download');
    expect(binaries.unresolved).toEqual(['!reference [.google-oidc:auth, before_script]', '.google-oidc:auth']);

    const windows = jobOf(pipeline, 'windows 1809 unit tests');
    expect(scriptOf(windows, 'before_script').slice(0, 4)).toEqual(['New-Item -Path "$Env:GOCACHE" -Type Directory -Force', '$env:GOCACHE = (Resolve-Path $env:GOCACHE).Path', './ci/touch_git.ps1', 'start-service docker']);
    expect(windows.script[0]?.origin).toMatchObject({ file: '.gitlab/ci/_common.gitlab-ci.yml', line: 105 });
    expect(windows.allowFailure).toEqual([99]);
    expect(windows.needs).toEqual(['clone test repo']);
  });

  it('resolves a sentinel job, an empty before_script override and manual jobs', () => {
    const done = jobOf(pipeline, 'prepare done');
    expect(done).toMatchObject({ stage: 'build', image: 'alpine:latest' });
    expect(done.script.map((line) => [line.text, line.origin.file, line.origin.line])).toEqual([['exit 0', '.gitlab/ci/_common.gitlab-ci.yml', 163]]);

    const release = jobOf(pipeline, 'stable gitlab release');
    expect(scriptOf(release)).toEqual(['echo "Releasing to $S3"']);
    expect(release).toMatchObject({ runsInMergeRequests: false, runsOnDefaultBranch: false, stage: 'postrelease' });

    expect(jobOf(pipeline, 'integration test (docker, steps)')).toMatchObject({ when: 'manual', allowFailure: true, stage: 'test' });
    expect(jobOf(pipeline, 'review-docs-deploy')).toMatchObject({ stage: 'docs', ruleWhen: ['manual'], runsOnDefaultBranch: false, runsInMergeRequests: true });
  });

  it('evaluates rules from !reference conditions', () => {
    // `if: !reference [.if-not-web-or-push-pipeline, if]` + when: never rules it out of MR and branch pipelines.
    expect(jobOf(pipeline, 'hosted runners bridge bleeding edge')).toMatchObject({ runsInMergeRequests: false, runsOnDefaultBranch: true, ruleWhen: ['manual', 'on_success'] });
    expect(jobOf(pipeline, 'rebase on main')).toMatchObject({ runsInMergeRequests: false, runsOnDefaultBranch: true });
    expect(jobOf(pipeline, 'docs:check supported distros package docs')).toMatchObject({ runsInMergeRequests: false, runsOnDefaultBranch: false });
  });

  it('resolves fast enough', () => {
    const runs = 20;
    const started = performance.now();
    for (let i = 0; i < runs; i++) resolveCorpus();
    const warmMs = (performance.now() - started) / runs;
    console.info(`gitlab-ci corpus resolution: ${pipeline.jobs.length} jobs, first run ${coldMs.toFixed(1)} ms, warm ${warmMs.toFixed(1)} ms/run`);
    expect(warmMs).toBeLessThan(250);
  });
});

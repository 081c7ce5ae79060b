import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePipeline } from '../../src/model/gitlab-ci/resolve.js';
import { brief, readRepoDir, repoRoot, resolveCi, testFleet } from './helpers.js';

const hostile = path.join(repoRoot, 'fixtures/hostile');

/** `ruleId@file:line` of every `# expect: <ruleId>` marker in a repo's files. */
function expectedFindings(files: Record<string, string>): string[] {
  const expected: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    text.split('\n').forEach((line, index) => {
      const marker = /#\s*expect:\s*([a-z-]+)/.exec(line);
      if (marker) expected.push(`${marker[1] ?? ''}@${file}:${index + 1}`);
    });
  }
  return expected.sort();
}

describe('hostile CI repos', () => {
  it.each(['ci-include-loop', 'ci-extends-cycle', 'ci-extends-missing'])('%s gives its findings at the marked lines and still resolves', (name) => {
    const files = readRepoDir(path.join(hostile, name));
    const fleet = testFleet({ [name]: files });
    expect(fleet.parseDiagnostics).toEqual([]);
    const result = resolvePipeline(fleet.context(name));
    expect(brief(result.diagnostics).sort()).toEqual(expectedFindings(files));
    expect(result.diagnostics.every((d) => d.severity === 'error' && d.repo === name)).toBe(true);
    expect(result.pipeline?.jobs.length).toBeGreaterThan(0);
  });

  it('ci-include-loop names the chain', () => {
    const fleet = testFleet({ loop: readRepoDir(path.join(hostile, 'ci-include-loop')) });
    const { diagnostics, pipeline } = resolvePipeline(fleet.context('loop'));
    expect(diagnostics[0]?.message).toBe('Include loop: .gitlab-ci.yml → ci/a.yml → ci/b.yml → ci/a.yml.');
    expect(pipeline?.jobs.map((job) => job.name)).toEqual(['a-job', 'b-job', 'build']);
  });

  it('an alias bomb or deep nesting in .gitlab-ci.yml gives no pipeline facts and no throw', () => {
    for (const file of ['alias-bomb/bomb.yaml', 'deep-nesting/deep.yaml']) {
      const text = fs.readFileSync(path.join(hostile, file), 'utf8');
      const fleet = testFleet({ app: { '.gitlab-ci.yml': text } });
      expect(fleet.parseDiagnostics.length).toBeGreaterThan(0);
      const result = resolvePipeline(fleet.context('app'));
      expect(result.diagnostics).toEqual([]);
      expect(result.pipeline).toMatchObject({ jobs: [], partial: true });
    }
  });

  it('odd but valid shapes do not throw', () => {
    const cases = [
      '',
      '# only a comment\n',
      '- a list\n',
      'just a string\n',
      'include:\n',
      'include: [null, 1, [x]]\n',
      'job:\n  script:\n    - [[[deep]]]\n    - {a: 1}\n    - 42\n',
      'job:\n  extends: [null, 1]\n  rules: [null, "x", {if: 1}, {if: "$A =~ /(/"}]\n  only: {refs: null}\n',
      '? [complex, key]\n: value\njob:\n  script: x\n',
      'workflow: {rules: [{if: "$$$"}]}\njob: {script: x}\n',
      'spec:\n  inputs:\n    stage: {default: test}\n---\njob:\n  stage: $[[ inputs.stage ]]\n  script: x\n',
    ];
    for (const ci of cases) expect(() => resolveCi(ci)).not.toThrow();
    // The pipeline's own input is interpolated with its default.
    expect(resolveCi(cases[cases.length - 1] ?? '').pipeline.jobs.map((job) => job.stage)).toEqual(['test']);
  });

  it.each([
    ['job: &a\n  script: x\n  cache: *a\n', 3],
    ['job:\n  script: &s [x, *s]\n', 2],
    ['job: &a\n  <<: *a\n  script: x\n', 2],
  ] as const)('reports a recursive alias (which the parser accepts) instead of recursing forever: %j', (ci, line) => {
    const { diagnostics, pipeline } = resolveCi(ci);
    expect(brief(diagnostics)).toEqual([`ci-config@.gitlab-ci.yml:${line}`]);
    expect(pipeline.jobs.map((job) => job.name)).toEqual(['job']);
  });

  it('gives no pipeline for a repo without .gitlab-ci.yml or an unknown repo', () => {
    const fleet = testFleet({ app: { 'README.yml': 'a: 1\n' } });
    expect(resolvePipeline(fleet.context('app'))).toEqual({ diagnostics: [] });
    expect(resolvePipeline(fleet.context('nope'))).toEqual({ diagnostics: [] });
  });
});

/**
 * A custom policy that never ends in practice (issue 15, item 9): each evaluation has a time and memory budget, the
 * policy is stopped where it is (a worker thread) and reported once as a finding of that policy; the rest of the
 * run goes on. The built CLI, the real opa, fixtures/hostile-policies/heavy-comprehension.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package.js';
import { commitFiles, initRepo, tempDir } from '../sources/git-fixture.js';

const root = packageRoot();
const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: redis:latest\n';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
}

describe('custom policies run within a budget', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let repo: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('fleetlint-budget-'));
    repo = join(dir, 'repo');
    await commitFiles(await initRepo(repo), repo, { 'pod.yaml': POD }, 'pod');
    await writeFile(join(dir, 'fleetlint.config.yaml'), `policies: [${join(root, 'fixtures', 'hostile-policies', 'heavy-comprehension')}]\n`);
  }, 60_000);

  afterAll(async () => {
    await (cleanup as (() => Promise<void>) | undefined)?.();
  });

  const lint = (env: Record<string, string>): { status: number | null; findings: JsonFinding[]; stderr: string } => {
    const result = spawnSync(process.execPath, [join(root, 'bin', 'fleetlint.js'), 'lint', repo, '-c', join(dir, 'fleetlint.config.yaml'), '--format', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, FLEETLINT_NO_CODE_CACHE: '1', ...env },
      timeout: 120_000,
    });
    const report = JSON.parse(result.stdout) as { findings: JsonFinding[] };
    return { status: result.status, findings: report.findings, stderr: result.stderr };
  };

  it('an evaluation past its time budget is stopped and reported on the policy; the other rules still report', () => {
    const run = lint({ FLEETLINT_POLICY_TIMEOUT: '1', FLEETLINT_POLICY_MEMORY_MB: '100000' });
    expect(run.status).toBe(1);
    const stopped = run.findings.filter((finding) => finding.ruleId === 'heavy-comprehension');
    expect(stopped.map((finding) => [finding.severity, finding.message])).toEqual([
      ['error', 'policy heavy-comprehension was stopped: its evaluation took longer than its time budget of 1 s; it is not evaluated for the rest of this run (make the policy cheaper)'],
    ]);
    expect(run.findings.some((finding) => finding.ruleId === 'no-latest-tag')).toBe(true);
  }, 120_000);

  it('an evaluation that grows memory past its budget is stopped and reported on the policy', () => {
    const run = lint({ FLEETLINT_POLICY_TIMEOUT: '100', FLEETLINT_POLICY_MEMORY_MB: '64' });
    const stopped = run.findings.filter((finding) => finding.ruleId === 'heavy-comprehension');
    expect(stopped.map((finding) => finding.message)).toEqual([
      'policy heavy-comprehension was stopped: its evaluation grew memory by more than its budget of 64 MB; it is not evaluated for the rest of this run (make the policy cheaper)',
    ]);
  }, 120_000);
});

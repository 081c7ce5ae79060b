import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, consumerPipeline, makeFleet, SECURITY_TEMPLATE, type TestFleet } from './helpers.js';
import { tempDir } from '../sources/git-fixture.js';

/** Commits the files on a new branch, as a merge request's source branch. */
async function branch(git: SimpleGit, dir: string, name: string, files: Record<string, string>): Promise<void> {
  await git.checkoutLocalBranch(name);
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  await git.add('.');
  await git.commit(name);
}

/** The consumers the text summary lists under "This merge request would break:". */
function brokenRepos(text: string): string[] {
  const section = text.split('This merge request would break:\n')[1];
  if (section === undefined) return [];
  return section
    .split('\n\n')[0]
    ?.split('\n')
    .filter((line) => /^ {2}\S/.test(line))
    .map((line) => line.trim().split(' ')[0] ?? '') ?? [];
}

describe('fleetlint mr', () => {
  let fleet: TestFleet;

  beforeEach(async () => {
    fleet = await makeFleet();
  });
  afterEach(async () => {
    await fleet.cleanup();
  });

  const repo = (id: string): { dir: string; git: SimpleGit } => {
    const found = fleet.repos[id];
    if (!found) throw new Error(`no repo ${id}`);
    return found;
  };

  it('fails on exactly the one finding a branch adds', async () => {
    const { dir, git } = repo('applications/app-a');
    await branch(git, dir, 'latest', { '.gitlab-ci.yml': consumerPipeline(['templates/security-scan.yml'], 'nginx:latest') });

    for (const fleetArgs of [[], ['--fleet', fleet.root]]) {
      const run = await cli(['mr', dir, '--base', 'main', ...fleetArgs]);
      expect(run.code).toBe(1);
      expect(run.report.findings).toEqual([
        expect.objectContaining({ ruleId: 'no-latest-tag', repo: 'applications/app-a', file: '.gitlab-ci.yml', message: expect.stringContaining('nginx:latest') as unknown }),
      ]);
      expect(run.text).toContain('New problems (1):');
      expect(run.text).not.toContain('This merge request would break:');
    }
  });

  it('lists the finding a branch fixes and passes', async () => {
    const { dir, git } = repo('applications/app-a');
    await writeFile(join(dir, '.gitlab-ci.yml'), consumerPipeline(['templates/security-scan.yml'], 'nginx:latest'));
    await git.add('.');
    await git.commit('a floating image on main');
    await branch(git, dir, 'fix', { '.gitlab-ci.yml': consumerPipeline(['templates/security-scan.yml'], 'nginx:1.27.2') });

    const run = await cli(['mr', dir, '--base', 'main', '--fleet', fleet.root]);
    expect(run.code).toBe(0);
    expect(run.report.findings).toEqual([]);
    expect(run.text).toMatch(/Fixed by this merge request \(1\):\n {2}\.gitlab-ci\.yml:\d+:\d+ {2}CI job unit image uses the latest tag \(nginx:latest\)/);
    expect(run.text).toContain('No new problems, 1 fixed.');
  });

  it('compares only what both sides could check: without the fleet a rule skipped on one side is no news', async () => {
    const { dir, git } = repo('applications/app-a');
    // Dropping the template include drops its scans; only with the fleet can the base show they were there.
    const withoutInclude = consumerPipeline([]).replace(/^include:\n(?: .*\n)*\n/, '');
    await branch(git, dir, 'no-templates', { '.gitlab-ci.yml': withoutInclude });

    const alone = await cli(['mr', dir, '--base', 'main']);
    expect(alone.code).toBe(0);
    expect(alone.report.findings).toEqual([]);
    expect(alone.text).toContain('Not checked without fleet facts: argocd-app-source, ci-config, required-scans, sync-wave-order.');
    expect(alone.text).toContain('Consumers of this repository were not checked');

    const withFleet = await cli(['mr', dir, '--base', 'main', '--fleet', fleet.root]);
    expect(withFleet.code).toBe(1);
    expect(withFleet.report.findings.map((finding) => `${finding.ruleId}: ${finding.message}`)).toEqual([
      expect.stringMatching(/^required-scans: no job runs a manifests scan/),
      expect.stringMatching(/^required-scans: no job runs a secrets scan/),
    ]);
  });

  it('takes the base from GitLab merge-request variables, and names them when none is set', async () => {
    const { dir, git } = repo('applications/app-a');
    const mainSha = (await git.revparse(['main'])).trim();
    await git.raw(['update-ref', 'refs/remotes/origin/main', mainSha]);
    await branch(git, dir, 'latest', { '.gitlab-ci.yml': consumerPipeline(['templates/security-scan.yml'], 'nginx:latest') });
    const none = { CI_MERGE_REQUEST_DIFF_BASE_SHA: undefined, CI_MERGE_REQUEST_TARGET_BRANCH_NAME: undefined };

    const bySha = await cli(['mr', dir], { env: { ...none, CI_MERGE_REQUEST_DIFF_BASE_SHA: mainSha } });
    expect(bySha.code).toBe(1);
    expect(bySha.report.findings).toHaveLength(1);
    const byBranch = await cli(['mr', dir], { env: { ...none, CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main' } });
    expect(byBranch.report.findings.map((finding) => finding.fingerprint)).toEqual(bySha.report.findings.map((finding) => finding.fingerprint));
    expect(byBranch.text).toContain('against origin/main');

    expect((await cli(['mr', dir], { env: none })).code).toBe(2);
    expect((await cli(['mr', dir, '--base', 'no-such-branch'])).code).toBe(2);
  });

  describe('blast radius', () => {
    it('lists both consumers when a template job may fail without failing their pipelines', async () => {
      const { dir, git } = repo('platform/ci-templates');
      const lenient = SECURITY_TEMPLATE.replace('    - gitleaks detect --source . --verbose\n', '    - gitleaks detect --source . --verbose\n  allow_failure: true\n');
      await branch(git, dir, 'lenient', { 'templates/security-scan.yml': lenient });

      const out = await tempDir('fleetlint-mr-');
      try {
        const codequality = join(out.dir, 'gl-code-quality-report.json');
        const run = await cli(['mr', dir, '--base', 'main', '--fleet', fleet.root, '--fail-on', 'warning', '--format', `codequality=${codequality}`]);
        expect(run.code).toBe(1);
        expect(brokenRepos(run.text)).toEqual(['applications/app-a', 'applications/app-b']);
        expect(run.text).toMatch(/applications\/app-a \(includes templates\/security-scan\.yml\)\n {4}required-scans: the secrets scan \(job secret-scan\) cannot fail the pipeline/);
        expect(run.report.findings.map((finding) => `${finding.repo} ${finding.ruleId} ${finding.severity}`)).toEqual([
          'applications/app-a required-scans warning',
          'applications/app-b required-scans warning',
        ]);
        // Reports name other repos' files by their path under the fleet root.
        const issues = JSON.parse(await readFile(codequality, 'utf8')) as { location: { path: string } }[];
        expect(issues.map((issue) => issue.location.path)).toEqual(['applications/app-a/.gitlab-ci.yml', 'applications/app-b/.gitlab-ci.yml']);

        // The default gate (errors) lists them still, but does not fail on warnings.
        const lenientGate = await cli(['mr', dir, '--base', 'main', '--fleet', fleet.root]);
        expect(lenientGate.code).toBe(0);
        expect(brokenRepos(lenientGate.text)).toEqual(['applications/app-a', 'applications/app-b']);
      } finally {
        await out.cleanup();
      }
    });

    it('lists both consumers when a template image floats on latest, also from a snapshot', async () => {
      const { dir, git } = repo('platform/ci-templates');
      await branch(git, dir, 'latest', { 'templates/security-scan.yml': SECURITY_TEMPLATE.replace('zricethezav/gitleaks:v8.18.4', 'zricethezav/gitleaks:latest') });

      const run = await cli(['mr', dir, '--base', 'main', '--fleet', fleet.root]);
      expect(run.code).toBe(1);
      expect(brokenRepos(run.text)).toEqual(['applications/app-a', 'applications/app-b']);
      expect(run.report.findings.every((finding) => finding.ruleId === 'no-latest-tag' && finding.message.includes('gitleaks:latest'))).toBe(true);

      const out = await tempDir('fleetlint-snap-');
      try {
        const snapshot = join(out.dir, 'fleet.json.gz');
        await git.checkout('main');
        expect((await cli(['audit', fleet.root, '--fail-on', 'never', '--write-snapshot', snapshot])).code).toBe(0);
        await git.checkout('latest');
        const fromSnapshot = await cli(['mr', dir, '--base', 'main', '--fleet', snapshot]);
        expect(fromSnapshot.code).toBe(1);
        expect(fromSnapshot.report.findings.map((finding) => finding.fingerprint)).toEqual(run.report.findings.map((finding) => finding.fingerprint));
        expect(fromSnapshot.text).not.toContain('Warning:');
        // A --repo-id the snapshot does not hold is said, not silently checked as a new repository.
        const unknown = await cli(['mr', dir, '--base', 'main', '--fleet', snapshot, '--repo-id', 'platform/ci-templatez']);
        expect(unknown.text).toContain('Warning: platform/ci-templatez (from --repo-id) is not a repository of the snapshot');
        expect(unknown.text).toContain('No other repository of the fleet consumes platform/ci-templatez.');
      } finally {
        await out.cleanup();
      }
    });

    it('lists no consumer for an unrelated change', async () => {
      const { dir, git } = repo('platform/ci-templates');
      await branch(git, dir, 'docs', { 'README.md': '# CI templates\n\nInclude templates/security-scan.yml in every pipeline.\n' });
      const run = await cli(['mr', dir, '--base', 'main', '--fleet', fleet.root]);
      expect(run.code).toBe(0);
      expect(run.report.findings).toEqual([]);
      expect(run.text).not.toContain('would break');
      expect(run.text).toContain('Checked 2 consumers: applications/app-a, applications/app-b.');
    });

    it('lists the repo whose Application deploys a path the branch moves', async () => {
      const { dir, git } = repo('applications/app-a');
      await git.checkoutLocalBranch('move');
      await rename(join(dir, 'deploy'), join(dir, 'k8s'));
      await git.add('.');
      await git.commit('move manifests');
      const run = await cli(['mr', dir, '--base', 'main', '--fleet', fleet.root]);
      expect(run.code).toBe(1);
      expect(brokenRepos(run.text)).toEqual(['kubernetes/argocd-apps']);
      expect(run.report.findings).toEqual([
        expect.objectContaining({ repo: 'kubernetes/argocd-apps', ruleId: 'argocd-app-source', message: expect.stringContaining('path deploy does not exist in applications/app-a') as unknown }),
      ]);
    });
  });
});

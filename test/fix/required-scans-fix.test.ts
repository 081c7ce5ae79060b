/**
 * The fix of `required-scans` for a scan that cannot fail the pipeline because of `allow_failure: true`: set false
 * where the key is written (the repo's job or the template it extends), and only when the job then blocks. Run as
 * users run the built CLI, on literal fleets and on a copy of fixtures/homelab.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOMELAB } from '../support/homelab.js';
import { commitFiles, initRepo, tempDir } from '../sources/git-fixture.js';
import { audit, fleetlint, inheritedTemplateImage, type JsonFinding } from './cli.js';

const nonBlocking = (findings: readonly JsonFinding[]): JsonFinding[] => findings.filter((finding) => finding.ruleId === 'required-scans' && finding.subject?.startsWith('non-blocking:') === true);

describe('required-scans: allow_failure on a scan job', () => {
  it('sets allow_failure false on the repo job that has it, keeping the rest of the file', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const ci = `stages: [test]

secrets:  # the scan
  stage: test
  script:
    - gitleaks detect --source . --redact
  allow_failure: true   # was tolerated
`;
      const repo = join(dir, 'apps', 'web');
      await commitFiles(await initRepo(repo), repo, { '.gitlab-ci.yml': ci }, 'ci');
      expect(nonBlocking(audit(dir)).map((finding) => finding.message)).toEqual(['the secrets scan (job secrets) cannot fail the pipeline: allow_failure: true']);
      const result = fleetlint(['fix', dir, '--rule', 'required-scans']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('apps/web\n  .gitlab-ci.yml: set allow_failure: false on secrets so that its secrets scan can fail the pipeline [required-scans]');
      expect(await readFile(join(repo, '.gitlab-ci.yml'), 'utf8')).toBe(ci.replace('allow_failure: true', 'allow_failure: false'));
      expect(nonBlocking(audit(dir))).toEqual([]);
      expect(fleetlint(['fix', dir, '--rule', 'required-scans']).stdout).toBe('nothing to fix\n');
    } finally {
      await cleanup();
    }
  }, 120_000);

  it('proposes nothing when the scanner itself is told to pass: allow_failure alone would not make it block', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const ci = `secrets:
  script:
    - gitleaks detect --source . --exit-code 0
  allow_failure: true
`;
      const repo = join(dir, 'apps', 'web');
      await commitFiles(await initRepo(repo), repo, { '.gitlab-ci.yml': ci }, 'ci');
      expect(nonBlocking(audit(dir))).toHaveLength(1);
      expect(fleetlint(['fix', dir, '--rule', 'required-scans', '--dry-run']).stderr).toContain('nothing to fix');
    } finally {
      await cleanup();
    }
  }, 120_000);
});

describe('required-scans: a manual scan job', () => {
  const gating = (findings: readonly JsonFinding[]): JsonFinding[] => findings.filter((finding) => finding.ruleId === 'required-scans' && finding.subject?.startsWith('not-gating:') === true);

  it('gets when: on_success where when: manual is written; it then runs in merge requests and blocks', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const ci = `stages: [test]

secrets:
  stage: test
  script:
    - gitleaks detect --source . --redact
  when: manual  # by hand, for now
`;
      const repo = join(dir, 'apps', 'web');
      await commitFiles(await initRepo(repo), repo, { '.gitlab-ci.yml': ci }, 'ci');
      const before = audit(dir);
      expect(gating(before).map((finding) => finding.message)).toEqual(['the secrets scan (job secrets) does not gate merge requests: it is manual; required for every pipeline']);
      const result = fleetlint(['fix', dir, '--rule', 'required-scans']);
      expect(result.stdout).toContain('apps/web\n  .gitlab-ci.yml: set when: on_success on secrets so that its secrets scan runs in merge-request pipelines [required-scans]');
      expect(await readFile(join(repo, '.gitlab-ci.yml'), 'utf8')).toBe(ci.replace('when: manual', 'when: on_success'));
      const after = audit(dir);
      const known = new Set(before.map((finding) => finding.fingerprint));
      expect(after.filter((finding) => !known.has(finding.fingerprint))).toEqual([]);
      expect(after.filter((finding) => finding.ruleId === 'required-scans')).toEqual([]);
      expect(fleetlint(['fix', dir, '--rule', 'required-scans']).stdout).toBe('nothing to fix\n');
    } finally {
      await cleanup();
    }
  }, 120_000);

  it('is left alone when running it would still not block, or when rules leave it out: the finding says why', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const repos = {
        'apps/soft': 'secrets:\n  script:\n    - gitleaks detect --source . --exit-code 0\n  when: manual\n',
        'apps/rules': 'secrets:\n  script:\n    - gitleaks detect --source .\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n',
      };
      for (const [id, ci] of Object.entries(repos)) {
        const repo = join(dir, id);
        await commitFiles(await initRepo(repo), repo, { '.gitlab-ci.yml': ci }, 'ci');
      }
      const { stdout } = fleetlint(['audit', dir, '--format', 'json', '--fail-on', 'never']);
      const findings = (JSON.parse(stdout) as { findings: (JsonFinding & { data?: { noFix?: string }; fix?: unknown })[] }).findings.filter((finding) => finding.subject?.startsWith('not-gating:') === true);
      expect(findings.map((finding) => [finding.repo, finding.data?.noFix, finding.fix])).toEqual([
        ['apps/rules', 'which of its rules to change is a choice left to a person', undefined],
        ['apps/soft', 'its scanner is told to pass (--exit-code 0, --soft-fail or || true): run in merge requests, it still could not block one', undefined],
      ]);
      expect(fleetlint(['fix', dir, '--rule', 'required-scans', '--dry-run']).stderr).toContain('nothing to fix');
    } finally {
      await cleanup();
    }
  }, 120_000);
});

describe('fix --rule required-scans on the homelab fleet', () => {
  it('sets allow_failure false in the shared template once for every repo, and gives each repo the scan jobs it misses; a second audit finds none of those findings and nothing new but their template images; a second fix does nothing', async () => {
    const root = join(await mkdtemp(join(tmpdir(), 'fleetlint-scans-fix-')), 'homelab');
    try {
      await cp(HOMELAB, root, { recursive: true });
      const template = join(root, 'platform', 'ci-templates', 'templates', 'security-scan.yml');
      const original = await readFile(template, 'utf8');
      const before = audit(root);

      const result = fleetlint(['fix', root, '--rule', 'required-scans']);
      expect(result.status).toBe(0);
      // 6 allow_failure edits in the template, 74 missing scans in 65 repos.
      expect(result.stdout).toContain('80 fixes changed 66 files in 66 repositories');
      const fixed = await readFile(template, 'utf8');
      // Exactly the six templates whose scanner then fails the pipeline; trivy-config runs with --exit-code 0.
      const changedLines = fixed.split('\n').filter((line, index) => line !== original.split('\n')[index]);
      expect(changedLines).toEqual(Array.from({ length: 6 }, () => '  allow_failure: false'));
      expect(fixed).toContain('.security:trivy-config:\n  stage: security');
      expect(fixed.split('allow_failure: true').length).toBe(original.split('allow_failure: true').length - 6);

      // A repo that includes security-scan.yml gets the jobs; one that does not gets the include too. The
      // template repository has no tag and no consumer pins it: the include follows its default branch.
      const ollama = await readFile(join(root, 'applications', 'ai', 'ollama', '.gitlab-ci.yml'), 'utf8');
      expect(ollama.endsWith('\n\nsecurity:kube-score:\n  extends: .security:kube-score\n  stage: security\n\nsecurity:gitleaks:\n  extends: .security:gitleaks\n  stage: security\n')).toBe(true);
      const qbittorrent = await readFile(join(root, 'applications', 'media', 'qbittorrent', '.gitlab-ci.yml'), 'utf8');
      expect(qbittorrent).toContain("      - 'templates/argocd-sync.yml'\n  - file: templates/security-scan.yml\n    project: homelab/platform/ci-templates\n\nstages:");
      expect(result.stdout).toContain('include templates/security-scan.yml of homelab/platform/ci-templates at its default branch (it has no version tag, and the fleet\'s includes of it pin no common ref) and add job security:gitleaks extending .security:gitleaks');

      const after = audit(root);
      const known = new Set(before.map((finding) => finding.fingerprint));
      const added = after.filter((finding) => !known.has(finding.fingerprint));
      expect(added.filter((finding) => !inheritedTemplateImage(finding, before))).toEqual([]);
      const gone = before.filter((finding) => !after.some((other) => other.fingerprint === finding.fingerprint));
      const kinds = new Map<string, number>();
      for (const finding of gone) kinds.set(finding.subject?.split(':')[0] ?? '', (kinds.get(finding.subject?.split(':')[0] ?? '') ?? 0) + 1);
      expect(Object.fromEntries(kinds)).toEqual({ missing: 74, 'non-blocking': 41 });
      expect(after.filter((finding) => finding.ruleId === 'required-scans' && finding.subject?.startsWith('missing:') === true)).toEqual([]);
      // What is left cannot be fixed through allow_failure: its only scanner runs with --exit-code 0.
      for (const finding of nonBlocking(after)) expect(finding.message).toMatch(/\(job trivy:config\)/);

      expect(fleetlint(['fix', root, '--rule', 'required-scans']).stdout).toBe('nothing to fix\n');
      expect(await readFile(template, 'utf8')).toBe(fixed);
    } finally {
      await rm(join(root, '..'), { recursive: true, force: true });
    }
  }, 300_000);
});

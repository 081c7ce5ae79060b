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
import { audit, fleetlint, type JsonFinding } from './cli.js';

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

describe('fix --rule required-scans on the homelab fleet', () => {
  it('sets allow_failure false in the shared template once for every repo; a second audit finds none of those findings and nothing new; a second fix does nothing', async () => {
    const root = join(await mkdtemp(join(tmpdir(), 'fleetlint-scans-fix-')), 'homelab');
    try {
      await cp(HOMELAB, root, { recursive: true });
      const template = join(root, 'platform', 'ci-templates', 'templates', 'security-scan.yml');
      const original = await readFile(template, 'utf8');
      const before = audit(root);

      const result = fleetlint(['fix', root, '--rule', 'required-scans']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('6 fixes changed 1 file in 1 repository');
      const fixed = await readFile(template, 'utf8');
      // Exactly the six templates whose scanner then fails the pipeline; trivy-config runs with --exit-code 0.
      const changedLines = fixed.split('\n').filter((line, index) => line !== original.split('\n')[index]);
      expect(changedLines).toEqual(Array.from({ length: 6 }, () => '  allow_failure: false'));
      expect(fixed).toContain('.security:trivy-config:\n  stage: security');
      expect(fixed.split('allow_failure: true').length).toBe(original.split('allow_failure: true').length - 6);

      const after = audit(root);
      const known = new Set(before.map((finding) => finding.fingerprint));
      expect(after.filter((finding) => !known.has(finding.fingerprint))).toEqual([]);
      const gone = before.filter((finding) => !after.some((other) => other.fingerprint === finding.fingerprint));
      expect(gone.length).toBeGreaterThan(30);
      expect(gone.every((finding) => finding.subject?.startsWith('non-blocking:') === true && finding.message.endsWith('allow_failure: true'))).toBe(true);
      // What is left cannot be fixed through allow_failure: its only scanner runs with --exit-code 0.
      for (const finding of nonBlocking(after)) expect(finding.message).toMatch(/\(job trivy:config\)/);

      expect(fleetlint(['fix', root, '--rule', 'required-scans']).stdout).toBe('nothing to fix\n');
      expect(await readFile(template, 'utf8')).toBe(fixed);
    } finally {
      await rm(join(root, '..'), { recursive: true, force: true });
    }
  }, 300_000);
});

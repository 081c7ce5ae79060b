/**
 * `fleetlint fix` and `fleetlint waves plan` on a copy of fixtures/homelab, run as users run the built CLI: the dry
 * run changes nothing, the fix removes the findings it fixes and adds none but the band warnings the plan names
 * (and the template's unpinned images in the scan jobs it adds, see inheritedTemplateImage), and a second fix has
 * nothing left to do.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOMELAB } from '../support/homelab.js';
import { commitFiles, initRepo, tempDir } from '../sources/git-fixture.js';
import { audit, fleetlint, inheritedTemplateImage, type JsonFinding } from './cli.js';

const TRAEFIK = join('core-services', 'networking', 'traefik', 'argocd', 'application.yaml');

let root: string;
let before: JsonFinding[];

beforeAll(async () => {
  root = join(await mkdtemp(join(tmpdir(), 'fleetlint-fix-')), 'homelab');
  await cp(HOMELAB, root, { recursive: true });
  before = audit(root);
}, 120_000);

afterAll(async () => {
  await rm(join(root, '..'), { recursive: true, force: true });
});

describe('fleetlint fix on the homelab fleet', () => {
  it('--dry-run prints the fixes as a unified diff, grouped per repository, and writes nothing', async () => {
    const original = await readFile(join(root, TRAEFIK), 'utf8');
    const result = fleetlint(['fix', root, '--dry-run']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`--- a/core-services/networking/traefik/argocd/application.yaml
+++ b/core-services/networking/traefik/argocd/application.yaml
@@ -3,6 +3,8 @@
 metadata:  # expect: sync-wave-order, sync-wave-order
   name: traefik
   namespace: argocd
+  annotations:
+    argocd.argoproj.io/sync-wave: "2"
 spec:`);
    expect(result.stdout).toContain('-  syncWaves:  # expect: argocd-app-schema, sync-wave-order\n-    - wave: 2  # Deploy after MetalLB (wave 1)');
    // Under its repository, after the repository's other fixes (its missing secret scan).
    expect(result.stderr).toMatch(/\ncore-services\/networking\/traefik\n(  .*\n)*  argocd\/application\.yaml: move spec\.syncWaves to the argocd\.argoproj\.io\/sync-wave annotation \("2"\) \[argocd-app-schema\]\n/);
    expect(await readFile(join(root, TRAEFIK), 'utf8')).toBe(original);
  }, 120_000);

  it('--rule limits the fixes to that rule, and an unknown rule is a usage error', () => {
    expect(fleetlint(['fix', root, '--dry-run', '--rule', 'no-latest-tag']).stderr).toContain('nothing to fix');
    expect(fleetlint(['fix', root, '--rule', 'no-such-rule']).status).toBe(2);
  }, 120_000);

  it('fixes spec.syncWaves, then plans the waves; a second lint finds none of the fixed findings and nothing new but the band warnings the plan names', async () => {
    const result = fleetlint(['fix', root]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('argocd/application.yaml: move spec.syncWaves to the argocd.argoproj.io/sync-wave annotation ("2") [argocd-app-schema]');
    expect(result.stdout).toMatch(/sealed-secrets\n {2}argocd\/application\.yaml: sync wave 4 → 1 \(/);
    const traefik = await readFile(join(root, TRAEFIK), 'utf8');
    expect(traefik).toContain('  annotations:\n    argocd.argoproj.io/sync-wave: "2"\n');
    expect(traefik).not.toContain('syncWaves');

    const after = audit(root);
    const fixed = (finding: JsonFinding): boolean =>
      finding.subject?.startsWith('order:') === true || finding.subject?.startsWith('spec-sync-waves:') === true || finding.subject?.endsWith(':spec.syncWaves:additionalProperties') === true;
    expect(before.filter(fixed).length).toBeGreaterThan(5);
    expect(after.filter(fixed)).toEqual([]);
    const known = new Set(before.map((finding) => finding.fingerprint));
    const added = after.filter((finding) => !known.has(finding.fingerprint));
    // The plan leaves these outside their band, and says so: their dependencies contradict the preset's bands.
    const plan = fleetlint(['waves', 'plan', root]);
    // The scan jobs required-scans added run their template's image, whose latest tag is reported in other repos.
    const inherited = added.filter((finding) => inheritedTemplateImage(finding, before));
    expect(inherited.length).toBe(74);
    for (const finding of added.filter((other) => !inherited.includes(other))) {
      expect(finding.ruleId).toBe('sync-wave-order');
      expect(finding.subject).toMatch(/^band:/);
      expect(plan.stdout).toContain(`${finding.message.split(' ')[0] ?? ''} (${finding.repo})`);
    }
    expect(plan.stdout).toContain('left outside their band, as their dependencies require');
  }, 300_000);

  it('is idempotent: a second fix has nothing to do', async () => {
    const traefik = await readFile(join(root, TRAEFIK), 'utf8');
    const again = fleetlint(['fix', root]);
    expect(again.stdout).toBe('nothing to fix\n');
    expect(await readFile(join(root, TRAEFIK), 'utf8')).toBe(traefik);
  }, 120_000);
});

describe('lint --fix and audit --fix', () => {
  const APP = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web  # the site
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: 3
spec:
  project: default
  source: {repoURL: 'https://charts.example.test', chart: web, targetRevision: 1.0.0}
  destination: {server: https://kubernetes.default.svc, namespace: web}
  syncWaves: 5
`;

  it('lint --fix applies the fixes (from a TypeScript rule and from a Rego policy), then reports what is left from a fresh check', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const repo = join(dir, 'apps', 'web');
      await commitFiles(await initRepo(repo), repo, { 'argocd/application.yaml': APP }, 'app');
      const result = fleetlint(['lint', repo, '--fleet', dir, '--fix', '--format', 'json', '--fail-on', 'never']);
      // The annotation decides the wave, so spec.syncWaves only goes; the unquoted wave gets quoted.
      expect(await readFile(join(repo, 'argocd/application.yaml'), 'utf8')).toBe(APP.replace('sync-wave: 3', 'sync-wave: "3"').replace('  syncWaves: 5\n', ''));
      expect(result.stderr).toContain('argocd/application.yaml: remove spec.syncWaves (the argocd.argoproj.io/sync-wave annotation decides the wave) [argocd-app-schema]');
      expect(result.stderr).toContain('argocd/application.yaml: quote the sync-wave annotation ("3") [sync-wave-order]');
      const { findings } = JSON.parse(result.stdout) as { findings: JsonFinding[] };
      expect(findings.filter((finding) => finding.ruleId === 'argocd-app-schema' || finding.ruleId === 'sync-wave-order')).toEqual([]);
      expect(fleetlint(['lint', repo, '--fix', '--staged']).status).toBe(2);
    } finally {
      await cleanup();
    }
  }, 120_000);

  it('audit --fix fixes a local fleet, then reports what is left', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const repo = join(dir, 'apps', 'web');
      await commitFiles(await initRepo(repo), repo, { 'argocd/application.yaml': APP }, 'app');
      const result = fleetlint(['audit', dir, '--fix', '--format', 'json', '--fail-on', 'never']);
      expect(await readFile(join(repo, 'argocd/application.yaml'), 'utf8')).toBe(APP.replace('sync-wave: 3', 'sync-wave: "3"').replace('  syncWaves: 5\n', ''));
      const { findings } = JSON.parse(result.stdout) as { findings: JsonFinding[] };
      expect(findings.filter((finding) => finding.ruleId === 'argocd-app-schema' || finding.ruleId === 'sync-wave-order')).toEqual([]);
    } finally {
      await cleanup();
    }
  }, 120_000);

  it('audit --fix does not go with a GitLab fleet: it writes working trees', () => {
    expect(fleetlint(['audit', '--gitlab-url', 'http://127.0.0.1:9', '--group', 'g', '--fix']).stderr).toContain('audit --fix writes the fleet root');
  });
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { cli, consumerPipeline, DEPLOYMENT, findingsOf, makeFleet, type CliRun, type JsonFinding, type TestFleet } from './helpers.js';
import { tempDir } from '../sources/git-fixture.js';

const LATEST_PIPELINE = consumerPipeline(['templates/security-scan.yml'], 'nginx:latest');
const CLEAN_PIPELINE = consumerPipeline(['templates/security-scan.yml']);

describe('fleetlint lint', () => {
  let fleet: TestFleet;
  let appA: string;

  beforeEach(async () => {
    fleet = await makeFleet();
    appA = join(fleet.root, 'applications/app-a');
  });
  afterEach(async () => {
    await fleet.cleanup();
  });

  const latestTags = (findings: readonly JsonFinding[]): string[] =>
    findings.filter((finding) => finding.ruleId === 'no-latest-tag').map((finding) => `${finding.file ?? '-'}: ${finding.message}`);

  it('checks the staged content with --staged, the working tree without', async () => {
    const git = fleet.repos['applications/app-a']?.git ?? simpleGit(appA);
    // Changed in the working tree only: the commit would not contain it.
    await writeFile(join(appA, '.gitlab-ci.yml'), LATEST_PIPELINE);
    expect(latestTags((await cli(['lint', appA, '--staged'])).report.findings)).toEqual([]);
    expect(latestTags((await cli(['lint', appA])).report.findings)).toEqual([expect.stringContaining('.gitlab-ci.yml: CI job unit image uses the latest tag (nginx:latest)')]);

    // Staged, then undone in the working tree: the commit would contain it.
    await git.add('.gitlab-ci.yml');
    await writeFile(join(appA, '.gitlab-ci.yml'), CLEAN_PIPELINE);
    const staged = await cli(['lint', appA, '--staged']);
    expect(latestTags(staged.report.findings)).toEqual([expect.stringContaining('nginx:latest')]);
    expect(staged.code).toBe(1);
    expect(staged.report.repos).toEqual(['applications/app-a']);
    expect(latestTags((await cli(['lint', appA])).report.findings)).toEqual([]);
  });

  it('reports each finding in exactly one batch of files, relative or absolute, as one run would', async () => {
    const git = fleet.repos['applications/app-a']?.git ?? simpleGit(appA);
    await writeFile(join(appA, '.gitlab-ci.yml'), LATEST_PIPELINE);
    await writeFile(join(appA, 'deploy/deployment.yaml'), DEPLOYMENT.replace('harbor.homelab.local/applications/app-a:1.4.2', 'redis:latest'));
    await git.add('.');

    const whole = await cli(['lint', '--staged', '.gitlab-ci.yml', 'deploy/deployment.yaml'], { cwd: appA });
    const first = await cli(['lint', '--staged', '.gitlab-ci.yml'], { cwd: appA });
    const second = await cli(['lint', '--staged', join(appA, 'deploy/deployment.yaml')], { cwd: appA });
    const everything = await cli(['lint', appA, '--staged']);

    const fingerprints = (findings: readonly JsonFinding[]): string[] => findings.map((finding) => finding.fingerprint).sort();
    expect(fingerprints([...first.report.findings, ...second.report.findings])).toEqual(fingerprints(whole.report.findings));
    expect(fingerprints(whole.report.findings)).toEqual(fingerprints(everything.report.findings));
    // One latest tag per file, each in its own batch; the repo-level notes (skipped checks) in the first batch only.
    expect(latestTags(first.report.findings)).toEqual([expect.stringMatching(/^\.gitlab-ci\.yml: .*nginx:latest/)]);
    expect(latestTags(second.report.findings)).toEqual([expect.stringMatching(/^deploy\/deployment\.yaml: .*redis:latest/)]);
    expect(first.report.findings.filter((finding) => finding.file === undefined).length).toBeGreaterThan(0);
    expect(second.report.findings.filter((finding) => finding.file === undefined)).toEqual([]);
    expect(first.code).toBe(1);
    expect(second.code).toBe(1);
  });

  it('skips cross-repo checks with a note each without --fleet, and never calls a fleet project include unresolved', async () => {
    const appB = join(fleet.root, 'applications/app-b');
    const alone = await cli(['lint', appB]);
    const notes = alone.report.findings.filter((finding) => finding.severity === 'note');
    expect(notes.map((finding) => finding.ruleId).sort()).toEqual(['argocd-app-source', 'ci-config', 'required-scans', 'sync-wave-order', 'unresolved-include']);
    for (const note of notes) expect(note.message).toContain('pass --fleet <fleet-root> or --snapshot <file>');
    expect(findingsOf(alone.report, 'unresolved-include')).toEqual([
      expect.objectContaining({ severity: 'note', file: '.gitlab-ci.yml', message: expect.stringContaining('included project homelab/platform/ci-templates (templates/security-scan.yml, templates/build.yml)') as unknown }),
    ]);
    expect(alone.report.findings.filter((finding) => finding.severity !== 'note')).toEqual([]);
    expect(alone.code).toBe(0);

    // With the fleet, the include resolves: the template's floating image is found, nothing is skipped.
    const withFleet = await cli(['lint', appB, '--fleet', fleet.root]);
    expect(withFleet.report.repos).toEqual(['applications/app-b']);
    expect(withFleet.report.findings.filter((finding) => finding.severity === 'note')).toEqual([]);
    expect(findingsOf(withFleet.report, 'unresolved-include')).toEqual([]);
    expect(latestTags(withFleet.report.findings)).toEqual([expect.stringContaining('CI job build-image image uses the latest tag (docker:latest)')]);
    expect(withFleet.code).toBe(1);
  });

  it('keeps quiet about a suppression for a check it skipped, and reports it unused when the check ran', async () => {
    const appB = join(fleet.root, 'applications/app-b');
    await writeFile(join(appB, 'notes.yaml'), '# fleetlint-disable-next-line sync-wave-order -- ordered by its parent\nnote: x\n');
    const unused = (run: CliRun): JsonFinding[] => findingsOf(run.report, 'unused-suppression');
    expect(unused(await cli(['lint', appB]))).toEqual([]);
    expect(unused(await cli(['lint', appB, '--fleet', fleet.root]))).toEqual([expect.objectContaining({ file: 'notes.yaml', message: expect.stringContaining('for sync-wave-order matches no finding') as unknown })]);
  });

  it('reads the rest of the fleet from a snapshot the audit wrote, for a clone outside the fleet root', async () => {
    const out = await tempDir('fleetlint-snapshot-');
    try {
      const snapshot = join(out.dir, 'fleet.snapshot.json.gz');
      const audit = await cli(['audit', fleet.root, '--fail-on', 'never', '--write-snapshot', snapshot]);
      expect(audit.code).toBe(0);

      // A developer's clone: somewhere else, its origin on the fleet's GitLab.
      const clone = join(out.dir, 'work', 'app-b');
      await simpleGit().clone(join(fleet.root, 'applications/app-b'), clone);
      await simpleGit(clone).remote(['set-url', 'origin', 'https://gitlab.homelab.local/homelab/applications/app-b.git']);

      // Outside the fleet root the fleet's config is named: the audit ran with it (extends: [homelab]).
      const run = await cli(['lint', clone, '--staged', '--snapshot', snapshot, '--config', join(fleet.root, 'fleetlint.config.yaml')]);
      expect(run.report.repos).toEqual(['applications/app-b']);
      expect(run.report.findings.filter((finding) => finding.severity === 'note')).toEqual([]);
      expect(latestTags(run.report.findings)).toEqual([expect.stringContaining('docker:latest')]);
      // The same findings as the audit has for the repo, fingerprints and all.
      const inAudit = audit.report.findings.filter((finding) => finding.repo === 'applications/app-b').map((finding) => finding.fingerprint).sort();
      expect(run.report.findings.map((finding) => finding.fingerprint).sort()).toEqual(inAudit);
    } finally {
      await out.cleanup();
    }
  });

  it('takes the repo id from --repo-id, else the origin remote, else the folder name', async () => {
    const out = await tempDir('fleetlint-id-');
    try {
      const clone = join(out.dir, 'checkout');
      await simpleGit().clone(join(fleet.root, 'applications/app-b'), clone);
      // origin is a local path here: no project path, so the folder name.
      expect((await cli(['lint', clone])).report.repos).toEqual(['checkout']);
      await simpleGit(clone).remote(['set-url', 'origin', 'git@gitlab.homelab.local:homelab/applications/app-b.git']);
      expect((await cli(['lint', clone])).report.repos).toEqual(['applications/app-b']);
      expect((await cli(['lint', clone, '--repo-id', 'team/other'])).report.repos).toEqual(['team/other']);
    } finally {
      await out.cleanup();
    }
  });

  it('reads fleetlint.config.yaml from the fleet root, else from the repo; a rule turned off gets no skip note', async () => {
    const git = fleet.repos['applications/app-a']?.git ?? simpleGit(appA);
    await writeFile(join(appA, '.gitlab-ci.yml'), LATEST_PIPELINE);
    await git.add('.');
    await writeFile(join(fleet.root, 'fleetlint.config.yaml'), 'rules:\n  no-latest-tag: warning\n');
    const withFleet = await cli(['lint', appA, '--staged', '--fleet', fleet.root]);
    expect(findingsOf(withFleet.report, 'no-latest-tag').map((finding) => finding.severity)).toEqual(['warning']);
    expect(withFleet.code).toBe(0);

    await writeFile(join(appA, 'fleetlint.config.yaml'), 'rules:\n  no-latest-tag: "off"\n  sync-wave-order: "off"\n');
    const alone = await cli(['lint', appA]);
    expect(findingsOf(alone.report, 'no-latest-tag')).toEqual([]);
    expect(alone.report.findings.map((finding) => finding.ruleId)).not.toContain('sync-wave-order');
    expect(alone.report.findings.map((finding) => finding.ruleId)).toContain('argocd-app-source');
    expect((await cli(['lint', appA, '--config', join(appA, 'missing.yaml')])).code).toBe(2);
  });

  it('rejects --fleet together with --snapshot, and a missing fleet', async () => {
    expect((await cli(['lint', appA, '--fleet', fleet.root, '--snapshot', join(fleet.root, 'x')])).code).toBe(2);
    expect((await cli(['lint', appA, '--snapshot', join(fleet.root, 'missing.json.gz')])).code).toBe(2);
    expect((await cli(['lint', appA, '--snapshot', join(fleet.root, 'fleet.yaml')])).code).toBe(2);
  });
});

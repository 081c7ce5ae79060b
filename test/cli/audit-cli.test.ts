import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package.js';

const root = packageRoot();

/** The built CLI, as users run it (npm ci builds dist/ through the prepare script). */
function fleetlint(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'fleetlint.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('fleetlint audit, end to end', () => {
  it('survives the hostile fleet: every bad input is a finding, no internal error, exit 1', () => {
    const { status, stdout } = fleetlint('audit', 'fixtures/hostile', '--format', 'json');
    expect(status).toBe(1);
    const report = JSON.parse(stdout) as { findings: { ruleId: string; repo: string }[]; repos: string[] };
    expect(report.findings.filter((finding) => finding.ruleId === 'internal-error')).toEqual([]);
    const ruleIds = new Set(report.findings.map((finding) => finding.ruleId));
    for (const id of ['parse-error', 'unreadable-file', 'unresolved-include', 'ci-config']) expect(ruleIds).toContain(id);
    expect(report.repos.length).toBeGreaterThanOrEqual(11);
  });

  it('prints the model summary and the findings for the seed fleet', () => {
    const { status, stdout, stderr } = fleetlint('audit', 'fixtures/homelab');
    expect(status).toBe(1);
    expect(stderr).toMatch(/85 repositories \(terraform \d+, ansible \d+, helm \d+, argocd \d+/);
    expect(stdout).toMatch(/\d+ problems \(\d+ errors, \d+ warnings, \d+ notes\) in 85 repositories\./);
  });

  it('prints a command\'s own usage for --help on stdout, exit 0', () => {
    const help = fleetlint('audit', '--help');
    expect(help).toMatchObject({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(/^fleetlint audit <fleet-root> \[options\]/);
    expect(help.stdout).toContain('--threads <n>');
    expect(help.stdout).not.toContain('fleetlint lint');
    expect(fleetlint('lint', '-h').stdout).toMatch(/^fleetlint lint \[<repo-dir>\]/);
  });

  it('exits 2 with a clear message for usage and configuration errors', () => {
    const missing = fleetlint('audit', 'no/such/folder');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('audit no/such/folder: no such folder');
    const badFormat = fleetlint('audit', 'fixtures/homelab', '--format', 'pdf');
    expect(badFormat.status).toBe(2);
    expect(badFormat.stderr).toContain('unknown format "pdf"');
    const noThreads = fleetlint('audit', 'fixtures/homelab', '--threads', '0');
    expect(noThreads.status).toBe(2);
    expect(noThreads.stderr).toContain('--threads 0: expected a whole number of at least 1');
    const badConfig = fleetlint('audit', 'fixtures/homelab', '--config', 'fixtures/cases/config/bad.config.yaml');
    expect(badConfig.status).toBe(2);
    expect(badConfig.stderr).toContain('line 3: rules.no-latest-tags: unknown key');
    expect(badConfig.stderr).toContain('line 5: waivers.0: missing required key reason');
  });

  it('--fail-on never exits 0 whatever it finds', () => {
    expect(fleetlint('audit', 'fixtures/hostile', '--fail-on', 'never').status).toBe(0);
  });
});

describe('fleetlint audit with a config, conftest policies and a baseline', () => {
  it('runs a conftest folder named in the config as conftest/<rule> findings, and a baseline hides known findings', () => {
    const fleet = mkdtempSync(join(tmpdir(), 'fleetlint-conftest-'));
    mkdirSync(join(fleet, 'svc'));
    for (const file of ['api.yaml', 'web.yaml']) copyFileSync(join(root, 'fixtures/cases/conftest/manifests', file), join(fleet, 'svc', file));
    writeFileSync(join(fleet, 'fleet.yaml'), 'repos: [svc]\n');
    writeFileSync(join(fleet, 'fleetlint.config.yaml'), `conftest: [${JSON.stringify(join(root, 'fixtures/cases/conftest/policy'))}]\n`);

    const first = fleetlint('audit', fleet, '--format', 'json', '--write-baseline', join(fleet, 'baseline.json'));
    expect(first.status).toBe(1);
    const report = JSON.parse(first.stdout) as { findings: { ruleId: string; file?: string }[] };
    const conftest = report.findings.filter((finding) => finding.ruleId.startsWith('conftest/'));
    expect(conftest.length).toBeGreaterThan(0);
    for (const finding of conftest) expect(['api.yaml', 'web.yaml']).toContain(finding.file);

    const second = fleetlint('audit', fleet, '--format', 'json', '--baseline', join(fleet, 'baseline.json'));
    expect(second.status).toBe(0);
    expect((JSON.parse(second.stdout) as { findings: unknown[] }).findings).toEqual([]);
  });
});

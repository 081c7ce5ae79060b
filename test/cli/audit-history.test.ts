/**
 * `audit --history` on real git repositories: a secret committed and then removed is reported at its commit, with
 * the advice to rotate it; one still in the tree is reported once, by the tree scan; the next audit reads only the
 * commits made since and still reports what it found before. No value, and no digest of one, reaches the report.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package.js';

const root = packageRoot();
const work = mkdtempSync(join(tmpdir(), 'fleetlint-history-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const REMOVED_TOKEN = 'glpat-Hq7ZxRemovedT0ken4Ab';
const KEPT_PASSWORD = 'Kept1nTreePassw0rd';
const LATER_PASSWORD = 'Later5ecretPassw0rd';

function git(dir: string, ...args: string[]): void {
  execFileSync('git', args, { cwd: dir, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_DATE: '2024-06-01T12:00:00Z', GIT_COMMITTER_DATE: '2024-06-01T12:00:00Z' } });
}

function commit(dir: string, files: Record<string, string>, message: string): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
}

interface Report {
  findings: { ruleId: string; severity: string; file?: string; message: string; subject?: string; range?: { startLine: number }; data?: { commit?: string } }[];
}

function audit(fleet: string, output: string): { report: Report; text: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'fleetlint.js'), 'audit', fleet, '--history', '--cache-dir', join(work, 'cache'), '--format', `json=${output}`, '--fail-on', 'never'], { cwd: root, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  const text = readFileSync(output, 'utf8');
  return { report: JSON.parse(text) as Report, text, stderr: result.stderr };
}

describe('audit --history', () => {
  const fleet = join(work, 'fleet');
  const repo = join(fleet, 'ops');
  mkdirSync(repo, { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.email', 'test@example.invalid');
  git(repo, 'config', 'user.name', 'test');
  commit(repo, { 'scripts/notify.sh': `#!/bin/sh\nGITLAB_TOKEN=${REMOVED_TOKEN}\ncurl -H "PRIVATE-TOKEN: $GITLAB_TOKEN" https://gitlab\n`, '.env': `DB_PASSWORD=${KEPT_PASSWORD}\n` }, 'add scripts');
  commit(repo, { 'scripts/notify.sh': '#!/bin/sh\ncurl -H "PRIVATE-TOKEN: $GITLAB_TOKEN" https://gitlab\n' }, 'take the token out');
  const first = execFileSync('git', ['rev-parse', 'HEAD~1'], { cwd: repo, encoding: 'utf8' }).trim();

  it('reports a secret removed from the tree at the commit that added it, and one in the tree once', () => {
    const { report, text, stderr } = audit(fleet, join(work, 'first.json'));
    const secrets = report.findings.filter((finding) => finding.ruleId === 'no-secrets');
    expect(secrets.map((finding) => [finding.file, finding.range?.startLine, finding.severity])).toEqual([
      ['.env', 1, 'error'],
      ['scripts/notify.sh', 2, 'error'],
    ]);
    const history = secrets.find((finding) => finding.file === 'scripts/notify.sh');
    expect(history?.message).toContain(`commit ${first.slice(0, 12)} (2024-06-01)`);
    expect(history?.message).toContain('rotate it');
    expect(history?.message).toContain('glpa… (26 chars)');
    expect(history?.data?.commit).toBe(first);
    for (const value of [REMOVED_TOKEN, KEPT_PASSWORD, REMOVED_TOKEN.slice(6, 14)]) expect(text).not.toContain(value);
    expect(stderr).toContain('history: 2 new commit(s) of 1 repositories read; 1 secret(s) only in history');
  });

  it('reads only the commits made since, and still reports what it found before', () => {
    commit(repo, { '.env': 'DB_PASSWORD=${DB_PASSWORD}\n', 'values.yaml': `auth:\n  password: ${LATER_PASSWORD}\n` }, 'the password comes from CI now');
    commit(repo, { 'values.yaml': 'auth:\n  existingSecret: app-auth\n' }, 'and the chart reads a Secret');
    const { report, text, stderr } = audit(fleet, join(work, 'second.json'));
    const secrets = report.findings.filter((finding) => finding.ruleId === 'no-secrets');
    expect(secrets.map((finding) => [finding.file, finding.range?.startLine])).toEqual([
      ['.env', 1],
      ['scripts/notify.sh', 2],
      ['values.yaml', 2],
    ]);
    expect(stderr).toContain('history: 2 new commit(s) of 1 repositories read; 3 secret(s) only in history');
    for (const value of [REMOVED_TOKEN, KEPT_PASSWORD, LATER_PASSWORD]) expect(text).not.toContain(value);
    // The state beside the clones holds keyed digests, never values.
    const state = readFileSync(join(work, 'cache', 'secrets-history.json'), 'utf8');
    for (const value of [REMOVED_TOKEN, KEPT_PASSWORD, LATER_PASSWORD]) expect(state).not.toContain(value);
  });
});

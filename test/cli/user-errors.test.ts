/**
 * Mistakes of the user's, found before the run (issue 15, item 12): a missing or malformed --baseline, a report
 * path that cannot be written, a custom policy folder that does not compile. Each is one line on stderr and exit 2,
 * with no stack trace and nothing written; they used to be exit 3 and a stack trace after the whole run.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package.js';
import { commitFiles, initRepo, tempDir } from '../sources/git-fixture.js';

const root = packageRoot();

function fleetlint(args: readonly string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'fleetlint.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, FLEETLINT_NO_CODE_CACHE: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: redis:latest\n';

describe('user errors: exit 2 and one line, before the run', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let fleet: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('fleetlint-user-errors-'));
    fleet = join(dir, 'fleet');
    await commitFiles(await initRepo(join(fleet, 'app')), join(fleet, 'app'), { 'pod.yaml': POD }, 'pod');
    await writeFile(join(dir, 'a-file'), 'not a folder\n');
    await writeFile(join(dir, 'bad-baseline.json'), '{"version": 1}\n');
    await mkdir(join(dir, 'out'));
  }, 60_000);

  afterAll(async () => {
    await (cleanup as (() => Promise<void>) | undefined)?.();
  });

  const expectOneLineUsageError = (run: { status: number | null; stderr: string }, pattern: RegExp): void => {
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(pattern);
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  };

  it('a missing --baseline file (audit and lint)', () => {
    expectOneLineUsageError(fleetlint(['audit', fleet, '--baseline', join(dir, 'missing.json'), '--format', `json=${join(dir, 'out', 'a.json')}`], dir), /^fleetlint: --baseline .*missing\.json cannot be read: ENOENT/);
    expectOneLineUsageError(fleetlint(['lint', join(fleet, 'app'), '--baseline', join(dir, 'missing.json')], dir), /^fleetlint: --baseline .*missing\.json cannot be read: ENOENT/);
  });

  it('a --baseline file that is not a baseline', () => {
    expectOneLineUsageError(fleetlint(['audit', fleet, '--baseline', join(dir, 'bad-baseline.json')], dir), /^fleetlint: --baseline .*bad-baseline\.json: expected \{"version": 1, "fingerprints": \["\.\.\."\]\}$/m);
  });

  it('a report path that cannot be written: under a file, or a folder where the file goes', async () => {
    expectOneLineUsageError(fleetlint(['audit', fleet, '--format', `json=${join(dir, 'a-file', 'report.json')}`], dir), /^fleetlint: --format json=.*a-file\/report\.json: cannot be written: .*a-file is a file, not a folder$/m);
    expectOneLineUsageError(fleetlint(['audit', fleet, '--write-baseline', join(dir, 'out')], dir), /^fleetlint: --write-baseline .*out: cannot be written: it is a folder$/m);
    expectOneLineUsageError(fleetlint(['audit', fleet, '--sarif-per-repo', join(dir, 'a-file')], dir), /^fleetlint: --sarif-per-repo .*a-file: cannot be written: it is a file, not a folder$/m);
    expectOneLineUsageError(fleetlint(['lint', join(fleet, 'app'), '--format', `sarif=${join(dir, 'a-file', 'x', 'lint.sarif')}`], dir), /cannot be written: .*a-file is a file, not a folder$/m);
    // Nothing was written before the error: the run had not started.
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  });

  it('a custom policy folder with a Rego syntax error is a configuration error naming the folder', async () => {
    await writeFile(join(fleet, 'fleetlint.config.yaml'), `policies: [${join(root, 'fixtures', 'hostile-policies', 'rego-syntax-error')}]\n`);
    const run = fleetlint(['audit', fleet, '--format', `json=${join(dir, 'out', 'policy.json')}`], dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^fleetlint: .*fleetlint\.config\.yaml: invalid configuration\n {2}- .*rego-syntax-error: /);
    expect(run.stderr).toMatch(/broken\.rego:10/);
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  }, 60_000);
});

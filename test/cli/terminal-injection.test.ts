/**
 * Terminal injection (issue 15, item 10): a file name with a newline must not forge a line of output, and a GitLab
 * error body with escape sequences must not reach the terminal raw. Real git repository, the built CLI, the GitLab
 * test server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package.js';
import { renderText } from '../../src/report/text.js';
import { startGitLabServer } from '../support/gitlab-server.js';
import { commitFiles, initRepo, tempDir } from '../sources/git-fixture.js';
import { sampleInput } from '../report/fixture.js';

const FORGED = 'No problems in 1 repository.';
const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: redis:latest\n';
// OSC 0 (set the window title), then clear the screen and home the cursor.
const HOSTILE_BODY = '{"message":"401 Unauthorized\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[H"}';

function fleetlint(args: readonly string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'fleetlint.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, FLEETLINT_NO_CODE_CACHE: '1', NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The CLI in a child process, waited for without blocking this one (the GitLab test server answers from here). */
function fleetlintAsync(args: readonly string[], env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'fleetlint.js'), ...args], { env: { ...process.env, FLEETLINT_NO_CODE_CACHE: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (status) => { resolve({ status, stderr }); }));
}

describe('control characters reach no terminal raw', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('fleetlint-terminal-'));
  });

  afterAll(async () => {
    await (cleanup as (() => Promise<void>) | undefined)?.();
  });

  it('a newline in a file name forges no output line (lint)', async () => {
    const repo = join(dir, 'repo');
    await commitFiles(await initRepo(repo), repo, { [`pod\n${FORGED}\n.yaml`]: POD }, 'a hostile file name');
    const run = fleetlint(['lint', repo, '--format', 'text'], dir);
    expect(run.status).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines).not.toContain(FORGED);
    expect(run.stdout).toContain(`pod\\u000A${FORGED}\\u000A.yaml:8:`);
  }, 60_000);

  it('a tab, a carriage return or an escape in a repo id, a file or a message is shown, not obeyed (text report)', () => {
    const input = sampleInput();
    const [first] = input.result.findings;
    if (first === undefined) throw new Error('the sample has findings');
    const hostile = { ...first, repo: 'team/\u001b[2Japp', file: 'a\rb\tc.yaml', message: 'ok\u2028\u202Eevil' };
    const text = renderText({ ...input, repos: [...input.repos, hostile.repo], result: { ...input.result, findings: [hostile] } });
    expect(text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u202E]/u);
    expect(text).toContain('team/\\u001B[2Japp');
    expect(text).toContain('a\\u000Db\\u0009c.yaml');
    expect(text).toContain('ok\\u2028\\u202Eevil');
  });

  it("a GitLab error body's escape sequences reach stderr escaped", async () => {
    const server = await startGitLabServer({ token: 'glpat-RightToken1234', groups: ['homelab'], projects: [], reposRoot: join(dir, 'gitlab') });
    try {
      server.script({ status: 401, headers: { 'content-type': 'application/json' }, body: HOSTILE_BODY });
      const run = await fleetlintAsync(['audit', '--gitlab-url', server.baseUrl, '--group', 'homelab', '--cache-dir', join(dir, 'cache')], { GITLAB_TOKEN: 'glpat-WrongToken5678', CI: 'true' });
      expect(run.status).toBe(4);
      expect(run.stderr).toContain('401 Unauthorized\\u001B]0;pwned\\u0007\\u001B[2J\\u001B[H');
      expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/u);
    } finally {
      await server.close();
    }
  }, 60_000);
});

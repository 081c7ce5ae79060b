/**
 * The nightly audit against a local GitLab that misbehaves: a clone or fetch answered 503, a clone URL on
 * another origin or on the local disk, two audits on one cache, an audit killed halfway. A small fleet of shared CI
 * templates and the repos that include them; real HTTP, real git, the real CLI.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_LOCK_FILE } from '../../src/crawl/cache-lock.js';
import { packageRoot } from '../../src/package.js';
import { createRemote, startGitLabServer, type GitLabServer, type Remote, type ServerProject } from '../support/gitlab-server.js';
import { tempDir } from '../sources/git-fixture.js';
import { readReport, runCli, type JsonReport } from './helpers.js';

const TOKEN = 'glpat-FaultyNightSecret77';
const ENV = { GITLAB_TOKEN: TOKEN, CI: 'true', CI_NODE_INDEX: undefined, CI_NODE_TOTAL: undefined };
const TEMPLATES = 'platform/ci-templates';

const consumer = (name: string): Record<string, string> => ({
  '.gitlab-ci.yml': `include:\n  - project: homelab/${TEMPLATES}\n    file: templates/security.yml\nbuild:\n  stage: build\n  script: [make ${name}]\n`,
  'deploy/deployment.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${name}\n          image: harbor.homelab.local/apps/${name}:1.0.0\n`,
});

const FLEET: Record<string, Record<string, string>> = {
  [TEMPLATES]: {
    'README.md': '# CI templates\n',
    'templates/security.yml': 'secret-scan:\n  stage: test\n  image: zricethezav/gitleaks:v8.18.0\n  script:\n    - gitleaks detect --source . --redact\n',
  },
  'apps/web': consumer('web'),
  // Its job's stage is not declared: a ci-config error that the cold run cannot check.
  'apps/api': { ...consumer('api'), '.gitlab-ci.yml': `${consumer('api')['.gitlab-ci.yml'] ?? ''}ship:\n  stage: ship\n  script: [ship]\n` },
  // A repo with no CI and an image on latest: its findings do not depend on the templates.
  'apps/docs': { 'README.md': '# docs\n', 'deploy/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: docs\nspec:\n  containers:\n    - name: docs\n      image: nginx:latest\n' },
};

const findingLines = (report: JsonReport): string[] => report.findings.map((finding) => `${finding.repo} ${finding.ruleId} ${finding.severity}: ${finding.message}`);

describe('audit --gitlab-url when GitLab or the cache misbehave', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let server: GitLabServer;
  const remotes = new Map<string, Remote>();
  let good: JsonReport;

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('fleetlint-faults-'));
    for (const [id, files] of Object.entries(FLEET)) remotes.set(id, await createRemote(join(root, 'gitlab'), join(root, 'work'), `homelab/${id}`, files));
    const projects: ServerProject[] = Object.keys(FLEET).map((id, index) => ({ id: index + 1, pathWithNamespace: `homelab/${id}` }));
    server = await startGitLabServer({ token: TOKEN, groups: ['homelab'], projects, reposRoot: join(root, 'gitlab') });
    const run = await runCli('audit', [...args('warm'), '--format', `json=${join(root, 'good.json')}`], ENV);
    expect(run.code).toBe(1);
    good = await readReport(join(root, 'good.json'));
  }, 120_000);

  afterAll(async () => {
    await (server as GitLabServer | undefined)?.close();
    await (cleanup as (() => Promise<void>) | undefined)?.();
  });

  const args = (cache: string): string[] => ['--gitlab-url', server.baseUrl, '--group', 'homelab', '--gitlab-host', 'gitlab.homelab.local', '--registry', 'harbor.homelab.local', '--cache-dir', join(root, cache)];
  const serviceUnavailable = { status: 503, headers: { 'content-type': 'text/plain' }, body: 'Service Unavailable\n' };

  it('the good run: the templates give the consumers their scan, and nothing is left behind in the private cache', async () => {
    expect(good.findings.some((finding) => finding.repo === 'apps/web' && finding.ruleId === 'required-scans')).toBe(false);
    const cache = join(root, 'warm');
    expect((await stat(cache)).mode & 0o777).toBe(0o700);
    expect((await readdir(cache)).sort()).toEqual(['.fleetlint-results.json.gz', 'apps', 'platform']);
  });

  it('a clone that fails with 503 leaves its consumers "not checked", never with false findings, and the report tells "could not be checked" from "fixed"', async () => {
    // Every attempt of the fresh clone is refused: the first and both retries.
    server.scriptGit(`homelab/${TEMPLATES}`, serviceUnavailable, serviceUnavailable, serviceUnavailable);
    const run = await runCli('audit', [...args('cold'), '--format', `json=${join(root, 'cold.json')}`, '--format', `markdown=${join(root, 'cold.md')}`, '--previous', join(root, 'good.json')], ENV);
    expect(run.code).toBe(1);
    const report = await readReport(join(root, 'cold.json'));
    const lines = findingLines(report);
    expect(lines.filter((line) => line.startsWith(`${TEMPLATES} `))).toEqual([`${TEMPLATES} crawl-error error: the repository cannot be cloned or updated: fatal: unable to access '${server.baseUrl}/homelab/${TEMPLATES}.git/': The requested URL returned error: 503`]);
    // No "not a repo of the fleet", no "no job runs a secrets scan": the consumers are not checked for what the templates hold.
    expect(lines.filter((line) => /not a repo of the fleet|no job runs/.test(line) && !line.startsWith('apps/docs'))).toEqual([]);
    for (const app of ['apps/api', 'apps/web']) {
      expect(lines).toContain(`${app} required-scans note: not checked: the pipeline includes jobs from ${TEMPLATES}, which could not be read`);
      expect(lines).toContain(`${app} ci-config note: not checked: the pipeline includes jobs from ${TEMPLATES}, which could not be read`);
      expect(lines).toContain(`${app} unresolved-include note: included templates/security.yml of ${TEMPLATES} is not checked: the repository could not be read`);
    }
    // What the good run found elsewhere is found again.
    const docs = (r: JsonReport): string[] => findingLines(r).filter((line) => line.startsWith('apps/docs '));
    expect(docs(report)).toEqual(docs(good));
    const markdown = await readFile(join(root, 'cold.md'), 'utf8');
    // The failed clone is new; the consumers' notes are not new findings, and nothing is fixed.
    expect(markdown).toContain('**1 new** · **0 fixed** · **1 could not be checked**');
  }, 60_000);

  it('a fetch that fails with 503 keeps the last good clone and says so; one 503 is retried', async () => {
    const next = await remotes.get(TEMPLATES)?.commit({ 'CHANGELOG.md': '# a release\n' });
    server.scriptGit(`homelab/${TEMPLATES}`, serviceUnavailable, serviceUnavailable, serviceUnavailable);
    const run = await runCli('audit', [...args('warm'), '--format', `json=${join(root, 'stale.json')}`], ENV);
    expect(run.code).toBe(1);
    const report = await readReport(join(root, 'stale.json'));
    const stale = report.findings.filter((finding) => finding.repo === TEMPLATES);
    expect(stale.map((finding) => [finding.ruleId, finding.severity])).toEqual([['crawl-error', 'warning']]);
    expect(stale[0]?.message).toMatch(/^the repository could not be updated \(fatal: unable to access .* returned error: 503\): checked at its last good clone, [0-9a-f]{12}$/);
    // Everything else is as in the good run.
    expect(findingLines(report).filter((line) => !line.startsWith(`${TEMPLATES} `))).toEqual(findingLines(good));

    // One refusal only: the retry fetches the new commit.
    server.scriptGit(`homelab/${TEMPLATES}`, serviceUnavailable);
    await runCli('audit', [...args('warm'), '--format', `json=${join(root, 'retried.json')}`], ENV);
    expect(findingLines(await readReport(join(root, 'retried.json')))).toEqual(findingLines(good));
    expect(await readFile(join(root, 'warm', TEMPLATES, 'CHANGELOG.md'), 'utf8')).toBe('# a release\n');
    expect(next).toMatch(/^[0-9a-f]{40}$/);
  }, 60_000);

  it('a results cache that cannot be written is a warning after the reports, not a lost report (exit 3)', async () => {
    // A folder where the cache file goes (as a project path colliding with its name would make): no rename lands.
    await mkdir(join(root, 'blocked', '.fleetlint-results.json.gz', 'occupied'), { recursive: true });
    const run = await runCli('audit', [...args('blocked'), '--format', `json=${join(root, 'blocked.json')}`, '--format', `markdown=${join(root, 'blocked.md')}`], ENV);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/fleetlint: warning: the results cache .*\.fleetlint-results\.json\.gz could not be written \(.*\); the next run evaluates every repo/);
    expect(findingLines(await readReport(join(root, 'blocked.json')))).toEqual(findingLines(good));
    expect(await readFile(join(root, 'blocked.md'), 'utf8')).toContain('fleetlint');
    // The failed write left no temporary file behind.
    expect((await readdir(join(root, 'blocked'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('refuses a clone URL on another origin or the local disk: the token goes nowhere else', async () => {
    const elsewhere = await startGitLabServer({ token: 'other', groups: [], projects: [], reposRoot: join(root, 'gitlab') });
    const foreign = await startGitLabServer({
      token: TOKEN,
      groups: ['homelab'],
      projects: [
        { id: 1, pathWithNamespace: `homelab/${TEMPLATES}` },
        { id: 2, pathWithNamespace: 'homelab/apps/web', httpUrlToRepo: `${elsewhere.baseUrl}/homelab/apps/web.git` },
        { id: 3, pathWithNamespace: 'homelab/apps/api', httpUrlToRepo: `file://${join(root, 'gitlab/homelab/apps/api.git')}` },
        { id: 4, pathWithNamespace: 'homelab/apps/docs', httpUrlToRepo: join(root, 'gitlab/homelab/apps/docs.git') },
      ],
      reposRoot: join(root, 'gitlab'),
    });
    try {
      const run = await runCli('audit', ['--gitlab-url', foreign.baseUrl, '--group', 'homelab', '--cache-dir', join(root, 'foreign'), '--format', `json=${join(root, 'foreign.json')}`], ENV);
      expect(run.code).toBe(1);
      const crawl = (await readReport(join(root, 'foreign.json'))).findings.filter((finding) => finding.ruleId === 'crawl-error').map((finding) => `${finding.repo}: ${finding.message}`);
      const origin = foreign.baseUrl;
      expect(crawl).toEqual([
        `apps/api: the repository cannot be cloned or updated: the clone URL file://${join(root, 'gitlab/homelab/apps/api.git')} is not on ${origin}, the GitLab instance audited: not cloned`,
        `apps/docs: the repository cannot be cloned or updated: the clone URL ${JSON.stringify(join(root, 'gitlab/homelab/apps/docs.git'))} is not an http(s) URL of ${origin}: not cloned`,
        `apps/web: the repository cannot be cloned or updated: the clone URL ${elsewhere.baseUrl}/homelab/apps/web.git is not on ${origin}, the GitLab instance audited: not cloned`,
      ]);
      expect(elsewhere.requests).toEqual([]);
      expect(await readdir(join(root, 'foreign'))).not.toContain('apps');
    } finally {
      await foreign.close();
      await elsewhere.close();
    }
  }, 60_000);
});

describe('one clone cache, several runs', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let server: GitLabServer;
  let templates: Remote | undefined;
  const bin = join(packageRoot(), 'bin', 'fleetlint.js');

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('fleetlint-cache-runs-'));
    for (const [id, files] of Object.entries(FLEET)) {
      const remote = await createRemote(join(root, 'gitlab'), join(root, 'work'), `homelab/${id}`, files);
      if (id === TEMPLATES) templates = remote;
    }
    const projects: ServerProject[] = Object.keys(FLEET).map((id, index) => ({ id: index + 1, pathWithNamespace: `homelab/${id}` }));
    server = await startGitLabServer({ token: TOKEN, groups: ['homelab'], projects, reposRoot: join(root, 'gitlab') });
  }, 60_000);

  afterAll(async () => {
    await (server as GitLabServer | undefined)?.close();
    await (cleanup as (() => Promise<void>) | undefined)?.();
  });

  const cliArgs = (report: string, baseUrl = server.baseUrl): string[] => [bin, 'audit', '--gitlab-url', baseUrl, '--group', 'homelab', '--cache-dir', join(root, 'cache'), '--format', `json=${join(root, report)}`];
  const env = { ...process.env, GITLAB_TOKEN: TOKEN, CI_NODE_INDEX: '', CI_NODE_TOTAL: '' };
  // Not spawnSync: the GitLab server answers from this process's event loop.
  const run = (report: string, baseUrl?: string): Promise<{ code: number | null; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, cliArgs(report, baseUrl), { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('close', (code) => {
        resolve({ code, stderr });
      });
    });

  it('two audits at once on one cache: the second waits for the first, both give the same report', async () => {
    // The first run's fetch of the templates is slowed, and the second starts once the first holds the cache: two
    // runs started together may otherwise not overlap at all on a loaded machine.
    server.scriptGit(`homelab/${TEMPLATES}`, { delayMs: 1500 });
    const firstRun = run('a.json');
    await waitFor(async () => (await readdir(join(root, 'cache')).catch((): string[] => [])).includes(CACHE_LOCK_FILE));
    const [first, second] = await Promise.all([firstRun, run('b.json')]);
    expect([first.code, second.code]).toEqual([1, 1]);
    expect(first.stderr).not.toMatch(/waiting for it/);
    expect(second.stderr).toMatch(/in use by process \d+ on .*; waiting for it/);
    expect((await readReport(join(root, 'a.json'))).findings).toEqual((await readReport(join(root, 'b.json'))).findings);
    expect(await readdir(join(root, 'cache'))).not.toContain(CACHE_LOCK_FILE);
  }, 120_000);

  it('an audit killed with its process group (a CI timeout) halfway through a fetch leaves nothing that breaks the next run', async () => {
    // The templates' fetch stalls halfway through a large pack: the run is killed while git waits, with the cache
    // locked and git's own shallow.lock taken.
    await templates?.commit({ 'vendor/large.txt': Array.from({ length: 20_000 }, (_, index) => `line ${String(index)} ${String(Math.sin(index))}`).join('\n') });
    server.scriptGit(`homelab/${TEMPLATES}`, 'serve', 'serve', { stallAfterBytes: 4000 });
    const before = server.requests.length;
    const child = spawn(process.execPath, cliArgs('killed.json'), { env, stdio: 'ignore', detached: true });
    await waitFor(() => server.requests.slice(before).filter((request) => request.url.startsWith(`/homelab/${TEMPLATES}.git/git-upload-pack`)).length === 2);
    await waitFor(async () => (await readdir(join(root, 'cache', TEMPLATES, '.git')).catch((): string[] => [])).includes('shallow.lock'));
    await waitFor(async () => (await readdir(join(root, 'cache')).catch((): string[] => [])).includes(CACHE_LOCK_FILE));
    process.kill(-(child.pid ?? 0), 'SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    // Leftovers as a killed run leaves them: its lock, a half-written results cache, a partial clone folder.
    expect(await readdir(join(root, 'cache'))).toContain(CACHE_LOCK_FILE);
    await writeFile(join(root, 'cache', '.fleetlint-results.json.gz.999.tmp'), 'half');
    await mkdir(join(root, 'cache', '.fleetlint-partial', 'clone-x'), { recursive: true });

    const after = await run('after.json');
    expect(after.code).toBe(1);
    expect(after.stderr).not.toMatch(/waiting for it/);
    const report = await readReport(join(root, 'after.json'));
    expect(report.findings.filter((finding) => finding.ruleId === 'crawl-error').map((finding) => finding.message)).toEqual([]);
    expect(report.findings).toEqual((await readReport(join(root, 'a.json'))).findings);
    expect((await readdir(join(root, 'cache'))).sort()).toEqual(['.fleetlint-results.json.gz', 'apps', 'platform']);
  }, 120_000);

  it('exits 5 (incomplete fleet) with one line and no report when the project list breaks off after its first page', async () => {
    const headerless = await startGitLabServer({
      token: TOKEN,
      groups: ['homelab'],
      projects: Object.keys(FLEET).map((id, index) => ({ id: index + 1, pathWithNamespace: `homelab/${id}` })),
      pagination: 'keyset-no-headers',
      reposRoot: join(root, 'gitlab'),
    });
    try {
      // The first page is served without pagination headers; the page after it fails on the first try and every retry.
      const busy = { status: 503, headers: { 'content-type': 'text/plain', 'retry-after': '0' }, body: 'Service Unavailable\n' };
      headerless.script('serve', ...Array.from({ length: 6 }, () => busy));
      const result = await run('incomplete.json', headerless.baseUrl);
      expect(result.code).toBe(5);
      expect(result.stderr.trim().split('\n').filter((line) => line.startsWith('fleetlint: incomplete fleet: the project list of group "homelab" stopped after 1 page(s)'))).toHaveLength(1);
      await expect(readFile(join(root, 'incomplete.json'))).rejects.toThrow(/ENOENT/);
    } finally {
      await headerless.close();
    }
  }, 60_000);

  it('prunes the clones of projects gone from the group', async () => {
    const projects: ServerProject[] = Object.keys(FLEET)
      .filter((id) => id !== 'apps/docs')
      .map((id, index) => ({ id: index + 1, pathWithNamespace: `homelab/${id}` }));
    const smaller = await startGitLabServer({ token: TOKEN, groups: ['homelab'], projects, reposRoot: join(root, 'gitlab') });
    try {
      const result = await run('smaller.json', smaller.baseUrl);
      expect(result.code).toBe(1);
      expect((await readdir(join(root, 'cache', 'apps'))).sort()).toEqual(['api', 'web']);
    } finally {
      await smaller.close();
    }
  }, 60_000);
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

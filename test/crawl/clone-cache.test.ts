import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloneFailures, gitEnv, syncClones, type CloneResult, type CloneTarget } from '../../src/crawl/clone-cache.js';
import { listGroupProjects } from '../../src/crawl/gitlab-api.js';
import { createRemote, startGitLabServer, type GitLabServer, type Remote } from '../support/gitlab-server.js';
import { tempDir } from '../sources/git-fixture.js';

const TOKEN = 'glpat-CloneSecret123token';
const BASIC = Buffer.from(`oauth2:${TOKEN}`).toString('base64');
const PATHS = ['homelab/platform/ci-templates', 'homelab/core-services/networking/traefik', 'homelab/observability/prometheus-stack'];

/** Every file under `dir`, recursively, with its bytes as text. */
async function readTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(entries.filter((entry) => entry.isFile()).map((entry) => readFile(join(entry.parentPath, entry.name), 'latin1')));
}

const heads = (results: CloneResult[]): Record<string, string> => Object.fromEntries(results.map((result) => [result.id, result.ok ? result.head : `error: ${result.error}`]));

describe('syncClones', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let server: GitLabServer;
  let remotes: Map<string, Remote>;
  let firstCommits: Map<string, string>;

  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir('fleetlint-clones-'));
    remotes = new Map();
    firstCommits = new Map();
    for (const path of PATHS) {
      const remote = await createRemote(join(root, 'gitlab'), join(root, 'work'), path, { 'README.md': `# ${path}\n`, '.gitlab-ci.yml': 'include: []\n' });
      remotes.set(path, remote);
      firstCommits.set(path.replace(/^homelab\//, ''), remote.head);
    }
    server = await startGitLabServer({
      token: TOKEN,
      groups: ['homelab'],
      projects: PATHS.map((pathWithNamespace, index) => ({ id: index + 1, pathWithNamespace })),
      reposRoot: join(root, 'gitlab'),
    });
  });
  afterEach(async () => {
    await server.close();
    await cleanup();
  });

  const discover = async (): Promise<CloneTarget[]> => (await listGroupProjects({ baseUrl: server.baseUrl, group: 'homelab', token: TOKEN })).projects;

  it('clones over HTTP with the token in a header, then fetches and resets to the new HEAD', async () => {
    const projects = await discover();
    const cacheDir = join(root, 'cache');
    const started = performance.now();
    const first = await syncClones({ projects, cacheDir, origin: server.baseUrl, token: TOKEN });
    const cloneMs = performance.now() - started;

    expect(heads(first)).toEqual(Object.fromEntries(firstCommits));
    expect(first.every((result) => result.ok && result.previousHead === undefined)).toBe(true);
    const traefik = join(cacheDir, 'core-services/networking/traefik');
    expect(await readFile(join(traefik, 'README.md'), 'utf8')).toBe('# homelab/core-services/networking/traefik\n');
    // Every git request carried the Basic header; none had the token in its URL.
    const gitRequests = server.requests.filter((request) => request.url.includes('.git/'));
    expect(gitRequests.length).toBeGreaterThanOrEqual(6);
    expect(gitRequests.every((request) => request.authorization === `Basic ${BASIC}` && !request.url.includes(TOKEN))).toBe(true);

    // A new commit upstream, a local edit and an untracked file in the cache.
    const next = await remotes.get('homelab/core-services/networking/traefik')?.commit({ 'values.yaml': 'replicas: 2\n' });
    await writeFile(join(traefik, 'README.md'), 'edited locally\n');
    await writeFile(join(traefik, 'stray.txt'), 'left over\n');
    const second = await syncClones({ projects, cacheDir, origin: server.baseUrl, token: TOKEN });

    expect(second.find((result) => result.id === 'core-services/networking/traefik')).toEqual({
      id: 'core-services/networking/traefik',
      ok: true,
      dir: traefik,
      head: next,
      previousHead: firstCommits.get('core-services/networking/traefik'),
    });
    expect(second.filter((result) => result.ok && result.head === result.previousHead).map((result) => result.id)).toEqual(['observability/prometheus-stack', 'platform/ci-templates']);
    expect(await readFile(join(traefik, 'values.yaml'), 'utf8')).toBe('replicas: 2\n');
    expect(await readFile(join(traefik, 'README.md'), 'utf8')).toBe('# homelab/core-services/networking/traefik\n');
    await expect(readFile(join(traefik, 'stray.txt'))).rejects.toThrow();
    expect(cloneMs).toBeLessThan(10_000);
  });

  it("with depth 'full' deepens a shallow clone and clones new projects whole (audit --history)", async () => {
    const projects = await discover();
    const cacheDir = join(root, 'cache');
    const traefik = 'homelab/core-services/networking/traefik';
    await remotes.get(traefik)?.commit({ 'values.yaml': 'replicas: 2\n' });
    await syncClones({ projects: projects.slice(0, 2), cacheDir, origin: server.baseUrl, token: TOKEN });
    const dir = join(cacheDir, 'core-services/networking/traefik');
    expect((await simpleGit({ baseDir: dir }).raw(['rev-list', '--count', 'HEAD'])).trim()).toBe('1');
    const full = await syncClones({ projects, cacheDir, origin: server.baseUrl, token: TOKEN, depth: 'full' });
    expect(full.every((result) => result.ok)).toBe(true);
    expect((await simpleGit({ baseDir: dir }).raw(['rev-list', '--count', 'HEAD'])).trim()).toBe('2');
    expect((await simpleGit({ baseDir: join(cacheDir, 'observability/prometheus-stack') }).raw(['rev-parse', '--is-shallow-repository'])).trim()).toBe('false');
  });

  it('never writes the token into the clones: not .git/config, not any file under .git', async () => {
    const cacheDir = join(root, 'cache');
    const results = await syncClones({ projects: await discover(), cacheDir, origin: server.baseUrl, token: TOKEN });
    expect(results.every((result) => result.ok)).toBe(true);
    await syncClones({ projects: await discover(), cacheDir, origin: server.baseUrl, token: TOKEN });
    for (const result of results) {
      if (!result.ok) continue;
      const config = await readFile(join(result.dir, '.git/config'), 'utf8');
      expect(config).toContain(`url = ${server.baseUrl}/homelab/`);
      const files = await readTree(join(result.dir, '.git'));
      expect(files.length).toBeGreaterThan(5);
      for (const text of files) {
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain(BASIC);
      }
    }
    expect(await readdir(cacheDir)).not.toContain('.fleetlint-partial');
  });

  it('reports a repo that cannot be cloned and clones the others', async () => {
    const projects: CloneTarget[] = [
      ...(await discover()),
      { path: 'security/missing', httpUrlToRepo: `${server.baseUrl}/homelab/security/missing.git`, defaultBranch: 'main' },
      { path: 'security/gone', httpUrlToRepo: join(root, 'nowhere.git'), defaultBranch: 'main' },
    ];
    const results = await syncClones({ projects, cacheDir: join(root, 'cache'), origin: server.baseUrl, token: TOKEN, concurrency: 2 });
    expect(results.map((result) => [result.id, result.ok])).toEqual([
      ['core-services/networking/traefik', true],
      ['observability/prometheus-stack', true],
      ['platform/ci-templates', true],
      ['security/missing', false],
      ['security/gone', false],
    ]);
    const missing = results[3];
    expect(missing?.ok === false && missing.error).toMatch(/^fatal: repository '.*\/homelab\/security\/missing\.git\/' not found$/);
    const gone = results[4];
    expect(gone?.ok === false && gone.error).toMatch(/^the clone URL ".*nowhere\.git" is not an http\(s\) URL of http:\/\/127\.0\.0\.1:\d+: not cloned$/);
    expect(JSON.stringify(results)).not.toContain(TOKEN);
  });

  it('fails cleanly, without a prompt or the token, when the token is rejected', async () => {
    const [project] = await discover();
    const wrong = `${TOKEN}-expired`;
    const [result] = await syncClones({ projects: project ? [project] : [], cacheDir: join(root, 'cache'), origin: server.baseUrl, token: wrong });
    expect(result?.ok).toBe(false);
    expect(result?.ok === false && result.error).toMatch(/Authentication failed|could not read Username/);
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(JSON.stringify(result)).not.toContain(Buffer.from(`oauth2:${wrong}`).toString('base64'));
  });

  it('does not carry the token along a redirect to another host', async () => {
    // A moved GitLab: the old address redirects git to a new one, which has no business seeing the token.
    const elsewhere = await startGitLabServer({ token: 'another-token', groups: [], projects: [], reposRoot: join(root, 'gitlab') });
    const moved = await startGitLabServer({ token: TOKEN, groups: [], projects: [], redirectGitTo: elsewhere.baseUrl });
    try {
      const [result] = await syncClones({ projects: [{ path: 'platform/ci-templates', httpUrlToRepo: `${moved.baseUrl}/homelab/platform/ci-templates.git` }], cacheDir: join(root, 'cache'), origin: moved.baseUrl, token: TOKEN });
      expect(moved.requests[0]?.authorization).toBe(`Basic ${BASIC}`);
      expect(elsewhere.requests.length).toBeGreaterThan(0);
      expect(elsewhere.requests.some((request) => request.authorization !== undefined)).toBe(false);
      expect(result?.ok).toBe(false);
    } finally {
      await elsewhere.close();
      await moved.close();
    }
  });

  it('follows a default branch other than main', async () => {
    const remote = remotes.get('homelab/platform/ci-templates');
    await simpleGit({ baseDir: remote?.workDir ?? '' }).raw(['checkout', '-q', '-b', 'develop']);
    const develop = await remote?.commit({ 'develop.txt': 'on develop\n' }, 'develop');

    const [result] = await syncClones({
      projects: [{ path: 'platform/ci-templates', httpUrlToRepo: `${server.baseUrl}/homelab/platform/ci-templates.git`, defaultBranch: 'develop' }],
      cacheDir: join(root, 'cache'),
      origin: server.baseUrl,
      token: TOKEN,
    });
    expect(result).toMatchObject({ ok: true, head: develop });
    expect(await readFile(join(root, 'cache/platform/ci-templates/develop.txt'), 'utf8')).toBe('on develop\n');
  });

  it('refuses project paths that would leave the cache folder', async () => {
    const results = await syncClones({ projects: [{ path: '../escape', httpUrlToRepo: join(root, 'x.git') }, { path: 'a/.git', httpUrlToRepo: join(root, 'x.git') }], cacheDir: join(root, 'cache'), origin: server.baseUrl });
    expect(results).toEqual([
      { id: '../escape', ok: false, error: '"../escape" is not a usable project path' },
      { id: 'a/.git', ok: false, error: '"a/.git" is not a usable project path' },
    ]);
  });
});

describe('gitEnv', () => {
  it('puts the token in an Authorization header scoped to the project origin, and drops GIT_DIR and the like', () => {
    const added = { GIT_DIR: '/somewhere/else/.git', GIT_TRACE_CURL: '1', EDITOR: 'vi', GIT_SSL_CAINFO: '/etc/ssl/homelab-ca.pem' };
    const saved = Object.fromEntries(Object.keys(added).map((key) => [key, process.env[key]]));
    Object.assign(process.env, added);
    try {
      const env = gitEnv('https://gitlab.homelab.local/homelab/platform/ci-templates.git', 'glpat-abc123');
      expect(env).toMatchObject({
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.https://gitlab.homelab.local/.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from('oauth2:glpat-abc123').toString('base64')}`,
        GIT_TERMINAL_PROMPT: '0',
        GIT_SSL_CAINFO: '/etc/ssl/homelab-ca.pem',
      });
      expect(Object.keys(env)).not.toEqual(expect.arrayContaining(['GIT_DIR']));
      expect(env.GIT_TRACE_CURL).toBeUndefined();
      expect(env.EDITOR).toBeUndefined();
      expect(gitEnv('/srv/git/repo.git', 'glpat-abc123').GIT_CONFIG_COUNT).toBe('0');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) Reflect.deleteProperty(process.env, key);
        else process.env[key] = value;
      }
    }
  });

  it('turns failed clones into crawl-error findings on the repo', () => {
    expect(cloneFailures([{ id: 'a/ok', ok: true, dir: '/c/a/ok', head: 'abc' }, { id: 'b/bad', ok: false, error: "fatal: repository 'x' not found" }])).toEqual([
      { ruleId: 'crawl-error', severity: 'error', message: "the repository cannot be cloned or updated: fatal: repository 'x' not found", repo: 'b/bad', subject: 'clone' },
    ]);
  });
});

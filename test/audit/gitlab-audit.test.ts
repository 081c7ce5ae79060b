/**
 * The nightly audit end to end against a local GitLab (REST API + git over HTTP) serving fixtures/homelab: discovery
 * over several pages through a 429, a project that cannot be cloned, archived and empty projects, the incremental
 * cache, and sharded runs merged back. Nothing is mocked: real HTTP, real git, the real CLI commands in-process.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemote, startGitLabServer, type GitLabServer, type Remote, type ServerProject } from '../support/gitlab-server.js';
import { tempDir } from '../sources/git-fixture.js';
import { HOMELAB, HOMELAB_CONFIG, homelabRepoIds, readReport, readStats, repoFiles, runCli, type JsonReport } from './helpers.js';

const TOKEN = 'glpat-NightlyAuditSecret42';
const BASIC = Buffer.from(`oauth2:${TOKEN}`).toString('base64');
const BROKEN = 'security/broken-repo';
const ARCHIVED = 130;
/** No CI sharding variables from the machine running the tests; CI set, as in a pipeline. */
const ENV = { GITLAB_TOKEN: TOKEN, CI: 'true', CI_NODE_INDEX: undefined, CI_NODE_TOTAL: undefined };

/** What must be equal between two runs over the same repos: every finding with its location. */
const comparable = (report: JsonReport, keep: (repo: string) => boolean): string[] =>
  report.findings.filter((finding) => keep(finding.repo)).map((finding) => JSON.stringify(finding));

// Each of these runs several whole audits of 85 clones (rendering included): a bound on a hang, not a timing.
const AUDITS_TIMEOUT = 240_000;

describe('audit --gitlab-url over fixtures/homelab served by a local GitLab', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let server: GitLabServer;
  let ids: string[];
  const remotes = new Map<string, Remote>();
  let local: JsonReport;
  let perRepoChecks = 0;

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('fleetlint-audit-gitlab-'));
    ids = await homelabRepoIds();
    expect(ids.length).toBeGreaterThan(80);
    // Bare repositories as GitLab would hold them, eight made at a time.
    for (let start = 0; start < ids.length; start += 8) {
      await Promise.all(
        ids.slice(start, start + 8).map(async (id) => {
          remotes.set(id, await createRemote(join(root, 'gitlab'), join(root, 'work'), `homelab/${id}`, await repoFiles(id)));
        }),
      );
    }
    const projects: ServerProject[] = [
      ...ids.map((id, index) => ({ id: index + 1, pathWithNamespace: `homelab/${id}` })),
      // Listed by the API, but its repository is gone: the clone fails.
      { id: 500, pathWithNamespace: `homelab/${BROKEN}` },
      { id: 501, pathWithNamespace: 'homelab/sandbox/empty', emptyRepo: true, defaultBranch: null },
      ...Array.from({ length: ARCHIVED }, (_, index) => ({ id: 600 + index, pathWithNamespace: `homelab/legacy/old-app-${String(index).padStart(3, '0')}`, archived: true })),
    ];
    server = await startGitLabServer({ token: TOKEN, groups: ['homelab'], projects, reposRoot: join(root, 'gitlab') });
    const run = await runCli('audit', [HOMELAB, '--format', `json=${join(root, 'local.json')}`], ENV);
    expect(run.code).toBe(1);
    local = await readReport(join(root, 'local.json'));
  }, 240_000);

  afterAll(async () => {
    await (server as GitLabServer | undefined)?.close();
    await (cleanup as (() => Promise<void>) | undefined)?.();
  });

  const gitlabArgs = (cacheDir: string): string[] => [
    '--gitlab-url',
    server.baseUrl,
    '--group',
    'homelab',
    // The fixture's repoURLs and includes name gitlab.homelab.local, not the test server's address.
    '--gitlab-host',
    'gitlab.homelab.local',
    '--registry',
    'harbor.homelab.local',
    '--cache-dir',
    cacheDir,
    // The clones follow the seed's conventions, as fixtures/homelab does.
    '--config',
    HOMELAB_CONFIG,
  ];

  it('discovers every project over several pages through a 429, audits the clones, and reports a failed clone without stopping', async () => {
    // GitLab's rate limit on the first request: answered 429 with Retry-After, then served normally.
    server.script({ status: 429, headers: { 'content-type': 'text/plain', 'retry-after': '0' }, body: 'Retry later\n' });
    const report = join(root, 'run1.json');
    const stats = join(root, 'run1-stats.json');
    const started = performance.now();
    const run = await runCli('audit', [...gitlabArgs(join(root, 'cache')), '--format', `json=${report}`, '--stats', stats], ENV);
    const elapsed = performance.now() - started;

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/GitLab answered 429 at http:\/\/127\.0\.0\.1:\d+\/api\/v4\/groups\/homelab\/projects; retry 1/);
    const api = server.requests.filter((request) => request.url.startsWith('/api/v4/groups/'));
    const total = ids.length + 2 + ARCHIVED;
    expect(api).toHaveLength(1 + Math.ceil(total / 100));
    // And the tags of the one repo whose files other repos include, platform/ci-templates (for required-scans' fixes).
    const tags = server.requests.filter((request) => request.url.includes('/repository/tags'));
    expect(tags.map((request) => request.url)).toEqual([`/api/v4/projects/${String(ids.indexOf('platform/ci-templates') + 1)}/repository/tags?order_by=version&sort=desc&per_page=100`]);
    expect(api.every((request) => request.privateToken === TOKEN)).toBe(true);
    const git = server.requests.filter((request) => request.url.includes('.git/'));
    expect(git.length).toBeGreaterThan(ids.length);
    expect(git.every((request) => request.authorization === `Basic ${BASIC}`)).toBe(true);
    expect(server.requests.some((request) => request.url.includes(TOKEN) || request.url.includes(BASIC))).toBe(false);

    const counts = await readStats(stats);
    expect(counts.gitlabPages).toBe(Math.ceil(total / 100));
    expect(counts.repos).toMatchObject({ discovered: ids.length + 1, skipped: ARCHIVED + 1, failed: 1, checked: ids.length });
    perRepoChecks = counts.checks.evaluated / ids.length;
    expect(Number.isInteger(perRepoChecks) && perRepoChecks > 0).toBe(true);

    const remote = await readReport(report);
    expect(remote.repos).toEqual([...ids, '.', BROKEN]);
    const broken = remote.findings.filter((finding) => finding.repo === BROKEN);
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ ruleId: 'crawl-error', severity: 'error', subject: 'clone' });
    expect(broken[0]?.message).toMatch(/^the repository cannot be cloned or updated: fatal: repository '.*\/homelab\/security\/broken-repo\.git\/' not found$/);
    const skipped = remote.findings.filter((finding) => finding.repo === '.' && finding.ruleId === 'crawl-error');
    expect(skipped).toHaveLength(ARCHIVED + 1);
    expect(skipped.every((finding) => finding.severity === 'note')).toBe(true);
    expect(skipped.find((finding) => finding.subject === 'skipped:empty:homelab/sandbox/empty')?.message).toBe('project homelab/sandbox/empty is empty: not audited');

    // The clones give exactly the findings the local fleet gives, file, line and fingerprint alike.
    const fleetRepos = new Set(ids);
    expect(comparable(remote, (repo) => fleetRepos.has(repo))).toEqual(comparable(local, (repo) => fleetRepos.has(repo)));
    expect(comparable(remote, (repo) => fleetRepos.has(repo)).length).toBeGreaterThan(400);

    for (const text of [run.stdout, run.stderr, await readFile(report, 'utf8'), await readFile(stats, 'utf8')]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(BASIC);
    }
    console.info(`audit of ${ids.length} clones from the local GitLab (discovery, ${ids.length + 1} clones, model, checks): ${Math.round(elapsed)} ms`);
  }, AUDITS_TIMEOUT);

  it('reuses the results of unchanged repos, and re-evaluates a changed repo and every repo that includes a changed template', async () => {
    const cacheDir = join(root, 'cache');
    const first = await readReport(join(root, 'run1.json'));

    let started = performance.now();
    await runCli('audit', [...gitlabArgs(cacheDir), '--format', `json=${join(root, 'run2.json')}`, '--stats', join(root, 'run2-stats.json')], ENV);
    const warm = performance.now() - started;
    const second = await readStats(join(root, 'run2-stats.json'));
    expect(second.checks).toEqual({ evaluated: 0, reused: perRepoChecks * ids.length });
    expect(await readReport(join(root, 'run2.json'))).toEqual(first);

    // One repo changes: only its repo-scope checks run again.
    await remotes.get('core-services/networking/traefik')?.commit({ 'NOTES.md': 'A note that changes nothing the checks read.\n' });
    await runCli('audit', [...gitlabArgs(cacheDir), '--format', `json=${join(root, 'run3.json')}`, '--stats', join(root, 'run3-stats.json')], ENV);
    expect((await readStats(join(root, 'run3-stats.json'))).checks).toEqual({ evaluated: perRepoChecks, reused: perRepoChecks * (ids.length - 1) });

    // The shared CI templates change: every repo whose pipeline includes them is evaluated again.
    const model = await runCli('audit', [HOMELAB, '--print-model'], ENV);
    const input = JSON.parse(model.stdout) as { repos: { id: string; ci: { includes: { resolvedRepo?: string; viaRepo?: string }[] } | null }[] };
    const consumers = input.repos.filter((repo) => repo.id !== 'platform/ci-templates' && (repo.ci?.includes ?? []).some((include) => include.resolvedRepo === 'platform/ci-templates' || include.viaRepo === 'platform/ci-templates'));
    expect(consumers.length).toBeGreaterThan(20);
    await remotes.get('platform/ci-templates')?.commit({ 'CHANGELOG.md': '# Changes\n\n- a release\n' });
    started = performance.now();
    await runCli('audit', [...gitlabArgs(cacheDir), '--format', `json=${join(root, 'run4.json')}`, '--stats', join(root, 'run4-stats.json')], ENV);
    const partial = performance.now() - started;
    expect((await readStats(join(root, 'run4-stats.json'))).checks).toEqual({ evaluated: perRepoChecks * (consumers.length + 1), reused: perRepoChecks * (ids.length - consumers.length - 1) });

    // Reused results give the same report as evaluating everything.
    started = performance.now();
    await runCli('audit', [...gitlabArgs(cacheDir), '--format', `json=${join(root, 'run5.json')}`, '--stats', join(root, 'run5-stats.json'), '--no-incremental'], ENV);
    const full = performance.now() - started;
    expect((await readStats(join(root, 'run5-stats.json'))).checks.reused).toBe(0);
    expect(await readReport(join(root, 'run4.json'))).toEqual(await readReport(join(root, 'run5.json')));
    console.info(`warm clone cache: incremental run with nothing changed ${Math.round(warm)} ms, with the templates changed ${Math.round(partial)} ms, everything evaluated ${Math.round(full)} ms`);
  }, AUDITS_TIMEOUT);

  it('three shards (one told by CI_NODE_INDEX/CI_NODE_TOTAL) merged give the same reports as one full run', async () => {
    const fragments = [1, 2, 3].map((index) => join(root, 'fragments', `shard-${index}.json.gz`));
    for (const [position, fragment] of fragments.entries()) {
      const index = position + 1;
      const shardArgs = index === 2 ? [] : ['--shard', `${index}/3`];
      const env = index === 2 ? { ...ENV, CI_NODE_INDEX: '2', CI_NODE_TOTAL: '3' } : ENV;
      // Each shard job has a clone cache of its own, as parallel CI jobs do.
      const run = await runCli('audit', [...gitlabArgs(join(root, `shard-cache-${index}`)), ...shardArgs, '--write-fragment', fragment, '--stats', `${fragment}.stats.json`], env);
      expect(run.code).toBe(0);
      const bytes = await promisify(gunzip)(await readFile(fragment));
      expect(bytes.toString('utf8')).not.toContain(TOKEN);
      const stats = await readStats(`${fragment}.stats.json`);
      // A shard clones its slice and the repos its slice's pipelines include, not the whole fleet.
      expect(stats.repos.materialized).toBeLessThan(ids.length);
    }
    const merged = await runCli('merge', [...fragments, '--config', HOMELAB_CONFIG, '--format', `json=${join(root, 'merged.json')}`, '--format', `html=${join(root, 'merged.html')}`, '--stats', join(root, 'merged-stats.json')], ENV);
    expect(merged.code).toBe(1);
    // The merge reuses the shards' results, but for required-scans, which reads the fleet's scan templates (which
    // repos include which file): a fact no shard sees whole, so the merge derives it and evaluates that check again.
    expect((await readStats(join(root, 'merged-stats.json'))).checks.evaluated).toBe(ids.length);

    const single = await runCli('audit', [...gitlabArgs(join(root, 'cache')), '--format', `json=${join(root, 'single.json')}`, '--format', `html=${join(root, 'single.html')}`], ENV);
    expect(single.code).toBe(1);
    const mergedReport = await readReport(join(root, 'merged.json'));
    const singleReport = await readReport(join(root, 'single.json'));
    expect(mergedReport.findings.map((finding) => finding.fingerprint)).toEqual(singleReport.findings.map((finding) => finding.fingerprint));
    expect(mergedReport).toEqual(singleReport);
    const singleHtml = await readFile(join(root, 'single.html'), 'utf8');
    expect(await readFile(join(root, 'merged.html'), 'utf8')).toBe(singleHtml);
    // Findings link to their line in GitLab (the --gitlab-url, the project's full path) at the commit the clone holds.
    const traefik = 'core-services/networking/traefik';
    const head = (await simpleGit({ baseDir: join(root, 'cache', traefik) }).revparse(['HEAD'])).trim();
    const latest = singleReport.findings.find((finding) => finding.repo === traefik && finding.ruleId === 'no-latest-tag' && finding.file !== undefined);
    expect(singleHtml).toContain(`<a href="${server.baseUrl}/homelab/${traefik}/-/blob/${head}/${latest?.file ?? ''}#L${latest?.range?.startLine ?? ''}">`);
    expect(singleHtml).toContain(`from template <a href="${server.baseUrl}/homelab/platform/ci-templates/-/blob/`);

    // Every shard must be there, once.
    await expect(runCli('merge', [fragments[0] ?? '', fragments[2] ?? ''], ENV)).rejects.toThrow(/shard 2 of 3 is missing/);
    await expect(runCli('merge', [fragments[0] ?? '', fragments[1] ?? '', fragments[1] ?? '', fragments[2] ?? ''], ENV)).rejects.toThrow(/are both shard 2\/3/);
  }, AUDITS_TIMEOUT);

  it('refuses a shard without a fragment and a GitLab option without --gitlab-url', async () => {
    await expect(runCli('audit', [...gitlabArgs(join(root, 'cache')), '--shard', '1/2'], ENV)).rejects.toThrow(/--shard needs --write-fragment/);
    await expect(runCli('audit', [HOMELAB, '--registry', 'harbor.homelab.local'], ENV)).rejects.toThrow(/--registry goes with --gitlab-url/);
    await expect(runCli('audit', ['--gitlab-url', server.baseUrl, '--group', 'nope', '--cache-dir', join(root, 'cache')], ENV)).rejects.toThrow(/has no group "nope"/);
  });
});

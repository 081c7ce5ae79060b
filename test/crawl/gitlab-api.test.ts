import { afterEach, describe, expect, it } from 'vitest';
import { GitLabApiError, listGroupProjects, nextLink, retryAfterMs, type ListGroupProjectsOptions } from '../../src/crawl/gitlab-api.js';
import { IncompleteFleetError } from '../../src/exit-codes.js';
import { startGitLabServer, type GitLabServer, type GitLabServerOptions, type ServerProject } from '../support/gitlab-server.js';

const TOKEN = 'glpat-Xy7secretTOKENvalue42';
const AREAS = ['platform', 'infrastructure', 'kubernetes', 'core-services/networking', 'observability'];

/** `count` projects spread over subgroups of `homelab`, ids in creation order. */
function fleet(count: number): ServerProject[] {
  return Array.from({ length: count }, (_, index) => ({ id: 1000 + index, pathWithNamespace: `homelab/${AREAS[index % AREAS.length] ?? ''}/repo-${String(index).padStart(3, '0')}` }));
}

describe('listGroupProjects', () => {
  let server: GitLabServer | undefined;
  const start = async (options: Partial<GitLabServerOptions> = {}): Promise<GitLabServer> => {
    server = await startGitLabServer({ token: TOKEN, groups: ['homelab', 'homelab/platform'], projects: fleet(250), ...options });
    return server;
  };
  const list = (overrides: Partial<ListGroupProjectsOptions> = {}): ReturnType<typeof listGroupProjects> =>
    listGroupProjects({ baseUrl: server?.baseUrl ?? '', group: 'homelab', token: TOKEN, sleep: () => Promise.resolve(), ...overrides });

  afterEach(async () => {
    // Whatever the test did, the token went in a header and never in a URL.
    for (const request of server?.requests ?? []) expect(decodeURIComponent(request.url)).not.toContain(TOKEN);
    await server?.close();
    server = undefined;
  });

  it('walks offset pages (250 projects, 100 a page) with the token in PRIVATE-TOKEN only', async () => {
    await start();
    const started = performance.now();
    const { projects, skipped, pages } = await list();
    const elapsed = performance.now() - started;

    expect(projects).toHaveLength(250);
    expect(pages).toBe(3);
    expect(skipped).toEqual([]);
    expect(projects.map((project) => project.path)).toEqual(projects.map((project) => project.path).sort());
    expect(projects.find((project) => project.id === 1003)).toEqual({
      id: 1003,
      pathWithNamespace: 'homelab/core-services/networking/repo-003',
      path: 'core-services/networking/repo-003',
      httpUrlToRepo: `${server?.baseUrl ?? ''}/homelab/core-services/networking/repo-003.git`,
      defaultBranch: 'main',
      archived: false,
      emptyRepo: false,
    });
    const requests = server?.requests ?? [];
    expect(requests).toHaveLength(3);
    expect(requests.every((request) => request.privateToken === TOKEN)).toBe(true);
    const first = new URL(requests[0]?.url ?? '', 'http://x');
    expect(first.pathname).toBe('/api/v4/groups/homelab/projects');
    expect(Object.fromEntries(first.searchParams)).toEqual({ include_subgroups: 'true', with_shared: 'false', order_by: 'id', sort: 'asc', per_page: '100', pagination: 'keyset' });
    expect(requests.map((request) => new URL(request.url, 'http://x').searchParams.get('page'))).toEqual([null, '2', '3']);
    expect(elapsed).toBeLessThan(2000);
  });

  it('URL-encodes a subgroup path and keeps only its projects, paths relative to it', async () => {
    await start();
    const { projects } = await list({ group: 'homelab/platform/' });
    expect(server?.requests[0]?.url).toMatch(/^\/api\/v4\/groups\/homelab%2Fplatform\/projects\?/);
    expect(projects).toHaveLength(50);
    expect(projects[0]?.path).toBe('repo-000');
  });

  it('reports archived and empty projects as skipped', async () => {
    await start({
      projects: [
        { id: 1, pathWithNamespace: 'homelab/platform/ci-templates' },
        { id: 2, pathWithNamespace: 'homelab/backup/old-velero', archived: true },
        { id: 3, pathWithNamespace: 'homelab/applications/new-app', emptyRepo: true, defaultBranch: null },
        { id: 4, pathWithNamespace: 'homelab/security/vault', defaultBranch: 'trunk' },
      ],
    });
    const { projects, skipped } = await list();
    expect(projects.map(({ path, defaultBranch }) => ({ path, defaultBranch }))).toEqual([
      { path: 'platform/ci-templates', defaultBranch: 'main' },
      { path: 'security/vault', defaultBranch: 'trunk' },
    ]);
    expect(skipped).toEqual([
      { pathWithNamespace: 'homelab/applications/new-app', reason: 'empty' },
      { pathWithNamespace: 'homelab/backup/old-velero', reason: 'archived' },
    ]);
  });

  it('follows Link rel="next" when totals are omitted (past 10,000 results)', async () => {
    await start({ pagination: 'offset-no-totals' });
    const { projects, pages } = await list();
    expect(projects).toHaveLength(250);
    expect(pages).toBe(3);
  });

  it('falls back to x-next-page when there is no Link header', async () => {
    await start();
    // A proxy that drops the Link header: the server is real, only that header is removed.
    const withoutLink: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const headers = new Headers(response.headers);
      headers.delete('link');
      return new Response(response.body, { status: response.status, headers });
    };
    const { projects, pages } = await list({ fetchImpl: withoutLink });
    expect(projects).toHaveLength(250);
    expect(pages).toBe(3);
  });

  it('uses keyset pagination where GitLab offers it: only Link rel="next", an id_after cursor', async () => {
    await start({ pagination: 'keyset' });
    const { projects, pages } = await list();
    expect(projects).toHaveLength(250);
    // The last page has no Link at all, as a stripped one would: the empty page after it ends the list for certain.
    expect(pages).toBe(4);
    const cursors = (server?.requests ?? []).map((request) => new URL(request.url, 'http://x').searchParams.get('id_after'));
    expect(cursors).toEqual([null, '1099', '1199', '1249']);
  });

  it.each(['offset-no-headers', 'keyset-no-headers'] as const)('reads every page when a proxy strips the pagination headers (%s): the page after the last is asked for', async (pagination) => {
    await start({ pagination });
    const { projects, pages } = await list();
    expect(projects).toHaveLength(250);
    // Three pages of projects, and the empty one that ends the list.
    expect(pages).toBe(4);
    const cursors = (server?.requests ?? []).map((request) => new URL(request.url, 'http://x').searchParams).map((query) => `${query.get('id_after') ?? '-'} ${query.get('page') ?? '-'}`);
    // Offset pages where GitLab ignores keyset: the id_after probe comes back with the first page again, so the rest is read by page number.
    expect(cursors).toEqual(pagination === 'keyset-no-headers' ? ['- -', '1099 -', '1199 -', '1249 -'] : ['- -', '1099 -', '- 2', '- 3', '- 4']);
  });

  it('fails as an incomplete fleet, not with a partial list, when a later page cannot be read', async () => {
    await start({ pagination: 'keyset-no-headers' });
    // The first page, then the page after it fails on every try.
    const refused = { status: 502, headers: { 'content-type': 'text/plain' }, body: 'Bad Gateway\n' };
    const firstPage: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).searchParams.has('id_after')) return new Response(refused.body, { status: refused.status, headers: refused.headers });
      return response;
    };
    await expect(list({ fetchImpl: firstPage, maxRetries: 2 })).rejects.toThrow(new IncompleteFleetError('the project list of group "homelab" stopped after 1 page(s): GitLab at ' + (server?.baseUrl ?? '') + ' answered 502 Bad Gateway when listing group "homelab" after 2 retries'));
  });

  it('falls back to offset pagination when GitLab answers keyset with 405', async () => {
    await start({ pagination: 'keyset-405' });
    const { projects } = await list();
    expect(projects).toHaveLength(250);
    const modes = (server?.requests ?? []).map((request) => new URL(request.url, 'http://x').searchParams.get('pagination'));
    expect(modes).toEqual(['keyset', null, null, null]);
  });

  it('waits as long as Retry-After asks on 429, and backs off on 500', async () => {
    await start();
    server?.script(
      { status: 429, headers: { 'retry-after': '7', 'content-type': 'text/plain' }, body: 'Retry later\n' },
      { status: 500, headers: { 'content-type': 'application/json' }, body: '{"message":"500 Internal Server Error"}' },
    );
    const delays: number[] = [];
    const retries: unknown[] = [];
    const { projects } = await list({ sleep: (ms) => (delays.push(ms), Promise.resolve()), baseDelayMs: 250, onRetry: (event) => retries.push(event) });
    expect(projects).toHaveLength(250);
    expect(delays).toEqual([7000, 500]);
    expect(retries).toEqual([
      { url: `${server?.baseUrl ?? ''}/api/v4/groups/homelab/projects`, status: 429, attempt: 1, delayMs: 7000 },
      { url: `${server?.baseUrl ?? ''}/api/v4/groups/homelab/projects`, status: 500, attempt: 2, delayMs: 500 },
    ]);
  });

  it('reads Retry-After as an HTTP date', async () => {
    await start();
    server?.script({ status: 429, headers: { 'retry-after': new Date(Date.now() + 3000).toUTCString() } });
    const delays: number[] = [];
    await list({ sleep: (ms) => (delays.push(ms), Promise.resolve()) });
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThan(1000);
    expect(delays[0]).toBeLessThanOrEqual(3000);
  });

  it('really waits for Retry-After: 1 with the default sleep', async () => {
    await start();
    server?.script({ status: 429, headers: { 'retry-after': '1' } });
    const { projects } = await listGroupProjects({ baseUrl: server?.baseUrl ?? '', group: 'homelab', token: TOKEN });
    expect(projects).toHaveLength(250);
    const [limited, retried] = server?.requests ?? [];
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('gives up after maxRetries and says what GitLab answered', async () => {
    await start();
    const unavailable = { status: 503, headers: { 'content-type': 'application/json' }, body: '{"message":"503 Service Unavailable"}' };
    server?.script(unavailable, unavailable, unavailable);
    await expect(list({ maxRetries: 2 })).rejects.toThrow(/answered 503 Service Unavailable when listing group "homelab" after 2 retries/);
    expect(server?.requests).toHaveLength(3);
  });

  it('refuses a Retry-After longer than the delay cap instead of hammering', async () => {
    await start();
    server?.script({ status: 429, headers: { 'retry-after': '3600' } });
    await expect(list({ maxDelayMs: 120_000 })).rejects.toThrow(/asked to wait 3600 s \(Retry-After\), longer than the 120 s limit/);
  });

  it('explains 401, 403 and 404 without ever showing the token, even one the server echoes', async () => {
    await start();
    const wrong = `${TOKEN}-revoked`;
    const unauthorized = await list({ token: wrong }).catch((error: unknown) => error);
    expect(unauthorized).toBeInstanceOf(GitLabApiError);
    expect(unauthorized).toMatchObject({ status: 401, message: expect.stringMatching(/rejected the token in GITLAB_TOKEN \(401 Unauthorized\)/) as unknown });

    server?.script({ status: 403, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: `403 Forbidden - token ${TOKEN} lacks read_api (${encodeURIComponent(TOKEN)})` }) });
    const forbidden = await list().catch((error: unknown) => error);
    expect(forbidden).toMatchObject({ status: 403, message: expect.stringMatching(/refused to list group "homelab" \(403 Forbidden - token \[REDACTED\] lacks read_api/) as unknown });

    const missing = await list({ group: 'homelabb' }).catch((error: unknown) => error);
    expect(missing).toMatchObject({ status: 404, message: expect.stringMatching(/has no group "homelabb" \(404 Group Not Found\)/) as unknown });

    const anonymous = await list({ token: undefined }).catch((error: unknown) => error);
    expect(anonymous).toMatchObject({ status: 404, message: expect.stringMatching(/set GITLAB_TOKEN if the group is not public/) as unknown });

    for (const error of [unauthorized, forbidden, missing, anonymous]) {
      expect(String(error)).not.toContain(TOKEN.slice(6));
      expect(String(error)).not.toContain(wrong);
    }
  });

  it('does not follow a redirect, which would carry the token to another host', async () => {
    await start();
    server?.script({ status: 302, headers: { location: 'https://gitlab.example.invalid/api/v4/groups/homelab/projects' } });
    await expect(list()).rejects.toThrow(/redirects to https:\/\/gitlab\.example\.invalid \(302\)/);
    expect(server?.requests).toHaveLength(1);
  });

  it('takes only the query of a next link, so the token stays on the GitLab origin', async () => {
    await start();
    const foreign = `<https://elsewhere.invalid/api/v4/groups/homelab/projects?include_subgroups=true&order_by=id&sort=asc&per_page=100&page=2>; rel="next"`;
    server?.script({ status: 200, headers: { 'content-type': 'application/json', link: foreign }, body: '[]' });
    const { projects } = await list();
    expect(projects).toHaveLength(150);
    expect(server?.requests).toHaveLength(3);
  });
});

describe('pagination helpers', () => {
  it('finds rel="next" among the links GitLab sends', () => {
    const header = '<https://g/api/v4/x?page=1>; rel="prev", <https://g/api/v4/x?page=3>; rel="next", <https://g/api/v4/x?page=1>; rel="first"';
    expect(nextLink(header)).toBe('https://g/api/v4/x?page=3');
    expect(nextLink('<https://g/x?page=1>; rel="first"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });

  it('reads Retry-After seconds and dates', () => {
    expect(retryAfterMs('1')).toBe(1000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

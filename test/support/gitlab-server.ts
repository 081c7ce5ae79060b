/**
 * A local stand-in for GitLab on 127.0.0.1 that speaks the real contracts fleetlint uses: the REST API's
 * `GET /api/v4/groups/:id/projects` (auth, 401/404 bodies, offset and keyset pagination headers), a project's
 * tags (`GET /api/v4/projects/:id/repository/tags`, from the bare repository), and git's
 * smart HTTP protocol through the real `git http-backend`, behind the same Basic auth GitLab takes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import semver from 'semver';
import { simpleGit } from 'simple-git';
import { commitFiles, initRepo } from '../sources/git-fixture.js';

export interface ServerProject {
  id: number;
  /** `homelab/core-services/networking/traefik` */
  pathWithNamespace: string;
  defaultBranch?: string | null;
  archived?: boolean;
  emptyRepo?: boolean;
  /** Defaults to this server's git URL for the project. */
  httpUrlToRepo?: string;
}

/**
 * - offset: page/per_page with every header (GitLab ignores `pagination=keyset` where it has no keyset).
 * - offset-no-totals: what GitLab sends past 10,000 results: no x-total, x-total-pages or rel="last".
 * - keyset: `pagination=keyset&order_by=id` answered with only `Link: rel="next"` (an `id_after` cursor).
 * - keyset-405: `pagination=keyset` refused with 405, as GitLab does where keyset is not available.
 * - offset-no-headers, keyset-no-headers: every page's pagination headers stripped (a proxy that drops them): only
 *   the body is left.
 */
export type PaginationMode = 'offset' | 'offset-no-totals' | 'keyset' | 'keyset-405' | 'offset-no-headers' | 'keyset-no-headers';

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Waits this long before answering: a server that hangs (closing the server ends the wait). */
  hangMs?: number;
}

/**
 * What a scripted git request gets: a response of its own, `'serve'` (served as usual), served by git but cut
 * off after so many bytes of its body with the connection left open (a transfer that stalls halfway), or served by
 * git after a wait (a slow server).
 */
export type GitFault = ScriptedResponse | 'serve' | { stallAfterBytes: number } | { delayMs: number };

export interface RecordedRequest {
  method: string;
  /** Path and query as the server received them. */
  url: string;
  privateToken: string | undefined;
  authorization: string | undefined;
  at: number;
}

export interface GitLabServerOptions {
  /** The one valid token, for the API (PRIVATE-TOKEN) and for git (Basic, any user). */
  token: string;
  /** Full paths of the groups that exist. */
  groups: string[];
  projects: ServerProject[];
  pagination?: PaginationMode;
  /** Bare repositories served over git HTTP, at `<reposRoot>/<pathWithNamespace>.git`. */
  reposRoot?: string;
  /** Answers every git request with a 302 to the same path on this base URL (a moved GitLab). */
  redirectGitTo?: string;
}

export interface GitLabServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Answers the next API requests with these responses (`'serve'`: as usual), in order, before serving normally again. */
  script(...responses: (ScriptedResponse | 'serve')[]): void;
  /**
   * Answers the next git requests for one project (`homelab/platform/ci-templates`) with these responses, in
   * order, before serving it normally again: a 503 while it is cloned or fetched, say.
   */
  scriptGit(pathWithNamespace: string, ...responses: GitFault[]): void;
  close(): Promise<void>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export async function startGitLabServer(options: GitLabServerOptions): Promise<GitLabServer> {
  const requests: RecordedRequest[] = [];
  const scripted: (ScriptedResponse | 'serve')[] = [];
  const scriptedGit = new Map<string, GitFault[]>();
  let baseUrl = '';
  const server = createServer((request, response) => {
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    requests.push({ method: request.method ?? '', url: request.url ?? '', privateToken: header('private-token'), authorization: header('authorization'), at: Date.now() });
    const url = new URL(request.url ?? '/', baseUrl);
    if (url.pathname.startsWith('/api/v4/')) {
      const next = scripted.shift();
      send(response, next === undefined || next === 'serve' ? api(url, header('private-token'), options, baseUrl) : next);
    } else if (/\.git\/(info\/refs|git-upload-pack)$/.test(url.pathname)) {
      const project = decodeURIComponent(url.pathname.replace(/^\/|\.git\/(info\/refs|git-upload-pack)$/g, ''));
      const fault = scriptedGit.get(project)?.shift();
      if (fault !== undefined && fault !== 'serve' && 'status' in fault) {
        send(response, fault);
      } else if (options.redirectGitTo !== undefined) {
        send(response, { status: 302, headers: { location: `${options.redirectGitTo}${url.pathname}${url.search}` } });
      } else if (header('authorization') !== `Basic ${Buffer.from(`oauth2:${options.token}`).toString('base64')}`) {
        send(response, { status: 401, headers: { 'www-authenticate': 'Basic realm="GitLab"' }, body: 'HTTP Basic: Access denied\n' });
      } else if (options.reposRoot === undefined) {
        send(response, { status: 404, body: 'no repositories\n' });
      } else {
        const reposRoot = options.reposRoot;
        const serve = (): void => {
          gitHttpBackend(request, response, url, reposRoot, fault !== undefined && fault !== 'serve' && 'stallAfterBytes' in fault ? fault.stallAfterBytes : undefined);
        };
        if (fault !== undefined && fault !== 'serve' && 'delayMs' in fault) setTimeout(serve, fault.delayMs);
        else serve();
      }
    } else {
      send(response, json(404, { error: '404 Not Found' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    requests,
    script: (...responses) => scripted.push(...responses),
    scriptGit: (pathWithNamespace, ...responses) => {
      scriptedGit.set(pathWithNamespace, [...(scriptedGit.get(pathWithNamespace) ?? []), ...responses]);
    },
    close: () => new Promise((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => {
        if (error) reject(error);
        else resolve();
      });
    }),
  };
}

function api(url: URL, privateToken: string | undefined, options: GitLabServerOptions, baseUrl: string): ScriptedResponse {
  if (privateToken !== undefined && privateToken !== options.token) return json(401, { message: '401 Unauthorized' });
  const tags = /^\/api\/v4\/projects\/(\d+)\/repository\/tags$/.exec(url.pathname);
  if (tags?.[1] !== undefined) return projectTags(Number(tags[1]), url, privateToken, options);
  const match = /^\/api\/v4\/groups\/([^/]+)\/projects$/.exec(url.pathname);
  if (!match?.[1]) return json(404, { error: '404 Not Found' });
  const group = decodeURIComponent(match[1]);
  // Groups are private: without a token GitLab does not admit they exist.
  if (privateToken === undefined || !options.groups.includes(group)) return json(404, { message: '404 Group Not Found' });

  const query = url.searchParams;
  const subgroups = query.get('include_subgroups') === 'true';
  let projects = options.projects.filter((project) => {
    const namespace = project.pathWithNamespace.slice(0, project.pathWithNamespace.lastIndexOf('/'));
    return namespace === group || (subgroups && namespace.startsWith(`${group}/`));
  });
  const archived = query.get('archived');
  if (archived !== null) projects = projects.filter((project) => (project.archived ?? false) === (archived === 'true'));
  const orderBy = query.get('order_by') ?? 'created_at';
  const key = (project: ServerProject): string | number => (orderBy === 'path' ? project.pathWithNamespace.slice(project.pathWithNamespace.lastIndexOf('/') + 1) : project.id);
  const direction = query.get('sort') === 'asc' ? 1 : -1;
  projects.sort((a, b) => (key(a) < key(b) ? -direction : key(a) > key(b) ? direction : a.id - b.id));
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 20) || 20));
  const entity = (project: ServerProject): unknown => projectEntity(project, baseUrl);
  const mode = options.pagination ?? 'offset';

  if (query.get('pagination') === 'keyset' && (mode === 'keyset' || mode === 'keyset-405' || mode === 'keyset-no-headers')) {
    if (mode === 'keyset-405' || orderBy !== 'id') return json(405, { message: 'Keyset pagination is not yet available for this type of request' });
    const after = Number(query.get('id_after') ?? 0);
    const rest = projects.filter((project) => (direction === 1 ? project.id > after : after === 0 || project.id < after));
    const page = rest.slice(0, perPage);
    const last = page[page.length - 1];
    const headers: Record<string, string> = {};
    if (rest.length > perPage && last && mode !== 'keyset-no-headers') {
      const next = new URL(url.pathname + url.search, baseUrl);
      next.searchParams.set(direction === 1 ? 'id_after' : 'id_before', String(last.id));
      next.searchParams.delete(direction === 1 ? 'id_before' : 'id_after');
      headers.link = `<${next.href}>; rel="next"`;
    }
    return json(200, page.map(entity), headers);
  }

  const total = projects.length;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const pageUrl = (number: number): string => {
    const target = new URL(url.pathname + url.search, baseUrl);
    target.searchParams.set('page', String(number));
    return target.href;
  };
  const pageBody = projects.slice((page - 1) * perPage, page * perPage).map(entity);
  if (mode === 'offset-no-headers') return json(200, pageBody);
  const totals = mode !== 'offset-no-totals';
  const links = [
    ...(page > 1 ? [`<${pageUrl(page - 1)}>; rel="prev"`] : []),
    ...(page < totalPages ? [`<${pageUrl(page + 1)}>; rel="next"`] : []),
    `<${pageUrl(1)}>; rel="first"`,
    ...(totals ? [`<${pageUrl(totalPages)}>; rel="last"`] : []),
  ];
  const headers: Record<string, string> = {
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-next-page': page < totalPages ? String(page + 1) : '',
    'x-prev-page': page > 1 ? String(page - 1) : '',
    link: links.join(', '),
    ...(totals ? { 'x-total': String(total), 'x-total-pages': String(totalPages) } : {}),
  };
  return json(200, pageBody, headers);
}

/**
 * `GET /projects/:id/repository/tags`: the bare repository's real tags, `order_by` version (semantic versions by
 * precedence, other names after them by name), updated or name, `sort` desc by default; one page (`per_page`).
 */
function projectTags(id: number, url: URL, privateToken: string | undefined, options: GitLabServerOptions): ScriptedResponse {
  const project = options.projects.find((candidate) => candidate.id === id);
  if (privateToken === undefined || project === undefined || options.reposRoot === undefined) return json(404, { message: '404 Project Not Found' });
  const lines = execFileSync('git', ['for-each-ref', '--format=%(refname:short) %(objectname) %(creatordate:unix)', 'refs/tags'], { cwd: join(options.reposRoot, `${project.pathWithNamespace}.git`), encoding: 'utf8' });
  const found = lines.split('\n').filter((line) => line !== '').map((line) => {
    const [name = '', target = '', created = '0'] = line.split(' ');
    return { name, target, created: Number(created) };
  });
  const orderBy = url.searchParams.get('order_by') ?? 'updated';
  const byVersion = (a: string, b: string): number => {
    const [va, vb] = [semver.valid(a), semver.valid(b)];
    if (va !== null && vb !== null) return semver.compare(va, vb) || (a < b ? -1 : a > b ? 1 : 0);
    if (va !== null || vb !== null) return va !== null ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  };
  found.sort((a, b) => (orderBy === 'version' ? byVersion(a.name, b.name) : orderBy === 'name' ? (a.name < b.name ? -1 : 1) : a.created - b.created));
  if (url.searchParams.get('sort') !== 'asc') found.reverse();
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 20) || 20));
  const body = found.slice(0, perPage).map((tag) => ({ name: tag.name, message: '', target: tag.target, commit: { id: tag.target }, release: null, protected: false }));
  return json(200, body, { 'x-page': '1', 'x-per-page': String(perPage), 'x-next-page': found.length > perPage ? '2' : '' });
}

/** A project as GitLab's API presents it (the fields fleetlint reads, and enough of the rest to look real). */
function projectEntity(project: ServerProject, baseUrl: string): unknown {
  const full = project.pathWithNamespace;
  const slash = full.lastIndexOf('/');
  const namespace = full.slice(0, slash);
  const path = full.slice(slash + 1);
  return {
    id: project.id,
    description: null,
    name: path,
    name_with_namespace: full.split('/').join(' / '),
    path,
    path_with_namespace: full,
    created_at: '2024-01-01T00:00:00.000Z',
    default_branch: project.defaultBranch === undefined ? 'main' : project.defaultBranch,
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@127.0.0.1:${full}.git`,
    http_url_to_repo: project.httpUrlToRepo ?? `${baseUrl}/${full}.git`,
    web_url: `${baseUrl}/${full}`,
    readme_url: null,
    forks_count: 0,
    avatar_url: null,
    star_count: 0,
    last_activity_at: '2024-01-01T00:00:00.000Z',
    namespace: { id: 1, name: namespace.slice(namespace.lastIndexOf('/') + 1), path: namespace.slice(namespace.lastIndexOf('/') + 1), kind: 'group', full_path: namespace, parent_id: null, avatar_url: null, web_url: `${baseUrl}/groups/${namespace}` },
    visibility: 'private',
    empty_repo: project.emptyRepo ?? false,
    archived: project.archived ?? false,
  };
}

function send(response: ServerResponse, { status, headers = {}, body = '', hangMs }: ScriptedResponse): void {
  if (hangMs !== undefined) {
    const timer = setTimeout(() => {
      send(response, { status, headers, body });
    }, hangMs);
    response.on('close', () => {
      clearTimeout(timer);
    });
    return;
  }
  response.writeHead(status, headers);
  response.end(body);
}

/** Runs `git http-backend` as the CGI program it is, over the repositories under `root`. */
function gitHttpBackend(request: IncomingMessage, response: ServerResponse, url: URL, root: string, stallAfterBytes?: number): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: request.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: request.headers['content-type'] ?? '',
      CONTENT_LENGTH: String(body.length),
      REMOTE_ADDR: '127.0.0.1',
    };
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined) env.HTTP_CONTENT_ENCODING = encoding;
    const protocol = request.headers['git-protocol'];
    if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;
    const child = spawn('git', ['http-backend'], { env });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    // The backend may answer (a 404, say) without reading the request body: that EPIPE is not a failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(body);
    child.on('close', () => {
      const output = Buffer.concat(out);
      const end = output.indexOf('\r\n\r\n');
      const split = end >= 0 ? end + 4 : output.indexOf('\n\n') + 2;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of output.subarray(0, split).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'status') status = Number(value.split(' ')[0]) || 500;
        else headers[name] = value;
      }
      response.writeHead(status, headers);
      if (stallAfterBytes === undefined) response.end(output.subarray(split));
      else response.write(output.subarray(split, split + stallAfterBytes));
    });
  });
}

/** A bare repository at `<root>/<pathWithNamespace>.git` on branch main, and a working clone to push new commits from. */
export interface Remote {
  bareDir: string;
  workDir: string;
  /** The first commit, on main. */
  head: string;
  /** Commits the files in the working repository and pushes them to `branch`; returns the new commit. */
  commit(files: Readonly<Record<string, string>>, branch?: string): Promise<string>;
}

export async function createRemote(root: string, workRoot: string, pathWithNamespace: string, files: Readonly<Record<string, string>>): Promise<Remote> {
  const bareDir = join(root, `${pathWithNamespace}.git`);
  const workDir = join(workRoot, pathWithNamespace);
  await mkdir(bareDir, { recursive: true });
  await simpleGit({ baseDir: bareDir }).raw(['init', '--quiet', '--bare', '--initial-branch=main']);
  const work = await initRepo(workDir);
  await work.raw(['symbolic-ref', 'HEAD', 'refs/heads/main']);
  const commit = async (next: Readonly<Record<string, string>>, branch = 'main'): Promise<string> => {
    await commitFiles(work, workDir, next, `change on ${branch}`);
    await work.raw(['push', '--quiet', bareDir, `HEAD:refs/heads/${branch}`]);
    return (await work.revparse(['HEAD'])).trim();
  };
  const head = await commit(files);
  return { bareDir, workDir, head, commit };
}

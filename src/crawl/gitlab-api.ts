/**
 * Fleet discovery from GitLab: every project of a group and its subgroups, through the REST API v4
 * (`GET /groups/:id/projects`). The token travels only in the `PRIVATE-TOKEN` header and never appears in a
 * URL, a log line or an error message.
 */

import { IncompleteFleetError } from '../exit-codes.js';

/** The env var the CLI reads the token from; messages name it so the user knows what to fix. */
export const TOKEN_ENV_VAR = 'GITLAB_TOKEN';

export interface GitLabProject {
  id: number;
  /** `homelab/core-services/networking/traefik` */
  pathWithNamespace: string;
  /** Relative to the group, POSIX separators: `core-services/networking/traefik`. This is the repo id. */
  path: string;
  httpUrlToRepo: string;
  defaultBranch: string;
  archived: boolean;
  emptyRepo: boolean;
}

export type SkipReason = 'archived' | 'empty' | 'outside-group';

/** A project the group holds but the audit leaves out, so the caller can say so. */
export interface SkippedProject {
  pathWithNamespace: string;
  reason: SkipReason;
}

export interface GroupProjects {
  /** Sorted by path. */
  projects: GitLabProject[];
  /** Sorted by pathWithNamespace. */
  skipped: SkippedProject[];
  /** Pages fetched (retries not counted). */
  pages: number;
}

export interface RetryEvent {
  /** Origin and path, no query string. */
  url: string;
  /** The HTTP status, or undefined for a network error. */
  status: number | undefined;
  attempt: number;
  delayMs: number;
}

export interface ListGroupProjectsOptions {
  /** `https://gitlab.homelab.local`, optionally with a relative root or a trailing `/api/v4`. */
  baseUrl: string;
  /** Full path of the group: `homelab`, or `homelab/core-services`. */
  group: string;
  /** A personal, group or project access token with `read_api`; without one only public projects are visible. */
  token?: string | undefined;
  fetchImpl?: typeof fetch;
  /** Retries per request on 429, 5xx and network errors. */
  maxRetries?: number;
  /** First backoff delay; doubles on each retry. */
  baseDelayMs?: number;
  /** No wait is longer; a `Retry-After` asking for more fails the run rather than hammering the server. */
  maxDelayMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (event: RetryEvent) => void;
}

export class GitLabApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GitLabApiError';
  }
}

const PER_PAGE = 100;
/** A loop guard: a million projects. */
const MAX_PAGES = 10_000;
const RETRYABLE = (status: number): boolean => status === 429 || status >= 500;

/**
 * Lists the group's projects, subgroups included, sorted by path; archived and empty ones are reported as skipped.
 * A list whose end is not certain (no pagination headers, a proxy that strips them; a page that fails once the list
 * has started) is an IncompleteFleetError: a partial fleet is never reported as the whole one.
 */
export async function listGroupProjects(options: ListGroupProjectsOptions): Promise<GroupProjects> {
  const group = options.group.replace(/^\/+|\/+$/g, '');
  if (group === '') throw new GitLabApiError('no GitLab group was given');
  const client = new Client(options, group);
  const byId = new Map<number, unknown>();
  let pages = 0;
  // Keyset pagination (ordered by id) is what GitLab recommends for long lists: no offset limit, no
  // page drift. A GitLab that cannot do it for this request says 405; then offset pagination, also by id.
  let keyset = true;
  let url: URL | undefined = client.firstPage(keyset);
  const seen = new Set<string>();
  try {
    while (url) {
      if (seen.has(url.search)) throw client.error(`GitLab's pagination repeats a page (${url.search.replace(/^\?/, '')})`);
      seen.add(url.search);
      const response = await client.get(url);
      if (response.status === 405 && keyset && pages === 0) {
        await response.body?.cancel();
        keyset = false;
        url = client.firstPage(keyset);
        continue;
      }
      if (!response.ok) throw await client.failure(response);
      const items = await client.json(response);
      const cursor = url.searchParams.get('id_after');
      if (keyset && cursor !== null && items.some((item) => projectId(item) <= Number(cursor))) {
        // The cursor was not honoured: GitLab served offset pages and ignored `pagination=keyset` (it may, where
        // it has no keyset), and said nothing of what follows. The first page was page 1 of that order.
        keyset = false;
        url = client.firstPage(false);
        url.searchParams.set('page', '2');
        continue;
      }
      for (const item of items) byId.set(projectId(item), item);
      if (++pages >= MAX_PAGES) throw client.error(`GitLab returned more than ${MAX_PAGES} pages`);
      const current: URL = url;
      url = client.nextPage(response, current);
      // No word from GitLab on what follows (no Link, no x-next-page: a proxy dropped them, or the answer is cut
      // short): the page after this one is asked for, and only an empty one ends the list.
      if (url === undefined && items.length > 0 && !client.saysWhatFollows(response)) url = client.pageAfter(current, keyset, items);
    }
  } catch (error) {
    // Once the list has started, a failure leaves it partial: not the caller's mistake, and not a whole fleet.
    if (pages > 0 && error instanceof GitLabApiError) throw new IncompleteFleetError(`the project list of group ${JSON.stringify(group)} stopped after ${String(pages)} page(s): ${error.message}`);
    throw error;
  }
  return { ...classify([...byId.values()], group, client), pages };
}

/**
 * A project's tag names, from `GET /projects/:id/repository/tags` ordered by version, newest first: the first page
 * (100 tags), which holds the newest versions. For the ref a proposed include pins; a failure is the caller's to
 * weigh (no tags known), with the same retries and token handling as the project list.
 */
export async function listProjectTags(options: Omit<ListGroupProjectsOptions, 'group'> & { projectId: number }): Promise<string[]> {
  const client = new Client({ ...options, group: '' }, '');
  const url = client.apiUrl(`projects/${String(options.projectId)}/repository/tags`);
  for (const [key, value] of Object.entries({ order_by: 'version', sort: 'desc', per_page: String(PER_PAGE) })) url.searchParams.set(key, value);
  const response = await client.get(url);
  if (!response.ok) {
    await response.body?.cancel();
    throw client.error(`GitLab at ${client.where} answered ${String(response.status)} for the tags of project ${String(options.projectId)}`, response.status);
  }
  return (await client.json(response)).flatMap((item) => {
    const name = (item as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? [name] : [];
  });
}

function classify(items: unknown[], group: string, client: Client): Omit<GroupProjects, 'pages'> {
  const projects: GitLabProject[] = [];
  const skipped: SkippedProject[] = [];
  const prefix = `${group.toLowerCase()}/`;
  for (const item of items) {
    const project = toProject(item, client);
    // GitLab paths are case-insensitive; the answer's spelling is the canonical one.
    const inGroup = project.pathWithNamespace.toLowerCase().startsWith(prefix);
    const reason: SkipReason | undefined = !inGroup ? 'outside-group' : project.archived ? 'archived' : project.emptyRepo ? 'empty' : undefined;
    if (reason) skipped.push({ pathWithNamespace: project.pathWithNamespace, reason });
    else projects.push({ ...project, path: project.pathWithNamespace.slice(prefix.length) });
  }
  projects.sort((a, b) => compare(a.path, b.path));
  skipped.sort((a, b) => compare(a.pathWithNamespace, b.pathWithNamespace));
  return { projects, skipped };
}

class Client {
  readonly #endpoint: URL;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #maxRetries: number;
  readonly #api: string;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;

  constructor(
    options: ListGroupProjectsOptions,
    readonly group: string,
  ) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new GitLabApiError(`not a GitLab URL: ${JSON.stringify(options.baseUrl)}`);
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new GitLabApiError(`the GitLab URL must be http or https: ${base.origin}`);
    if (base.username || base.password) throw new GitLabApiError(`the GitLab URL must not carry credentials; set ${TOKEN_ENV_VAR} instead`);
    const root = base.pathname.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
    this.#api = `${base.origin}${root}/api/v4`;
    this.#endpoint = new URL(`${this.#api}/groups/${encodeURIComponent(group)}/projects`);
    this.#token = options.token === '' ? undefined : options.token;
    this.#fetch = options.fetchImpl ?? fetch;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#baseDelayMs = options.baseDelayMs ?? 1000;
    this.#maxDelayMs = options.maxDelayMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#onRetry = options.onRetry;
  }

  get where(): string {
    return this.#endpoint.origin;
  }

  /** An endpoint of the API (`projects/7/repository/tags`), under the same root as the project list. */
  apiUrl(path: string): URL {
    return new URL(`${this.#api}/${path}`);
  }

  firstPage(keyset: boolean): URL {
    const url = new URL(this.#endpoint);
    // No `archived=false`: archived projects come back so they can be reported as skipped.
    const params: Record<string, string> = { include_subgroups: 'true', with_shared: 'false', order_by: 'id', sort: 'asc', per_page: String(PER_PAGE) };
    if (keyset) params.pagination = 'keyset';
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url;
  }

  /**
   * The `Link: rel="next"` URL, which keyset pagination and pages past 10,000 results (no totals) both give;
   * else `x-next-page`. Only the next link's query is used, on our own endpoint: a proxy that rewrites the
   * host, or a hostile answer, can never send the token to another origin.
   */
  nextPage(response: Response, current: URL): URL | undefined {
    const link = nextLink(response.headers.get('link'));
    if (link !== undefined) {
      let parsed: URL;
      try {
        parsed = new URL(link, current);
      } catch {
        throw this.error('GitLab sent a Link header that is not a URL');
      }
      const next = new URL(this.#endpoint);
      next.search = parsed.search;
      return next;
    }
    const page = response.headers.get('x-next-page')?.trim();
    if (page === undefined || page === '') return undefined;
    if (!/^\d+$/.test(page)) throw this.error(`GitLab sent x-next-page ${JSON.stringify(page.slice(0, 20))}, not a page number`);
    const next = new URL(current);
    next.searchParams.set('page', page);
    return next;
  }

  /** Whether an answer says if a page follows: a Link header, or an x-next-page header (empty on the last page). */
  saysWhatFollows(response: Response): boolean {
    return response.headers.has('link') || response.headers.has('x-next-page');
  }

  /**
   * The page after one that said nothing of what follows: with keyset pagination (ordered by id), the projects
   * after its last id; with offset pagination, the next page number. Always on our own endpoint.
   */
  pageAfter(current: URL, keyset: boolean, items: readonly unknown[]): URL {
    const next = new URL(this.#endpoint);
    next.search = current.search;
    if (keyset) {
      next.searchParams.set('id_after', String(Math.max(...items.map(projectId))));
    } else {
      next.searchParams.set('page', String(Number(next.searchParams.get('page') ?? '1') + 1));
    }
    return next;
  }

  /** One GET with bounded retries on 429, 5xx and network errors; any other answer is returned as is. */
  async get(url: URL): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await this.#fetch(url, {
          headers: this.#token === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'PRIVATE-TOKEN': this.#token },
          // fetch would carry the PRIVATE-TOKEN header along a redirect to any host.
          redirect: 'manual',
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (error) {
        failure = error;
      }
      if (response && !RETRYABLE(response.status)) return response;
      if (attempt > this.#maxRetries) {
        if (response) throw await this.failure(response, ` after ${this.#maxRetries} retries`);
        throw this.error(`cannot reach GitLab at ${this.where} after ${this.#maxRetries} retries: ${causeOf(failure)}`);
      }
      await response?.body?.cancel();
      const delayMs = this.#delay(response, attempt);
      this.#onRetry?.({ url: `${url.origin}${url.pathname}`, status: response?.status, attempt, delayMs });
      await this.#sleep(delayMs);
    }
  }

  #delay(response: Response | undefined, attempt: number): number {
    const asked = retryAfterMs(response?.headers.get('retry-after') ?? null);
    if (asked === undefined) return Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1));
    if (asked > this.#maxDelayMs) {
      throw this.error(`GitLab at ${this.where} asked to wait ${Math.ceil(asked / 1000)} s (Retry-After), longer than the ${this.#maxDelayMs / 1000} s limit`, response?.status);
    }
    return asked;
  }

  async json(response: Response): Promise<unknown[]> {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw this.error(`GitLab at ${this.where} answered with something that is not JSON`);
    }
    if (!Array.isArray(body)) throw this.error(`GitLab at ${this.where} answered with ${typeof body}, not a list`);
    return body as unknown[];
  }

  /** A clear error for an answer that is not a success, with the server's own message (redacted). */
  async failure(response: Response, suffix = ''): Promise<GitLabApiError> {
    const detail = await serverMessage(response);
    const group = `group ${JSON.stringify(this.group)}`;
    // GitLab's messages start with the status already: "404 Group Not Found".
    const status = detail?.startsWith(String(response.status)) ? detail : `${response.status}${detail === undefined ? '' : ` ${detail}`}`;
    const token = this.#token;
    let message: string;
    if (response.status === 401) {
      message = token === undefined
        ? `GitLab at ${this.where} requires a token (${status}): set ${TOKEN_ENV_VAR} to an access token with the read_api scope`
        : `GitLab at ${this.where} rejected the token in ${TOKEN_ENV_VAR} (${status}): it is invalid, expired or revoked`;
    } else if (response.status === 403) {
      message = `GitLab at ${this.where} refused to list ${group} (${status}): the token in ${TOKEN_ENV_VAR} needs the read_api scope and access to the group`;
    } else if (response.status === 404) {
      // GitLab answers 404, not 403, for a private group the caller cannot see.
      message = `GitLab at ${this.where} has no ${group} (${status}): check the group's full path` +
        (token === undefined ? `, and set ${TOKEN_ENV_VAR} if the group is not public` : `, and that the token in ${TOKEN_ENV_VAR} can see it`);
    } else if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      const target = location === null ? 'elsewhere' : originOf(location);
      message = `GitLab at ${this.where} redirects to ${target} (${response.status}); use that address as the GitLab URL`;
    } else {
      message = `GitLab at ${this.where} answered ${status} when listing ${group}${suffix}`;
    }
    return this.error(message, response.status);
  }

  error(message: string, status?: number): GitLabApiError {
    return new GitLabApiError(redact(message, this.#token), status);
  }
}

function toProject(item: unknown, client: Client): Omit<GitLabProject, 'path'> {
  const value = item as Record<string, unknown>;
  const { path_with_namespace: pathWithNamespace, http_url_to_repo: httpUrlToRepo, default_branch: defaultBranch } = value;
  if (typeof pathWithNamespace !== 'string' || typeof httpUrlToRepo !== 'string') {
    throw client.error(`GitLab at ${client.where} answered with a project entry without path_with_namespace or http_url_to_repo`);
  }
  return {
    id: projectId(item),
    pathWithNamespace,
    httpUrlToRepo,
    defaultBranch: typeof defaultBranch === 'string' ? defaultBranch : '',
    archived: value.archived === true,
    // Older GitLab versions leave empty_repo out; a missing default branch means the same.
    emptyRepo: value.empty_repo === true || typeof defaultBranch !== 'string',
  };
}

function projectId(item: unknown): number {
  const id = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).id : undefined;
  if (typeof id !== 'number') throw new GitLabApiError('GitLab answered with a project entry without a numeric id');
  return id;
}

/** The `rel="next"` target of an RFC 8288 Link header. */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(/,\s*(?=<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    const rel = match?.[2] === undefined ? undefined : /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(match[2])?.[1];
    if (match?.[1] !== undefined && rel?.split(/\s+/).includes('next')) return match[1];
  }
  return undefined;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

async function serverMessage(response: Response): Promise<string | undefined> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return undefined;
  }
  let message: unknown = text;
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null) message = (body as Record<string, unknown>).message ?? (body as Record<string, unknown>).error;
  } catch {
    // not JSON: a proxy's page or GitLab's plain-text 429
  }
  if (typeof message !== 'string') message = JSON.stringify(message);
  const line = (message as string).replace(/\s+/g, ' ').trim();
  return line === '' ? response.statusText || undefined : line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** The token, raw or URL-encoded, replaced wherever a server may have echoed it. */
export function redact(text: string, token: string | undefined): string {
  if (token === undefined || token.length < 4) return text;
  return [token, encodeURIComponent(token)].reduce((out, secret) => out.split(secret).join('[REDACTED]'), text);
}

function causeOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    return error.name === 'TimeoutError' ? 'timed out' : (cause ?? error.message);
  }
  return String(error);
}

function originOf(location: string): string {
  try {
    return new URL(location).origin;
  } catch {
    return 'another address';
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The clone cache of the nightly audit: one shallow clone per project under `<cacheDir>/<path>`, made once
 * and then fetched and reset on every run. A project that cannot be cloned becomes a failed result with a
 * token-free message; the others go on.
 */
import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { FindingDraft } from '../model/findings.js';
import { redact } from './gitlab-api.js';
import { mapLimit } from '../concurrency.js';

export interface CloneTarget {
  /** Repo id, relative to the group: `core-services/networking/traefik`. Also the folder under the cache. */
  path: string;
  httpUrlToRepo: string;
  /** Cloned and followed; the remote's HEAD when absent. */
  defaultBranch?: string | undefined;
}

export type CloneResult =
  | {
      id: string;
      ok: true;
      dir: string;
      /** The commit checked out. */
      head: string;
      /** The commit the cache held before this run, absent for a fresh clone: equal to `head` means unchanged. */
      previousHead?: string;
    }
  | { id: string; ok: false; error: string };

export interface SyncClonesOptions {
  projects: readonly CloneTarget[];
  cacheDir: string;
  /** An access token with read_repository; sent to the project's own host only. */
  token?: string | undefined;
  concurrency?: number;
  /** Commits to fetch (1 by default); `full`: the whole history, for `audit --history` (a shallow clone is deepened). */
  depth?: number | 'full';
}

/** A failed clone as the `crawl-error` finding the run reports on that repo; the repo is left out of the run. */
export function cloneFailures(results: readonly CloneResult[]): FindingDraft[] {
  return results.flatMap((result) => (result.ok ? [] : [{ ruleId: 'crawl-error', severity: 'error' as const, message: `the repository cannot be cloned or updated: ${result.error}`, repo: result.id, subject: 'clone' }]));
}

/** Where fresh clones are made before they are moved into place, so an interrupted clone never looks like a cache entry. */
const PARTIAL_DIR = '.fleetlint-partial';

/** Clones or updates every project, `concurrency` at a time; results are in the order of `projects`. */
export async function syncClones(options: SyncClonesOptions): Promise<CloneResult[]> {
  const { projects, cacheDir, token, concurrency = 4, depth = 1 } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, not ${concurrency}`);
  if (depth !== 'full' && (!Number.isInteger(depth) || depth < 1)) throw new Error(`depth must be a positive integer or 'full', not ${depth}`);
  return mapLimit(projects, concurrency, async (project): Promise<CloneResult> => {
    try {
      return { id: project.path, ok: true, ...(await syncOne(project, cacheDir, token, depth)) };
    } catch (error) {
      return { id: project.path, ok: false, error: describeGitError(error, token) };
    }
  });
}

async function syncOne(project: CloneTarget, cacheDir: string, token: string | undefined, depth: number | 'full'): Promise<{ dir: string; head: string; previousHead?: string }> {
  const problem = pathProblem(project.path) ?? urlProblem(project.httpUrlToRepo);
  if (problem !== undefined) throw new Error(problem);
  const dir = join(cacheDir, ...project.path.split('/'));
  const env = gitEnv(project.httpUrlToRepo, token);
  const branch = project.defaultBranch === undefined || project.defaultBranch === '' ? undefined : project.defaultBranch;
  if (branch?.startsWith('-')) throw new Error(`not a branch name: ${JSON.stringify(branch)}`);

  if (await exists(join(dir, '.git'))) {
    const git = gitIn(dir, env);
    // By URL, not by the `origin` remote: a project that moved or was renamed is still followed.
    // Not --quiet, here or below: simple-git waits an extra 50 ms for a git command that prints nothing.
    const depthArgs = depth !== 'full' ? [`--depth=${depth}`] : (await exists(join(dir, '.git', 'shallow'))) ? ['--unshallow'] : [];
    await git.raw(['fetch', '--no-tags', ...depthArgs, '--', project.httpUrlToRepo, branch === undefined ? 'HEAD' : `refs/heads/${branch}`]);
    const [previousHead = '', head = ''] = (await git.raw(['rev-parse', 'HEAD', 'FETCH_HEAD'])).trim().split('\n');
    await git.raw(['reset', '--hard', head]);
    // -ff: also folders holding a repository of their own. (Prints nothing when there is nothing to remove, so it pays simple-git's 50 ms.)
    await git.raw(['clean', '-ffdxq']);
    return { dir, head, previousHead };
  }
  if (await exists(dir)) throw new Error(`the cache folder for ${project.path} exists but is not a clone; remove it or choose another cache folder`);

  const partialRoot = join(cacheDir, PARTIAL_DIR);
  await mkdir(partialRoot, { recursive: true });
  const partial = await mkdtemp(join(partialRoot, 'clone-'));
  try {
    const branchArgs = branch === undefined ? [] : ['--branch', branch];
    const depthArgs = depth === 'full' ? [] : [`--depth=${depth}`];
    await gitIn(partial, env).raw(['clone', '--no-tags', '--single-branch', ...depthArgs, ...branchArgs, '--', project.httpUrlToRepo, 'repo']);
    const head = (await gitIn(join(partial, 'repo'), env).raw(['rev-parse', 'HEAD'])).trim();
    await mkdir(dirname(dir), { recursive: true });
    await rename(join(partial, 'repo'), dir);
    return { dir, head };
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}

/** simple-git refuses GIT_CONFIG_COUNT unless told: here it carries our one header, built by gitEnv. */
function gitIn(baseDir: string, env: Record<string, string>): SimpleGit {
  return simpleGit({ baseDir, unsafe: { allowUnsafeConfigEnvCount: true } }).env(env);
}

/**
 * The environment git runs with. The token goes in as an `http.<origin>/.extraHeader` through
 * GIT_CONFIG_COUNT/KEY/VALUE (git >= 2.31): not in argv (which `ps` shows to everyone), not in the clone URL
 * or `.git/config`, and scoped to the project's own origin. GitLab takes a token over git HTTP as Basic auth
 * with any user name (`oauth2` by convention) and the token as the password. Being an Authorization header,
 * curl also drops it on a redirect to another host (a PRIVATE-TOKEN header would be forwarded).
 */
export function gitEnv(url: string, token: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && isInherited(key)) env[key] = value;
  }
  // A missing or rejected token must fail, not wait for a password nobody will type.
  env.GIT_TERMINAL_PROMPT = '0';
  env.GCM_INTERACTIVE = 'never';
  const origin = httpOrigin(url);
  if (token !== undefined && token !== '' && origin !== undefined) {
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = `http.${origin}/.extraHeader`;
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(`oauth2:${token}`).toString('base64')}`;
  } else {
    env.GIT_CONFIG_COUNT = '0';
  }
  return env;
}

/**
 * Variables passed on to git. GIT_* ones are dropped (GIT_DIR from a hook would point git at the wrong
 * repository, GIT_TRACE_CURL would print headers into the error messages) except the TLS and HTTP settings a
 * self-hosted GitLab needs; so are the editor/pager/askpass ones simple-git refuses to pass.
 */
function isInherited(key: string): boolean {
  const upper = key.toUpperCase();
  if (upper.startsWith('GIT_')) return upper.startsWith('GIT_SSL_') || upper.startsWith('GIT_HTTP_');
  return !['EDITOR', 'PAGER', 'PREFIX', 'SSH_ASKPASS'].includes(upper);
}

function httpOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

function pathProblem(path: string): string | undefined {
  const segments = path.split('/');
  const bad = path === '' || path.startsWith('/') || path.includes('\\') || segments.some((segment) => segment === '' || segment === '.' || segment === '..' || segment.toLowerCase() === '.git' || segment === PARTIAL_DIR);
  return bad ? `${JSON.stringify(path)} is not a usable project path` : undefined;
}

function urlProblem(url: string): string | undefined {
  if (url.startsWith('-')) return `not a clone URL: ${JSON.stringify(url)}`;
  try {
    const parsed = new URL(url);
    // What is in the clone URL ends up in .git/config.
    if (parsed.username || parsed.password) return `the clone URL of ${parsed.origin}${parsed.pathname} carries credentials; pass the token instead`;
  } catch {
    // a plain path to a local repository
  }
  return undefined;
}

/** git's own `fatal:`/`error:` lines, token-free; the rest of simple-git's message is noise. */
export function describeGitError(error: unknown, token: string | undefined): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const fatal = lines.filter((line) => /^(fatal|error):/i.test(line));
  let message = (fatal.length > 0 ? fatal : lines).join('; ') || 'git failed';
  message = redact(message, token);
  return token === undefined ? message : redact(message, Buffer.from(`oauth2:${token}`).toString('base64'));
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}


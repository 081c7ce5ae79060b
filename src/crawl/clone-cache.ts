/**
 * The clone cache of the nightly audit: one shallow clone per project under `<cacheDir>/<path>`, made once
 * and then fetched and reset on every run. A project that cannot be cloned becomes a failed result with a
 * token-free message; one that cannot be updated keeps its last good clone, which the run checks and says so;
 * the others go on. A run holds the cache's lock (cache-lock.ts) while it works here: git's own lock files found
 * in the clones are then left by a run that was killed, and are removed.
 */
import { access, chmod, mkdir, mkdtemp, readdir, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { FindingDraft } from '../model/findings.js';
import { redact } from './gitlab-api.js';
import { CACHE_LOCK_FILE } from './cache-lock.js';
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
      /** Why the clone could not be updated (token-free): it is the last good one, at `head`. */
      stale?: string;
    }
  | {
      id: string;
      ok: false;
      error: string;
      /** The failure may pass (HTTP 5xx or 429, a dropped connection): the repository probably exists and has content. */
      transient?: boolean;
    };

export interface SyncClonesOptions {
  projects: readonly CloneTarget[];
  cacheDir: string;
  /**
   * The GitLab instance's origin (`https://gitlab.example.com:8443`): projects are cloned from there only, and the
   * token is sent there only. A project whose clone URL points elsewhere (another host, `file://`, a local path)
   * is refused.
   */
  origin: string;
  /** An access token with read_repository; sent to `origin` only. */
  token?: string | undefined;
  concurrency?: number;
  /** Commits to fetch (1 by default); `full`: the whole history, for `audit --history` (a shallow clone is deepened). */
  depth?: number | 'full';
  /** Waits before each new attempt of a clone or fetch that failed in a way that may pass (HTTP 5xx or 429, a dropped connection). */
  retryDelaysMs?: readonly number[];
}

/** A failed clone as the `crawl-error` finding the run reports on that repo; the repo is left out of the run. */
export function cloneFailures(results: readonly CloneResult[]): FindingDraft[] {
  return results.flatMap((result): FindingDraft[] => {
    if (!result.ok) return [{ ruleId: 'crawl-error', severity: 'error', message: `the repository cannot be cloned or updated: ${result.error}`, repo: result.id, subject: 'clone' }];
    if (result.stale === undefined) return [];
    return [
      {
        ruleId: 'crawl-error',
        severity: 'warning',
        message: `the repository could not be updated (${result.stale}): checked at its last good clone, ${result.head.slice(0, 12)}`,
        repo: result.id,
        subject: 'update',
        data: { kind: 'stale-clone', head: result.head },
      },
    ];
  });
}

/** Where fresh clones are made before they are moved into place, so an interrupted clone never looks like a cache entry. */
const PARTIAL_DIR = '.fleetlint-partial';
/** Written into a clone's .git while its working tree is being reset: found there, the reset was interrupted. */
const UPDATING_MARK = 'fleetlint-updating';
const DEFAULT_RETRY_DELAYS_MS = [1000, 4000];

/**
 * Makes the cache folder private (it holds clones of private repositories) and removes what killed runs left:
 * partial clones and temporary files. Call it with the cache's lock held.
 */
export async function prepareCacheDir(cacheDir: string): Promise<void> {
  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  await chmod(cacheDir, 0o700);
  await rm(join(cacheDir, PARTIAL_DIR), { recursive: true, force: true });
  for (const entry of await readdir(cacheDir, { withFileTypes: true })) {
    if (entry.isFile() && (entry.name.endsWith('.tmp') || entry.name.startsWith(`${CACHE_LOCK_FILE}.`))) await unlink(join(cacheDir, entry.name)).catch(() => undefined);
  }
}

/**
 * Removes the clones of projects that are no longer in the fleet (deleted, moved, archived), after a discovery
 * that listed every project; returns their paths. Only group folders and clones that hold a kept project are
 * looked into.
 */
export async function pruneClones(cacheDir: string, keep: ReadonlySet<string>): Promise<string[]> {
  const prefixes = new Set<string>();
  for (const id of keep) for (let slash = id.indexOf('/'); slash > 0; slash = id.indexOf('/', slash + 1)) prefixes.add(id.slice(0, slash));
  const removed: string[] = [];
  const visit = async (relative: string): Promise<void> => {
    const dir = relative === '' ? cacheDir : join(cacheDir, ...relative.split('/'));
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name === '.git' || entry.name.startsWith('.fleetlint')) continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const isClone = await exists(join(dir, entry.name, '.git'));
      if (isClone && !keep.has(child)) {
        await rm(join(dir, entry.name), { recursive: true, force: true });
        removed.push(child);
      } else if (prefixes.has(child)) {
        await visit(child);
      }
    }
  };
  await visit('');
  return removed.sort();
}

/** Clones or updates every project, `concurrency` at a time; results are in the order of `projects`. */
export async function syncClones(options: SyncClonesOptions): Promise<CloneResult[]> {
  const { projects, concurrency = 4, depth = 1 } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, not ${concurrency}`);
  if (depth !== 'full' && (!Number.isInteger(depth) || depth < 1)) throw new Error(`depth must be a positive integer or 'full', not ${depth}`);
  return mapLimit(projects, concurrency, async (project): Promise<CloneResult> => {
    try {
      return { id: project.path, ok: true, ...(await syncOne(project, options, depth)) };
    } catch (error) {
      return { id: project.path, ok: false, error: describeGitError(error, options.token), ...(isTransient(error) ? { transient: true } : {}) };
    }
  });
}

async function syncOne(project: CloneTarget, options: SyncClonesOptions, depth: number | 'full'): Promise<{ dir: string; head: string; previousHead?: string; stale?: string }> {
  const { cacheDir, token } = options;
  const problem = pathProblem(project.path) ?? originProblem(project.httpUrlToRepo, options.origin);
  if (problem !== undefined) throw new Error(problem);
  const dir = join(cacheDir, ...project.path.split('/'));
  const env = gitEnv(options.origin, token);
  const branch = project.defaultBranch === undefined || project.defaultBranch === '' ? undefined : project.defaultBranch;
  if (branch?.startsWith('-')) throw new Error(`not a branch name: ${JSON.stringify(branch)}`);
  const retrying = <T>(work: () => Promise<T>): Promise<T> => withRetries(work, options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS);

  if (await exists(join(dir, '.git'))) {
    const git = gitIn(dir, env);
    let previousHead: string | undefined;
    try {
      await removeGitLocks(join(dir, '.git'));
      // A reset that was cut short leaves a working tree between two commits: put it back at HEAD first.
      if (await exists(join(dir, '.git', UPDATING_MARK))) await resetTo(git, dir, 'HEAD');
      previousHead = (await git.raw(['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
    } catch {
      // A clone git cannot read any more (damaged by a killed run or a full disk): made again below.
    }
    if (previousHead !== undefined) {
      try {
        // By URL, not by the `origin` remote: a project that moved or was renamed is still followed.
        // Not --quiet, here or below: simple-git waits an extra 50 ms for a git command that prints nothing.
        const depthArgs = depth !== 'full' ? [`--depth=${depth}`] : (await exists(join(dir, '.git', 'shallow'))) ? ['--unshallow'] : [];
        await retrying(() => git.raw(['fetch', '--no-tags', ...depthArgs, '--', project.httpUrlToRepo, branch === undefined ? 'HEAD' : `refs/heads/${branch}`]));
      } catch (error) {
        // The fetch wrote nothing the working tree shows: the last good clone stands, and the run says so.
        return { dir, head: previousHead, previousHead, stale: describeGitError(error, token) };
      }
      const head = (await git.raw(['rev-parse', '--verify', 'FETCH_HEAD^{commit}'])).trim();
      await resetTo(git, dir, head);
      return { dir, head, previousHead };
    }
  } else if (await exists(dir)) {
    throw new Error(`the cache folder for ${project.path} exists but is not a clone; remove it or choose another cache folder`);
  }

  const partialRoot = join(cacheDir, PARTIAL_DIR);
  await mkdir(partialRoot, { recursive: true, mode: 0o700 });
  const partial = await mkdtemp(join(partialRoot, 'clone-'));
  try {
    const branchArgs = branch === undefined ? [] : ['--branch', branch];
    const depthArgs = depth === 'full' ? [] : [`--depth=${depth}`];
    await retrying(() => gitIn(partial, env).raw(['clone', '--no-tags', '--single-branch', ...depthArgs, ...branchArgs, '--', project.httpUrlToRepo, 'repo']));
    const head = (await gitIn(join(partial, 'repo'), env).raw(['rev-parse', 'HEAD'])).trim();
    await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
    // A damaged clone is swapped out only now that its replacement is complete.
    if (await exists(dir)) await rename(dir, join(partial, 'damaged'));
    await rename(join(partial, 'repo'), dir);
    return { dir, head };
  } finally {
    await rm(partial, { recursive: true, force: true });
    // Empty unless another clone is under way.
    await rmdir(partialRoot).catch(() => undefined);
  }
}

/** Resets the working tree to a commit, marked in .git while it runs so that an interrupted reset is found. */
async function resetTo(git: SimpleGit, dir: string, commit: string): Promise<void> {
  const mark = join(dir, '.git', UPDATING_MARK);
  await writeFile(mark, `${commit}\n`);
  await git.raw(['reset', '--hard', commit]);
  // -ff: also folders holding a repository of their own. (Prints nothing when there is nothing to remove, so it pays simple-git's 50 ms.)
  await git.raw(['clean', '-ffdxq']);
  await unlink(mark);
}

/** git's lock files: with the cache's lock held, any found is left by a run that was killed. */
async function removeGitLocks(gitDir: string): Promise<void> {
  const entries = await readdir(gitDir, { recursive: true, withFileTypes: true });
  const locks = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.lock'));
  await Promise.all(locks.map((entry) => unlink(join(entry.parentPath, entry.name)).catch(() => undefined)));
}

/** Runs `work` again after each delay while it fails in a way that may pass. */
async function withRetries<T>(work: () => Promise<T>, delaysMs: readonly number[]): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const delay = delaysMs[attempt];
      if (delay === undefined || !isTransient(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** HTTP 5xx and 429 from the server or a proxy, and connections that broke: worth another try. */
function isTransient(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /returned error: (5\d\d|429)|\b(502|503|504) (Bad Gateway|Service Unavailable|Gateway Time-?out)|Connection (reset|refused|timed out)|Could not resolve host|Operation timed out|early EOF|RPC failed|unexpected disconnect|remote end hung up/i.test(text);
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

/**
 * The clone URL GitLab gives (`http_url_to_repo`) must be on the instance the run was pointed at: the token goes
 * with the clone, and a URL elsewhere (another host, `file://`, a local path) would hand it out or read the
 * machine's own files.
 */
function originProblem(url: string, origin: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `the clone URL ${JSON.stringify(url)} is not an http(s) URL of ${origin}: not cloned`;
  }
  const where = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  // What is in the clone URL ends up in .git/config.
  if (parsed.username || parsed.password) return `the clone URL ${where} carries credentials; pass the token instead`;
  if (parsed.origin !== new URL(origin).origin) return `the clone URL ${where} is not on ${new URL(origin).origin}, the GitLab instance audited: not cloned`;
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


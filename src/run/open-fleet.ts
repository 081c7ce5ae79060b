/**
 * Opening a fleet for `audit`: from a local folder or from a GitLab group (discovery through the REST API,
 * clones in a cache folder), whole or one shard of it.
 *
 * Both kinds present the same face, `FleetCandidates`: every repo id, and a way to make some of them readable
 * (for GitLab, clone or update them). A shard makes readable only its slice plus the repos its slice's CI
 * includes (found from the model itself, so nested includes count too); every other repo of the fleet is loaded
 * as an empty stand-in so that project paths and repoURLs still resolve to fleet repos exactly as in a full run.
 */
import { join, resolve } from 'node:path';
import { mkdir, stat } from 'node:fs/promises';
import { cloneFailures, prepareCacheDir, pruneClones, syncClones, type CloneResult } from '../crawl/clone-cache.js';
import { lockCache } from '../crawl/cache-lock.js';
import { GitLabApiError, listGroupProjects, listProjectTags, TOKEN_ENV_VAR, type GitLabProject, type RetryEvent } from '../crawl/gitlab-api.js';
import { readGitHead, readGitTags } from '../crawl/git-head.js';
import { includedTemplateRepos, type RepoTags } from '../model/gitlab-ci/scan-templates.js';
import { discoverLocalFleet } from '../crawl/local.js';
import { shardOf, type Shard } from '../crawl/shard.js';
import { makeRepoResolver } from '../model/argocd/repo-url.js';
import type { FindingDraft } from '../model/findings.js';
import { loadFleet } from './load-fleet.js';
import { threadsFor } from './build-in-threads.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import type { RepoCheckResults } from '../engine/repo-checks.js';
import type { Fleet, FleetSettings, Repo } from '../model/types.js';
import { projectFromRemote, webRoot, type RepoWeb } from '../model/web-link.js';
import type { ProviderRule } from '../model/dependencies/types.js';
import type { ScannerSetting } from '../model/gitlab-ci/scanners.js';
import type { FileSource } from '../sources/file-source.js';
import { MemorySource } from '../sources/memory.js';
import { mapLimit } from '../concurrency.js';
import { WorkingTreeSource } from '../sources/working-tree.js';
import type { RunProgress } from './progress.js';
import type { RenderSetting } from './render-phase.js';
import { UsageError } from '../usage-error.js';
import { RemoteError } from '../exit-codes.js';

/**
 * A repo made readable, or why it could not be. A readable one may carry diagnostics too: a clone that could not be
 * updated is read at its last good commit, and says so.
 */
export type Materialized =
  | { id: string; ok: true; source: FileSource; head?: string; web?: RepoWeb; diagnostics?: FindingDraft[] }
  | { id: string; ok: false; diagnostics: FindingDraft[]; /** The failure may pass: the repo probably has content. */ transient?: boolean };

export interface FleetCandidates {
  /** How the fleet is named in messages and fragments. */
  root: string;
  settings: FleetSettings;
  /** Every repo id of the fleet, sorted. */
  ids: string[];
  /** Fleet-level findings of the discovery (fleet.yaml problems, skipped projects). */
  fleetDiagnostics: FindingDraft[];
  /** Makes repos readable (clones or updates them), in the order given. */
  materialize(ids: readonly string[]): Promise<Materialized[]>;
  counts: { discovered: number; skipped: number };
  /** Lets go of what the candidates hold (the clone cache's lock), once the run is done with the cache. */
  close?(): Promise<void>;
  /** The tags of some of the fleet's repos (template repos: the ref a proposed include pins). */
  tags?(ids: readonly string[]): Promise<RepoTags>;
  /** The folder a local repo is in, where fixes are written; absent for clones (fixes are not written there). */
  dirOf?: (id: string) => string | undefined;
}

// --- local ------------------------------------------------------------------------------------------------------

/** The fleet root must be a folder: said before anything (the config in it) is read. */
export async function assertFleetRoot(rootArgument: string): Promise<void> {
  const info = await stat(resolve(rootArgument)).catch(() => undefined);
  if (!info) throw new UsageError(`audit ${rootArgument}: no such folder`);
  if (!info.isDirectory()) throw new UsageError(`audit ${rootArgument}: not a folder; audit takes a fleet root (a folder of repositories), lint checks one repository`);
}

export async function localCandidates(rootArgument: string): Promise<FleetCandidates> {
  const root = resolve(rootArgument);
  await assertFleetRoot(rootArgument);
  const local = await discoverLocalFleet(root);
  if (local.repos.length === 0 && local.diagnostics.length === 0) {
    // One repository given where a fleet was expected: the user wants lint.
    const single = await stat(join(root, '.git')).then(() => true, () => false);
    if (single) throw new UsageError(`${rootArgument} is one repository, not a fleet root (a folder of repositories): check it with fleetlint lint ${rootArgument}`);
    throw new UsageError(`no repositories found under ${rootArgument}: expected folders with .git, or a fleet.yaml listing them`);
  }
  const byId = new Map(local.repos.map((repo) => [repo.id, repo]));
  return {
    root,
    settings: local.settings,
    ids: local.repos.map((repo) => repo.id),
    fleetDiagnostics: local.diagnostics,
    counts: { discovered: local.repos.length, skipped: 0 },
    dirOf: (id) => byId.get(id)?.dir,
    tags: (ids) => localTags(ids, (id) => byId.get(id)?.dir),
    materialize: (ids) =>
      mapLimit(ids, 16, async (id): Promise<Materialized> => {
        const repo = byId.get(id);
        if (!repo) return { id, ok: false, diagnostics: [] };
        const web = await localWeb(repo.dir, id, local.settings);
        return { id, ok: true, source: new WorkingTreeSource(repo.dir, { boundary: root, nestedRepoDirs: repo.nestedRepoDirs }), ...(web ? { web } : {}) };
      }),
  };
}

/** The tags of local repos, read from their refs in this process. */
export async function localTags(ids: readonly string[], dirOf: (id: string) => string | undefined): Promise<RepoTags> {
  const found = await mapLimit(ids, 16, async (id) => {
    const dir = dirOf(id);
    return [id, dir === undefined ? [] : await readGitTags(dir)] as const;
  });
  return new Map(found);
}

/**
 * Where a local repo is in GitLab, for the audit report's links: its HEAD commit, and its project page from fleet.yaml
 * `gitlab.url` (with `gitlab.group`) or else from an http(s) `origin` remote. A folder that is not a repository of
 * its own (listed in fleet.yaml inside another one) has no HEAD of its own and gets no links. The link is to the
 * commit: uncommitted edits are not in GitLab, and the report cannot tell them apart.
 */
async function localWeb(dir: string, id: string, settings: FleetSettings): Promise<RepoWeb | undefined> {
  const head = await readGitHead(dir);
  if (head.commit === undefined) return undefined;
  const project = settings.webUrl !== undefined ? `${settings.webUrl}/${settings.group !== undefined ? `${settings.group}/` : ''}${id}` : head.originUrl === undefined ? undefined : projectFromRemote(head.originUrl);
  return project === undefined ? undefined : { project, commit: head.commit };
}

// --- GitLab -----------------------------------------------------------------------------------------------------

export interface GitLabFleetOptions {
  gitlabUrl: string;
  group: string;
  /** Host that names fleet repos in repoURLs and CI includes; the URL's host by default. */
  gitlabHost?: string | undefined;
  registries: readonly string[];
  token: string | undefined;
  cacheDir: string;
  concurrency: number;
  /** Clone and fetch whole histories (`audit --history`) instead of the last commit. */
  fullHistory?: boolean;
  progress?: RunProgress | undefined;
  /** Told about every retried API request (429, 5xx): for a log line. */
  onRetry?: (event: RetryEvent) => void;
  /** Told when another run holds the clone cache, which this one then waits for: for a log line. */
  onCacheWait?: (holder: string) => void;
  /** Waits before new attempts of a clone or fetch that failed in a way that may pass (default: 1 s, then 4 s). */
  cloneRetryDelaysMs?: readonly number[];
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** Discovers the group's projects; clones happen when a run asks for repos. */
export async function gitLabCandidates(options: GitLabFleetOptions): Promise<FleetCandidates & { pages: number }> {
  let url: URL;
  try {
    url = new URL(options.gitlabUrl);
  } catch {
    throw new UsageError(`--gitlab-url ${options.gitlabUrl}: not a URL`);
  }
  if (url.username !== '' || url.password !== '') throw new UsageError(`--gitlab-url must not carry credentials; set ${TOKEN_ENV_VAR} instead`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--gitlab-url ${options.gitlabUrl}: expected an http or https URL`);
  const group = options.group.replace(/^\/+|\/+$/g, '');
  let listed;
  try {
    listed = await listGroupProjects({
      baseUrl: options.gitlabUrl,
      group,
      token: options.token,
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
  } catch (error) {
    // GitLab unreachable, a token refused, a group it does not show: exit code 4 with GitLab's (token-free)
    // message. The command line itself was well formed, so no usage hint.
    if (error instanceof GitLabApiError) throw new RemoteError(error.message);
    throw error;
  }
  const web = webRoot(`${url.origin}${url.pathname}`);
  const settings: FleetSettings = {
    gitlabHost: options.gitlabHost ?? url.host,
    group,
    registries: [...new Set(options.registries)].sort(),
    providers: [],
  };
  const fleetDiagnostics = listed.skipped.map((skipped): FindingDraft => ({
    ruleId: 'crawl-error',
    severity: 'note',
    message: `project ${skipped.pathWithNamespace} is ${skipped.reason === 'outside-group' ? `outside the group ${group}` : skipped.reason}: not audited`,
    repo: '.',
    subject: `skipped:${skipped.reason}:${skipped.pathWithNamespace}`,
    data: { kind: 'skipped', reason: skipped.reason, project: skipped.pathWithNamespace },
  }));
  const byId = new Map<string, GitLabProject>(listed.projects.map((project) => [project.path, project]));
  const ids = [...byId.keys()];
  const nested = nestedDirs(ids);
  const progress = options.progress;
  let cloned = 0;
  let toClone = 0;
  progress?.update({ discovered: ids.length }, 'discovered');

  // One writer per cache: a second run waits here. What killed runs left is cleared, and the clones of projects
  // no longer listed are removed (the listing is complete: listGroupProjects fails rather than stop short).
  await mkdir(options.cacheDir, { recursive: true, mode: 0o700 });
  const lock = await lockCache(options.cacheDir, options.onCacheWait ? { onWait: options.onCacheWait } : {});
  try {
    await prepareCacheDir(options.cacheDir);
    await pruneClones(options.cacheDir, new Set(ids));
  } catch (error) {
    await lock.release();
    throw error;
  }

  const materialize = async (wanted: readonly string[]): Promise<Materialized[]> => {
    const projects = wanted.map((id) => byId.get(id)).filter((project): project is GitLabProject => project !== undefined);
    toClone += projects.length;
    progress?.update({ cloned, toClone }, 'cloning');
    // One project per syncClones call, in a pool of our own, so progress moves per clone.
    const results = await mapLimit(projects, options.concurrency, async (project): Promise<CloneResult> => {
      const [result] = await syncClones({
        projects: [project],
        cacheDir: options.cacheDir,
        origin: url.origin,
        token: options.token,
        concurrency: 1,
        ...(options.fullHistory === true ? { depth: 'full' as const } : {}),
        ...(options.cloneRetryDelaysMs ? { retryDelaysMs: options.cloneRetryDelaysMs } : {}),
      });
      cloned += 1;
      progress?.update({ cloned, toClone });
      return result ?? { id: project.path, ok: false, error: 'not cloned' };
    });
    return results.map((result): Materialized => {
      if (!result.ok) return { id: result.id, ok: false, diagnostics: cloneFailures([result]), ...(result.transient === true ? { transient: true } : {}) };
      const project = byId.get(result.id)?.pathWithNamespace;
      const diagnostics = cloneFailures([result]);
      return {
        id: result.id,
        ok: true,
        head: result.head,
        ...(web !== undefined && project !== undefined ? { web: { project: `${web}/${project}`, commit: result.head } } : {}),
        source: new WorkingTreeSource(result.dir, { nestedRepoDirs: nested.get(result.id) ?? [] }),
        ...(diagnostics.length > 0 ? { diagnostics } : {}),
      };
    });
  };
  return {
    root: `${settings.gitlabHost ?? url.host}/${group}`,
    settings,
    ids,
    fleetDiagnostics,
    materialize,
    counts: { discovered: ids.length, skipped: listed.skipped.length },
    pages: listed.pages,
    // Clones are shallow and carry no tags: GitLab's API has them. A project whose tags cannot be read has none
    // known, and a proposed include then pins what the fleet pins (see scan-templates.ts).
    tags: async (wanted) => {
      const found = await mapLimit(wanted, options.concurrency, async (id) => {
        const project = byId.get(id);
        const tags = project === undefined ? [] : await listProjectTags({
          baseUrl: options.gitlabUrl,
          projectId: project.id,
          token: options.token,
          ...(options.onRetry ? { onRetry: options.onRetry } : {}),
          ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
          ...(options.sleep ? { sleep: options.sleep } : {}),
        }).catch((error: unknown) => {
          if (error instanceof GitLabApiError) return [];
          throw error;
        });
        return [id, tags] as const;
      });
      return new Map(found);
    },
    close: () => lock.release(),
  };
}

/** For each repo id, the child folders that are repos of their own (a project inside a subgroup's folder). */
function nestedDirs(ids: readonly string[]): Map<string, string[]> {
  const set = new Set(ids);
  const result = new Map<string, string[]>();
  for (const id of ids) {
    for (let slash = id.lastIndexOf('/'); slash > 0; slash = id.lastIndexOf('/', slash - 1)) {
      const parent = id.slice(0, slash);
      if (set.has(parent)) result.set(parent, [...(result.get(parent) ?? []), id.slice(slash + 1)]);
    }
  }
  return result;
}

/**
 * A whole local fleet, loaded the way `fleetlint audit <root>` loads it (tests and benchmarks use this), rendered
 * with `render` (by default with the tools found and no cache, so a test depends on no earlier run).
 */
export async function openLocalFleet(root: string, providers: readonly ProviderRule[], timings: Record<string, number>, render: RenderSetting = { cacheDir: false }): Promise<Fleet> {
  const opened = await openFleet(await localCandidates(root), { providers, timings, render });
  return opened.fleet;
}

// --- loading a whole fleet or a slice ---------------------------------------------------------------------------

export interface OpenedFleet {
  fleet: Fleet;
  /** The slice this run checks, when it is one shard of the fleet. */
  shard?: Shard;
  /** The repos this run checks and reports: every readable one, or the shard's slice. */
  checked: ReadonlySet<string>;
  /** Repo-scope results evaluated by the build threads, by repo id (empty without threads). */
  threadResults: ReadonlyMap<string, RepoCheckResults>;
  /** HEAD of every clone. */
  heads: ReadonlyMap<string, string>;
  /** Where each repo can be read in GitLab, when that is known (the audit report's links). */
  web: ReadonlyMap<string, RepoWeb>;
  /** False for a slice repo whose CI includes a repo this shard could not read (the merge re-evaluates it). */
  complete: (repoId: string) => boolean;
  /** Fleet repos that could not be read (a failed clone): repos that include them are not fully checked. */
  unavailable: ReadonlySet<string>;
  /**
   * Those of them whose failure may pass (HTTP 5xx or 429, a dropped connection): they probably hold content that
   * the fleet-wide checks would need. A repository that is gone or refused is not part of the fleet as it is.
   */
  missingContent: ReadonlySet<string>;
  /** The tags of the template repos read (for a shard, those its slice includes): a fragment hands them to the merge. */
  templateTags?: RepoTags;
  /** Crawl findings that belong to this run (fleet-level ones only for a whole fleet or shard 1). */
  diagnostics: FindingDraft[];
  counts: { discovered: number; skipped: number; slice: number; materialized: number; failed: number; loadPasses: number };
}

const MAX_LOAD_PASSES = 8;

export async function openFleet(
  candidates: FleetCandidates,
  options: {
    shard?: Shard | undefined;
    providers: readonly ProviderRule[];
    /** The config's scanners (see LoadFleetOptions.scanners). */
    scanners?: readonly ScannerSetting[] | undefined;
    progress?: RunProgress | undefined;
    timings?: Record<string, number>;
    /** Worker threads for building the repos; default: threadsFor(the number of repos). */
    threads?: number | undefined;
    /** The run's config: with threads, the repo-scope TypeScript rules are evaluated where each repo is built. */
    config?: FleetlintConfig | undefined;
    /** How to render; a shard never renders (its slice cannot see every repo a render reads: the merge renders). */
    render?: RenderSetting | undefined;
  },
): Promise<OpenedFleet> {
  const { shard, progress } = options;
  const timings = options.timings ?? {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[phase] = (timings[phase] ?? 0) + performance.now() - started;
    }
  };
  const slice = shard ? shardOf(candidates.ids, shard.index, shard.total) : candidates.ids;
  // The template tags read, kept for a fragment: the merge has no clones to read them from.
  const readTags = new Map<string, readonly string[]>();
  const tagsOf = async (ids: readonly string[]): Promise<RepoTags> => {
    const found = (await candidates.tags?.(ids)) ?? new Map<string, readonly string[]>();
    for (const [id, tags] of found) readTags.set(id, tags);
    return found;
  };
  const state = new Map<string, Materialized>();
  const materialize = async (ids: readonly string[]): Promise<void> => {
    const fresh = ids.filter((id) => !state.has(id));
    if (fresh.length === 0) return;
    for (const result of await timed('crawl', () => candidates.materialize(fresh))) state.set(result.id, result);
  };
  await materialize(slice);
  if (shard) await materialize(await guessIncludedRepos(candidates, slice, state));

  const sliceSet = new Set(slice);
  const allIds = new Set(candidates.ids);
  let fleet: Fleet;
  let passes = 0;
  const threadResults = new Map<string, RepoCheckResults>();
  for (;;) {
    passes += 1;
    progress?.update({}, 'loading');
    const materialized = state.size;
    threadResults.clear();
    const renderBefore = timings.render ?? 0;
    fleet = await timed('model', () => loadFleet({
      threads: options.threads ?? threadsFor(materialized),
      timings,
      ...(options.config ? { threadChecks: { config: options.config, results: threadResults } } : {}),
      root: candidates.root,
      settings: candidates.settings,
      repos: candidates.ids.flatMap((id) => {
        const entry = state.get(id);
        if (entry) return entry.ok ? [{ id, source: entry.source }] : [];
        // Not needed by this shard: an empty stand-in, so that paths naming it still resolve as in a full run.
        return shard ? [{ id, source: new MemorySource({}) }] : [];
      }),
      // Fleet repos that could not be read still name fleet repos: what includes them cannot be checked.
      unavailable: [...state.values()].filter((entry) => !entry.ok).map((entry) => entry.id),
      providers: options.providers,
      ...(candidates.tags ? { tagsOf } : {}),
      ...(shard ? { deriveScanTemplates: false } : {}),
      ...(options.scanners ? { scanners: options.scanners } : {}),
      ...(options.render ? { render: shard ? { off: 'a shard renders nothing: fleetlint merge renders the whole fleet' } : options.render } : {}),
    }));
    // `model` is the load without the render phase, which has its own.
    timings.model = (timings.model ?? 0) - ((timings.render ?? 0) - renderBefore);
    if (!shard) break;
    const missing = [...new Set(fleet.repos.filter((repo) => sliceSet.has(repo.id)).flatMap((repo) => includedRepos(repo)))].filter((id) => !state.has(id));
    if (missing.length === 0 || passes >= MAX_LOAD_PASSES) break;
    await materialize(missing);
  }
  progress?.update({ loaded: fleet.repos.length });

  const heads = new Map<string, string>();
  const web = new Map<string, RepoWeb>();
  for (const entry of state.values()) {
    if (entry.ok && entry.head !== undefined) heads.set(entry.id, entry.head);
    if (entry.ok && entry.web !== undefined) web.set(entry.id, entry.web);
  }
  const failed = [...state.values()].filter((entry): entry is Extract<Materialized, { ok: false }> => !entry.ok);
  const resolveAll = makeRepoResolver(candidates.settings, allIds);
  const unreadable = new Set(failed.map((entry) => entry.id));
  const repoById = new Map(fleet.repos.map((repo) => [repo.id, repo]));
  const complete = (repoId: string): boolean => {
    if (!shard) return true;
    const repo = repoById.get(repoId);
    // An include this shard could not resolve but the whole fleet can: the merge must evaluate this repo itself.
    return !(repo?.ci?.includes ?? []).some((include) => {
      if (include.resolved || include.project === undefined) return false;
      const target = include.resolvedRepo ?? resolveAll(include.project);
      return target !== undefined && (unreadable.has(target) || !state.has(target));
    });
  };
  const ownsFleetLevel = !shard || shard.index === 1;
  const diagnostics = [
    ...(ownsFleetLevel ? candidates.fleetDiagnostics : []),
    ...[...state.values()].filter((entry) => sliceSet.has(entry.id)).flatMap((entry) => entry.diagnostics ?? []),
  ];
  fleet.diagnostics.push(...diagnostics);
  const checked = new Set(slice.filter((id) => state.get(id)?.ok === true));
  // A shard does not derive the templates: it reads the tags of those its slice includes, for the merge.
  const templateRepos = shard ? includedTemplateRepos(fleet.repos.filter((repo) => sliceSet.has(repo.id))) : [];
  if (templateRepos.length > 0 && candidates.tags) await tagsOf(templateRepos);
  return {
    ...(readTags.size > 0 ? { templateTags: readTags } : {}),
    fleet,
    ...(shard ? { shard } : {}),
    checked,
    threadResults,
    heads,
    web,
    complete,
    unavailable: unreadable,
    missingContent: new Set(failed.filter((entry) => entry.transient === true).map((entry) => entry.id)),
    diagnostics,
    counts: { discovered: candidates.counts.discovered, skipped: candidates.counts.skipped, slice: slice.length, materialized: state.size, failed: failed.length, loadPasses: passes },
  };
}

/** Repos a repo's pipeline reads files from: its includes' projects, nested ones too. */
function includedRepos(repo: Repo): string[] {
  return (repo.ci?.includes ?? []).flatMap((include) => [include.resolvedRepo, include.viaRepo]).filter((id): id is string => id !== undefined && id !== repo.id);
}

/**
 * A first guess at the repos a slice's pipelines include, from the `project:` lines of their `.gitlab-ci.yml`,
 * so that one load usually suffices; the model then tells exactly what is still missing.
 */
async function guessIncludedRepos(candidates: FleetCandidates, slice: readonly string[], state: ReadonlyMap<string, Materialized>): Promise<string[]> {
  const resolveRepo = makeRepoResolver(candidates.settings, new Set(candidates.ids));
  const guesses = new Set<string>();
  await mapLimit(slice, 16, async (id) => {
    const entry = state.get(id);
    if (!entry?.ok) return;
    const text = await entry.source.readFile('.gitlab-ci.yml').then(
      (bytes) => bytes.toString('utf8'),
      () => '',
    );
    for (const match of text.matchAll(/^[\s-]*project:\s*["']?([^"'\s#]+)/gm)) {
      const target = match[1] === undefined ? undefined : resolveRepo(match[1]);
      if (target !== undefined && target !== id) guesses.add(target);
    }
  });
  return [...guesses].sort();
}

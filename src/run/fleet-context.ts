import { realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { discoverLocalFleet } from '../crawl/local.js';
import { readSnapshot, SnapshotError } from '../crawl/snapshot.js';
import { makeRepoResolver, projectPathOf } from '../model/argocd/repo-url.js';
import type { FindingDraft } from '../model/findings.js';
import type { FleetSettings, RepoSpec } from '../model/types.js';
import type { FileEntry, FileSource } from '../sources/file-source.js';
import { WorkingTreeSource } from '../sources/working-tree.js';
import { UsageError } from '../usage-error.js';
import { git } from '../sources/git-command.js';

/**
 * Where the facts about the rest of the fleet come from when one repository is checked (pre-commit, merge
 * request): a local fleet root, a snapshot the nightly audit wrote, or nothing (cross-repo checks are skipped).
 */
export type FleetMode = 'none' | 'root' | 'snapshot';

export interface FleetContext {
  mode: FleetMode;
  /** The fleet root folder (root) or snapshot file (snapshot), absolute. */
  location?: string;
  settings: FleetSettings;
  /** Every repo of the fleet, sorted by id; the repo being checked replaces its own entry. */
  repos: RepoSpec[];
  /** For a fleet root: each repo's folder and the nested repos its listing leaves out. */
  folders: Map<string, { dir: string; nestedRepoDirs: string[] }>;
  diagnostics: FindingDraft[];
}

/** What to pass to get cross-repo facts, for notes and messages. */
export const FLEET_HINT = 'pass --fleet <fleet-root> or --snapshot <file>';

/**
 * Opens the fleet for a one-repo run. `fleet` may name a folder (a fleet root) or a file (a snapshot), so that
 * `mr --fleet` takes either; `snapshot` names a snapshot file.
 */
export async function openFleetContext(options: { fleet?: string | undefined; snapshot?: string | undefined }): Promise<FleetContext> {
  if (options.fleet !== undefined && options.snapshot !== undefined) throw new UsageError('give --fleet or --snapshot, not both');
  const argument = options.fleet ?? options.snapshot;
  if (argument === undefined) return { mode: 'none', settings: { registries: [], providers: [] }, repos: [], folders: new Map(), diagnostics: [] };
  const location = resolve(argument);
  const info = await stat(location).catch(() => undefined);
  if (!info) throw new UsageError(`${options.fleet !== undefined ? '--fleet' : '--snapshot'} ${argument}: no such file or folder`);
  if (info.isDirectory()) {
    if (options.snapshot !== undefined) throw new UsageError(`--snapshot ${argument} is a folder; a fleet root is given with --fleet`);
    return openRoot(location, argument);
  }
  try {
    const snapshot = await readSnapshot(location);
    return { mode: 'snapshot', location, settings: snapshot.settings, repos: snapshot.repos, folders: new Map(), diagnostics: [] };
  } catch (error) {
    if (error instanceof SnapshotError) throw new UsageError(error.message);
    throw error;
  }
}

async function openRoot(root: string, argument: string): Promise<FleetContext> {
  const local = await discoverLocalFleet(root);
  if (local.repos.length === 0 && local.diagnostics.length === 0) {
    throw new UsageError(`no repositories found under ${argument}: expected folders with .git, or a fleet.yaml listing them`);
  }
  return {
    mode: 'root',
    location: root,
    settings: local.settings,
    repos: local.repos.map((repo) => ({ id: repo.id, source: new WorkingTreeSource(repo.dir, { boundary: root, nestedRepoDirs: repo.nestedRepoDirs }) })),
    folders: new Map(local.repos.map((repo) => [repo.id, { dir: repo.dir, nestedRepoDirs: repo.nestedRepoDirs }])),
    diagnostics: local.diagnostics,
  };
}

/** The repository being checked: its folder, its id in the fleet, and whether git knows it. */
export interface TargetRepo {
  /** The repository's root folder (a fleet repo folder, or the git top level). */
  dir: string;
  id: string;
  /** True when the folder is inside the fleet root given with --fleet. */
  insideRoot: boolean;
  nestedRepoDirs: string[];
  /** How the id was decided, for messages: "fleet root", "origin remote", "--repo-id", "folder name". */
  idFrom: 'fleet root' | 'origin remote' | '--repo-id' | 'folder name';
}

/**
 * Finds the repository a folder belongs to and its id. The id is `--repo-id` when given (an explicit choice
 * wins); else the path under the --fleet root when the folder is inside it; else the `origin` remote's project
 * path, matched against the fleet's repos or stripped of the fleet's group; else the folder's name.
 */
export async function locateTarget(context: FleetContext, folder: string | undefined, options: { repoId?: string | undefined; requireGit: boolean }): Promise<TargetRepo> {
  const given = resolve(folder ?? '.');
  const info = await stat(given).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${folder ?? '.'} is not a folder`);
  const explicit = options.repoId === undefined ? undefined : normalizeId(options.repoId);
  if (options.repoId !== undefined && explicit === undefined) throw new UsageError(`--repo-id ${options.repoId}: expected a path such as applications/media/jellyfin`);

  // A fleet kept in one repository (fleet.yaml lists its repos) has no .git per repo: find the listed repo first.
  if (context.mode === 'root' && context.location !== undefined) {
    const inRoot = await pathUnder(context.location, given);
    if (inRoot !== undefined) {
      const listed = [...context.folders.keys()].filter((id) => inRoot === id || inRoot.startsWith(`${id}/`)).sort((a, b) => b.length - a.length)[0];
      if (listed !== undefined) {
        const folders = context.folders.get(listed);
        return { dir: folders?.dir ?? join(context.location, listed), id: explicit ?? listed, insideRoot: true, nestedRepoDirs: folders?.nestedRepoDirs ?? [], idFrom: explicit ? '--repo-id' : 'fleet root' };
      }
    }
  }

  const top = await gitTopLevel(given);
  if (top === undefined && options.requireGit) throw new UsageError(`${folder ?? '.'} is not inside a git repository`);
  const dir = top ?? given;
  if (context.mode === 'root' && context.location !== undefined) {
    const inRoot = await pathUnder(context.location, dir);
    if (inRoot !== undefined && inRoot !== '') return { dir, id: explicit ?? inRoot, insideRoot: true, nestedRepoDirs: [], idFrom: explicit ? '--repo-id' : 'fleet root' };
  }
  if (explicit !== undefined) return { dir, id: explicit, insideRoot: false, nestedRepoDirs: [], idFrom: '--repo-id' };
  const fromRemote = top === undefined ? undefined : idFromRemote(await originUrl(top), context);
  if (fromRemote !== undefined) return { dir, id: fromRemote, insideRoot: false, nestedRepoDirs: [], idFrom: 'origin remote' };
  return { dir, id: basename(dir), insideRoot: false, nestedRepoDirs: [], idFrom: 'folder name' };
}

/**
 * The fleet repo id a remote URL names: a known repo of the fleet when it matches one; else its project path
 * without the fleet's group (`homelab/applications/x` → `applications/x`); without a known group, without its
 * first segment, the same guess the repo resolver makes for project includes.
 */
export function idFromRemote(url: string | undefined, context: Pick<FleetContext, 'settings' | 'repos'>): string | undefined {
  if (url === undefined) return undefined;
  const parsed = projectPathOf(url);
  // A local path or file:// remote (a clone of a clone) names a folder, not a project.
  if (!parsed?.hasHost || /^file:/i.test(url)) return undefined;
  const known = makeRepoResolver(context.settings, new Set(context.repos.map((repo) => repo.id)))(url);
  if (known !== undefined) return known;
  const group = context.settings.group?.replace(/^\/+|\/+$/g, '');
  if (group !== undefined && group !== '') {
    return parsed.path.toLowerCase().startsWith(`${group.toLowerCase()}/`) ? parsed.path.slice(group.length + 1) : parsed.path;
  }
  const slash = parsed.path.indexOf('/');
  return slash === -1 ? parsed.path : parsed.path.slice(slash + 1);
}

/** The fleet's repos with the checked repo's source in place of the fleet's copy of it (or added). */
export function withTarget(context: FleetContext, id: string, source: FileSource): RepoSpec[] {
  return [...context.repos.filter((repo) => repo.id !== id), { id, source }].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Reads each file of a source once, however many fleets are loaded from it (the merge-request base and head). */
export class CachedSource implements FileSource {
  readonly description: string;
  #list: Promise<FileEntry[]> | undefined;
  readonly #reads = new Map<string, Promise<Buffer>>();

  constructor(private readonly inner: FileSource) {
    this.description = inner.description;
  }

  listFiles(): Promise<FileEntry[]> {
    this.#list ??= this.inner.listFiles();
    return this.#list;
  }

  readFile(path: string): Promise<Buffer> {
    let read = this.#reads.get(path);
    if (!read) this.#reads.set(path, (read = this.inner.readFile(path)));
    return read;
  }
}

function normalizeId(id: string): string | undefined {
  const trimmed = id.replace(/^\/+|\/+$/g, '');
  if (trimmed === '' || trimmed.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  return trimmed;
}

/** The POSIX path of `path` under `root` ('' for the root itself), or undefined when it is outside. Symlinks resolved. */
async function pathUnder(root: string, path: string): Promise<string | undefined> {
  const [realRoot, realPath] = await Promise.all([realpath(root), realpath(path)]);
  const rel = relative(realRoot, realPath);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

async function gitTopLevel(dir: string): Promise<string | undefined> {
  try {
    const top = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
    return top === '' ? undefined : top;
  } catch {
    return undefined;
  }
}

async function originUrl(dir: string): Promise<string | undefined> {
  try {
    // Exits 1 when the key is not set: no origin remote.
    const value = (await git(dir, ['config', '--get', 'remote.origin.url'])).trim();
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

import { lstatSync, readdirSync, type Dirent } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FindingDraft } from '../model/findings.js';
import type { FleetSettings } from '../model/types.js';
import { locatePath } from '../model/yaml/locate.js';
import { describeFsError } from '../sources/fs-errors.js';
import { MANIFEST_FILE, readManifest, type ManifestRepo } from './manifest.js';

export interface LocalRepo {
  /** Path relative to the fleet root, POSIX separators. */
  id: string;
  /** Absolute folder. */
  dir: string;
  /** Repo-relative folders that are repos of their own: the repo's listing leaves them out. */
  nestedRepoDirs: string[];
}

export interface LocalFleet {
  settings: FleetSettings;
  /** Sorted by id. */
  repos: LocalRepo[];
  diagnostics: FindingDraft[];
}

/** Folders never searched for repositories: dependency trees, not fleet content. */
const SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);

/**
 * Finds the repositories under a fleet root: every folder with a `.git` (a folder, or the file a worktree
 * or submodule has), and every entry of `fleet.yaml`. The root's own `.git`, if any, does not make the root
 * a repo: a fleet kept in one repository lists its repos in fleet.yaml. A repo inside a repo (a submodule,
 * or a folder fleet.yaml lists) is a repo of its own and is left out of its parent's listing.
 */
export async function discoverLocalFleet(root: string): Promise<LocalFleet> {
  const diagnostics: FindingDraft[] = [];
  const manifestText = await readManifestText(root, diagnostics);
  const manifest = manifestText === undefined ? undefined : readManifest(manifestText);
  if (manifest) diagnostics.push(...manifest.diagnostics);

  const ids = new Set(await findGitRepos(root, diagnostics));
  for (const entry of manifest?.repos ?? []) {
    const problem = folderProblem(join(root, entry.path));
    if (problem === undefined) ids.add(entry.path);
    else diagnostics.push(missingRepo(entry, problem));
  }

  const repos: LocalRepo[] = [...ids].sort().map((id) => ({ id, dir: join(root, id), nestedRepoDirs: [] }));
  const byId = new Map(repos.map((repo) => [repo.id, repo]));
  // Each repo tells every enclosing repo about itself: O(repos × depth), not O(repos²).
  for (const { id } of repos) {
    for (let slash = id.lastIndexOf('/'); slash > 0; slash = id.lastIndexOf('/', slash - 1)) {
      byId.get(id.slice(0, slash))?.nestedRepoDirs.push(id.slice(slash + 1));
    }
  }
  return { settings: manifest?.settings ?? { registries: [], providers: [] }, repos, diagnostics };
}

async function readManifestText(root: string, diagnostics: FindingDraft[]): Promise<string | undefined> {
  try {
    return await readFile(join(root, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      diagnostics.push({ ruleId: 'config-error', severity: 'error', message: `${MANIFEST_FILE} cannot be read: ${describeFsError(error)}`, repo: '.', file: MANIFEST_FILE, subject: 'unreadable' });
    }
    return undefined;
  }
}

/**
 * Walks the fleet root with readdir, one call per folder and nothing stat'ed, and stops at a repo: walking
 * every repo's tree here would double the cost of listing it later (about 1 s per 1,000 repos measured).
 * Repos inside a repo are found through the repo's `.gitmodules` (submodules, the usual case) or fleet.yaml.
 * Synchronous on purpose, like the file reads: a thread-pool round trip per folder cost more than the call
 * (10,000 repos: 1.35 s with async readdir).
 */
async function findGitRepos(root: string, diagnostics: FindingDraft[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, folder), { withFileTypes: true });
    } catch (error) {
      // Gone since its parent was read, or a submodule that is not checked out: nothing to find.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      const message = `folder ${folder || '.'} cannot be searched for repos: ${describeFsError(error)}`;
      diagnostics.push({ ruleId: 'crawl-error', severity: 'error', message, repo: '.', subject: folder });
      return;
    }
    if (folder !== '' && entries.some((entry) => entry.name === '.git' && (entry.isDirectory() || entry.isFile()))) {
      found.push(folder);
      if (entries.some((entry) => entry.name === '.gitmodules' && entry.isFile())) await walkSubmodules(folder);
      return;
    }
    // Symlinked folders are not followed (Dirent.isDirectory is false for them): a link cannot pull in a tree twice or loop.
    const children = entries.filter((entry) => entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name));
    for (const entry of children) await walk(folder === '' ? entry.name : `${folder}/${entry.name}`);
  };
  const walkSubmodules = async (repo: string): Promise<void> => {
    const text = await readFile(join(root, repo, '.gitmodules'), 'utf8').catch(() => '');
    await Promise.all(submodulePaths(text).map((path) => walk(`${repo}/${path}`)));
  };
  await walk('');
  return found;
}

/** The `path = ...` of each submodule, when it stays inside the repo. */
function submodulePaths(gitmodules: string): string[] {
  const paths: string[] = [];
  for (const match of gitmodules.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)) {
    const path = (match[1] ?? '').replace(/^"(.*)"$/, '$1').replace(/\/+$/, '');
    if (path !== '' && !path.startsWith('/') && !path.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) paths.push(path);
  }
  return paths;
}

/** Why a listed repo path is not a usable folder, or undefined when it is one. */
function folderProblem(path: string): string | undefined {
  try {
    const info = lstatSync(path);
    // A symlinked repo folder could lead out of the fleet root, which the working tree refuses to read.
    if (info.isSymbolicLink()) return 'it is a symlink, which fleetlint does not follow';
    return info.isDirectory() ? undefined : 'it is not a folder';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such folder' : `it cannot be read: ${describeFsError(error)}`;
  }
}

function missingRepo(entry: ManifestRepo, problem: string): FindingDraft {
  const path = ['repos', entry.index];
  const { range } = locatePath(entry.document, path);
  const message = `${MANIFEST_FILE} lists repo ${entry.path}, but ${problem}`;
  return { ruleId: 'crawl-error', severity: 'error', message, repo: '.', file: MANIFEST_FILE, range, path, subject: `missing repo ${entry.path}` };
}

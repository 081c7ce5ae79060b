/**
 * A local repository's HEAD commit, `origin` URL and tags, read from its `.git` in this process: the audit spawns no
 * process per repository (docs/architecture.md). Handles a `.git` folder and the `.git` file of a worktree or
 * submodule, loose and packed refs. Anything unexpected gives nothing rather than a wrong answer.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

export interface GitHead {
  /** The commit HEAD points at; absent in a repository without commits. */
  commit?: string;
  /** `remote.origin.url`, as written. */
  originUrl?: string;
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** The HEAD and origin of the repository whose work tree is `dir` (its own `.git`, never an enclosing one). */
export async function readGitHead(dir: string): Promise<GitHead> {
  const gitDir = await gitDirOf(dir);
  if (gitDir === undefined) return {};
  const commonDir = await text(join(gitDir, 'commondir')).then((value) => (value === undefined ? gitDir : resolve(gitDir, value.trim())));
  const commit = await headCommit(gitDir, commonDir);
  const originUrl = originOf(await text(join(commonDir, 'config')));
  return { ...(commit !== undefined ? { commit } : {}), ...(originUrl !== undefined ? { originUrl } : {}) };
}

async function gitDirOf(dir: string): Promise<string | undefined> {
  const dotGit = join(dir, '.git');
  const info = await stat(dotGit).catch(() => undefined);
  if (info?.isDirectory()) return dotGit;
  if (!info?.isFile()) return undefined;
  const pointer = /^gitdir:\s*(.+?)\s*$/m.exec((await text(dotGit)) ?? '')?.[1];
  return pointer === undefined ? undefined : resolve(dir, pointer);
}

async function headCommit(gitDir: string, commonDir: string): Promise<string | undefined> {
  const head = (await text(join(gitDir, 'HEAD')))?.trim();
  if (head === undefined) return undefined;
  if (SHA.test(head)) return head;
  const ref = /^ref:\s*(refs\/\S+)$/.exec(head)?.[1];
  if (ref === undefined || ref.split('/').includes('..')) return undefined;
  for (const base of new Set([gitDir, commonDir])) {
    const loose = (await text(join(base, ref)))?.trim();
    if (loose !== undefined && SHA.test(loose)) return loose;
  }
  for (const line of ((await text(join(commonDir, 'packed-refs'))) ?? '').split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha !== undefined && SHA.test(sha)) return sha;
  }
  return undefined;
}

/** `url` of the `[remote "origin"]` section of a git config. */
function originOf(config: string | undefined): string | undefined {
  let inOrigin = false;
  for (const line of (config ?? '').split('\n')) {
    const section = /^\s*\[([^\]]*)\]/.exec(line)?.[1];
    if (section !== undefined) {
      inOrigin = /^remote\s+"origin"$/.test(section.trim());
      continue;
    }
    const url = inOrigin ? /^\s*url\s*=\s*(.*?)\s*$/i.exec(line)?.[1] : undefined;
    if (url !== undefined && url !== '') return url.replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/**
 * The tag names of the repository whose work tree is `dir`, read from its loose and packed refs in this process
 * (sorted; none when it is not a repository). Only names: which one is newest is the caller's choice.
 */
export async function readGitTags(dir: string): Promise<string[]> {
  const gitDir = await gitDirOf(dir);
  if (gitDir === undefined) return [];
  const commonDir = await text(join(gitDir, 'commondir')).then((value) => (value === undefined ? gitDir : resolve(gitDir, value.trim())));
  const names = new Set<string>();
  const loose = await readdir(join(commonDir, 'refs', 'tags'), { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of loose) {
    if (entry.isFile()) names.add(relative(join(commonDir, 'refs', 'tags'), join(entry.parentPath, entry.name)).split(sep).join('/'));
  }
  for (const line of ((await text(join(commonDir, 'packed-refs'))) ?? '').split('\n')) {
    // `<sha> refs/tags/<name>`; a `^<sha>` line peels the annotated tag above it.
    const name = /^[0-9a-f]{40,64} refs\/tags\/(.+)$/.exec(line.trim())?.[1];
    if (name !== undefined) names.add(name);
  }
  return [...names].sort();
}

async function text(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

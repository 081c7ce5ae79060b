import { lstat, open, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { simpleGit } from 'simple-git';
import type { Finding } from '../model/findings.js';
import type { FileSource } from '../sources/file-source.js';
import { UsageError } from '../usage-error.js';

/**
 * The files one invocation is about. The pre-commit framework passes the staged files in batches (one
 * process per batch when the list is long): findings are limited to the batch's files, and findings that
 * belong to no file are reported by exactly one batch, the one holding the repo's first file in sort order
 * that pre-commit would pass, so the union over batches equals one run over all files, without duplicates.
 */
export interface FileBatch {
  /** Repo-relative POSIX paths. */
  files: Set<string>;
  /** Whether this batch reports the findings that have no file. */
  reportsRepoLevel: boolean;
}

/**
 * The batch of `args` (paths absolute or relative to the working directory) in the repo at `dir`; undefined
 * when no files were given (everything is reported). The "first file" is the first staged (added, copied,
 * modified, renamed) file with `staged`, else the first file of the source's listing; when nothing is staged
 * it is the first file of the index, as with `pre-commit run --all-files`. Only files pre-commit's
 * `types: [text]` would pass count: regular files whose first KiB is text (identify's test).
 */
export async function resolveBatch(dir: string, args: readonly string[], options: { staged: boolean; source: FileSource }): Promise<FileBatch | undefined> {
  if (args.length === 0) return undefined;
  const files = new Set<string>();
  for (const arg of args) {
    const path = await repoPath(dir, resolve(arg));
    // A file elsewhere would silently give "no problems" about nothing.
    if (path === undefined) throw new UsageError(`lint: ${arg} is not a file of the repository at ${dir}`);
    files.add(path);
  }
  const candidates = options.staged ? await stagedFiles(dir) : [];
  const universe = candidates.length > 0 ? candidates : (await options.source.listFiles()).map((entry) => entry.path);
  const first = await firstTextFile(dir, universe.sort());
  return { files, reportsRepoLevel: first !== undefined && files.has(first) };
}

/** The repo-relative POSIX path of an absolute path, symlinks resolved; undefined when it is not inside the repository. */
export async function repoPath(dir: string, absolute: string): Promise<string | undefined> {
  const root = await realpath(dir).catch(() => resolve(dir));
  // A path that does not exist yet (stdin standing for a new file) is resolved through its folder.
  const real = await realpath(absolute).catch(async () => join(await realpath(dirname(absolute)).catch(() => dirname(absolute)), basename(absolute)));
  const rel = relative(root, real);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/** The findings of a batch: those in its files, and file-less ones when it is the reporting batch. */
export function inBatch(finding: Finding, batch: FileBatch | undefined): boolean {
  if (!batch) return true;
  return finding.file === undefined || finding.file === '' ? batch.reportsRepoLevel : batch.files.has(finding.file);
}

async function stagedFiles(dir: string): Promise<string[]> {
  // Deleted files are not passed to hooks; `--relative` keeps paths relative to `dir` when it is a subfolder.
  const output = await simpleGit({ baseDir: dir }).raw(['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR', '--relative', '--', '.']);
  return output.split('\0').filter((path) => path !== '');
}

/** The first path that pre-commit would classify as a text file; the first path at all when none is. */
async function firstTextFile(dir: string, sorted: readonly string[]): Promise<string | undefined> {
  for (const path of sorted) if (await isTextFile(join(dir, path))) return path;
  return sorted[0];
}

/** identify's `file_is_text`: no byte outside BEL..CR, ESC and 0x20..0xFF but DEL in the first 1024 bytes; not a symlink. */
async function isTextFile(path: string): Promise<boolean> {
  let handle;
  try {
    if (!(await lstat(path)).isFile()) return false;
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(buffer, 0, 1024, 0);
    for (let index = 0; index < bytesRead; index++) {
      const byte = buffer[index] ?? 0;
      const text = (byte >= 7 && byte <= 13) || byte === 27 || (byte >= 0x20 && byte !== 0x7f);
      if (!text) return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';

/** A temporary folder, removed by the returned cleanup. */
export async function tempDir(prefix = 'fleetlint-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes files (repo-relative path → content), making folders as needed. */
export async function writeFiles(dir: string, files: Readonly<Record<string, string | Buffer>>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** A real git repository in `dir`, with an identity so commits work anywhere. */
export async function initRepo(dir: string): Promise<SimpleGit> {
  await mkdir(dir, { recursive: true });
  const git = simpleGit({ baseDir: dir });
  await git.init();
  await git.addConfig('user.name', 'fleetlint test');
  await git.addConfig('user.email', 'test@fleetlint.invalid');
  await git.addConfig('commit.gpgsign', 'false');
  return git;
}

/** Writes the files, stages everything and commits. */
export async function commitFiles(git: SimpleGit, dir: string, files: Readonly<Record<string, string | Buffer>>, message: string): Promise<void> {
  await writeFiles(dir, files);
  await git.add('.');
  await git.commit(message);
}

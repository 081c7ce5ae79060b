import { execFileSync } from 'node:child_process';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { packageRoot } from '../../src/package.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReadError } from '../../src/sources/file-source.js';
import { SymlinkOutsideError } from '../../src/sources/symlink.js';
import { WorkingTreeSource } from '../../src/sources/working-tree.js';
import { initRepo, tempDir, writeFiles } from './git-fixture.js';

describe('WorkingTreeSource', () => {
  let fleet: string;
  let repo: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir: fleet, cleanup } = await tempDir());
    repo = join(fleet, 'repo');
    await initRepo(repo);
    await writeFiles(repo, {
      '.gitignore': '*.log\nbuild/\n/only-root.txt\n',
      'README.md': '# repo\n',
      'app.log': 'ignored\n',
      'only-root.txt': 'ignored at the root only\n',
      'build/out.yaml': 'ignored folder\n',
      'node_modules/pkg/index.js': 'not ignored here: listed\n',
      'src/.gitignore': 'secret.txt\n!keep.log\n',
      'src/main.tf': 'resource "x" "y" {}\n',
      'src/secret.txt': 'ignored by the nested .gitignore\n',
      'src/keep.log': 're-included by the nested .gitignore\n',
      'src/only-root.txt': 'the root rule is anchored, so this one is listed\n',
      'src/other.log': 'still ignored by the root rule\n',
      '.hidden/config.yaml': 'a: 1\n',
      'excluded.tmp': 'ignored by .git/info/exclude\n',
      'nested/file.txt': 'inside a nested repository: git does not list it\n',
      'listed-nested/file.txt': 'a nested repo known from fleet.yaml\n',
    });
    await initRepo(join(repo, 'nested'));
    await writeFile(join(repo, '.git/info/exclude'), '*.tmp\n');
  });
  afterEach(() => cleanup());

  it('lists files as git would: .gitignore rules applied, .git and nested repos left out, sizes from stat', async () => {
    const source = new WorkingTreeSource(repo, { nestedRepoDirs: ['listed-nested'] });
    const files = await source.listFiles();
    expect(files.map((file) => file.path)).toEqual([
      '.gitignore',
      '.hidden/config.yaml',
      'README.md',
      'node_modules/pkg/index.js',
      'src/.gitignore',
      'src/keep.log',
      'src/main.tf',
      'src/only-root.txt',
    ]);
    expect(files.find((file) => file.path === 'README.md')?.size).toBe(7);
  });

  it('agrees with git ls-files on what is ignored', async () => {
    const fromGit = execFileSync('git', ['ls-files', '--others', '--exclude-standard', '-z'], { cwd: repo, encoding: 'utf8' })
      .split('\0')
      // git shows the nested repository as `nested/`, a folder it does not look into.
      .filter((path) => path.length > 0 && path !== 'nested/' && !path.startsWith('listed-nested/'))
      .sort();
    const listed = (await new WorkingTreeSource(repo, { nestedRepoDirs: ['listed-nested'] }).listFiles()).map((file) => file.path);
    expect(listed).toEqual(fromGit);
  });

  it('reads files, and follows symlinks only inside the boundary', async () => {
    await writeFile(join(fleet, 'fleet-level.yaml'), 'shared: true\n');
    const outside = await tempDir('fleetlint-outside-');
    try {
      await writeFile(join(outside.dir, 'secret'), 'do not read\n');
      await symlink('README.md', join(repo, 'link-inside.md'));
      await symlink('../fleet-level.yaml', join(repo, 'link-to-fleet.yaml'));
      await symlink(join(outside.dir, 'secret'), join(repo, 'link-outside'));
      await symlink('missing.yaml', join(repo, 'dangling.yaml'));

      const source = new WorkingTreeSource(repo, { boundary: fleet });
      const files = await source.listFiles();
      expect(files.filter((file) => file.path.startsWith('link') || file.path === 'dangling.yaml')).toEqual([
        { path: 'dangling.yaml' },
        { path: 'link-inside.md', size: 7 },
        { path: 'link-outside' },
        { path: 'link-to-fleet.yaml', size: 13 },
      ]);
      expect((await source.readFile('link-inside.md')).toString()).toBe('# repo\n');
      expect((await source.readFile('link-to-fleet.yaml')).toString()).toBe('shared: true\n');
      await expect(source.readFile('link-outside')).rejects.toThrow(SymlinkOutsideError);
      await expect(source.readFile('link-outside')).rejects.toThrow('symlink points outside the fleet root');
      await expect(source.readFile('dangling.yaml')).rejects.toThrow(FileReadError);
      await expect(source.readFile('../fleet-level.yaml')).rejects.toThrow('path is outside the repository');

      // Without a boundary, the repository itself is the limit.
      await expect(new WorkingTreeSource(repo).readFile('link-to-fleet.yaml')).rejects.toThrow('symlink points outside the repository');
    } finally {
      await outside.cleanup();
    }
  });

  // Root reads a chmod 000 folder anyway: as root, the listing runs in a child process with the uid of `nobody`
  // (this source bundled by esbuild into one file it can read), so the permission error is real in both cases.
  it('goes on past a folder it cannot list, and says why when it is read', async () => {
    await writeFiles(repo, { 'locked/inner.yaml': 'a: 1\n' });
    await chmod(join(repo, 'locked'), 0o000);
    try {
      const { paths, error } = process.getuid?.() === 0 ? listAsNobody(fleet, repo) : await listHere(repo);
      expect(paths).toContain('locked');
      expect(paths).toContain('README.md');
      expect(error).toContain('permission denied (EACCES) when listing this folder');
    } finally {
      await chmod(join(repo, 'locked'), 0o755);
    }
  });

  it('does not list FIFOs, and refuses to read a symlink to one instead of blocking', async () => {
    execFileSync('mkfifo', [join(repo, 'pipe')]);
    await symlink('pipe', join(repo, 'pipe-link.yaml'));
    await mkdir(join(repo, 'folder'));
    await symlink('folder', join(repo, 'folder-link.yaml'));
    const source = new WorkingTreeSource(repo);
    const paths = (await source.listFiles()).map((file) => file.path);
    expect(paths).not.toContain('pipe');
    expect(paths).toContain('pipe-link.yaml');
    await expect(source.readFile('pipe-link.yaml')).rejects.toThrow('not a regular file');
    await expect(source.readFile('folder-link.yaml')).rejects.toThrow('is a folder');
  });
});

async function listHere(repo: string): Promise<{ paths: string[]; error: string }> {
  const source = new WorkingTreeSource(repo);
  const paths = (await source.listFiles()).map((file) => file.path);
  const error = await source.readFile('locked').then(
    () => '',
    (reason: unknown) => String(reason),
  );
  return { paths, error };
}

/** Lists the repo as uid 65534 (nobody) through src/sources/working-tree.ts bundled; the temp folders are opened up for it. */
function listAsNobody(fleet: string, repo: string): { paths: string[]; error: string } {
  const built = join(fleet, 'working-tree.mjs');
  buildSync({
    entryPoints: [join(packageRoot(), 'src', 'sources', 'working-tree.ts')],
    outfile: built,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'warning',
    // Bundled CommonJS dependencies call require(); an ES module has none, so give it one.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  execFileSync('chmod', ['-R', 'a+rX', fleet]);
  execFileSync('chmod', ['000', join(repo, 'locked')]);
  execFileSync('chmod', ['a+x', dirname(fleet)]);
  const script = `
    const { WorkingTreeSource } = await import(${JSON.stringify(pathToFileURL(built).href)});
    const source = new WorkingTreeSource(${JSON.stringify(repo)});
    const paths = (await source.listFiles()).map((file) => file.path);
    const error = await source.readFile('locked').then(() => '', (reason) => String(reason));
    process.stdout.write(JSON.stringify({ paths, error }));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
  return JSON.parse(output) as { paths: string[]; error: string };
}

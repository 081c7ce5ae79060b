import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobReader } from '../../src/sources/git-blobs.js';
import { GitIndexSource } from '../../src/sources/git-index.js';
import { SymlinkOutsideError } from '../../src/sources/symlink.js';
import { WorkingTreeSource } from '../../src/sources/working-tree.js';
import { commitFiles, initRepo, tempDir } from './git-fixture.js';

describe('GitIndexSource', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let source: GitIndexSource | undefined;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    source?.close();
    await cleanup();
  });

  it('sees the staged content, not later edits in the working tree', async () => {
    const git = await initRepo(dir);
    await commitFiles(git, dir, { 'app.yaml': 'version: 1\n', 'README.md': '# r\n' }, 'first');
    await writeFile(join(dir, 'app.yaml'), 'version: 2\n');
    await git.add('app.yaml');
    await writeFile(join(dir, 'app.yaml'), 'version: 3 # not staged\n');
    await writeFile(join(dir, 'untracked.yaml'), 'x: 1\n');

    source = new GitIndexSource(dir);
    expect(await source.listFiles()).toEqual([
      { path: 'README.md', size: 4 },
      { path: 'app.yaml', size: 11 },
    ]);
    expect((await source.readFile('app.yaml')).toString()).toBe('version: 2\n');
    expect((await new WorkingTreeSource(dir).readFile('app.yaml')).toString()).toBe('version: 3 # not staged\n');
    await expect(source.readFile('untracked.yaml')).rejects.toThrow('not a file in the git index');
  });

  it('reads many files through one batched git process, in any order, large ones included', async () => {
    const git = await initRepo(dir);
    const files: Record<string, string> = {};
    for (let index = 0; index < 300; index++) files[`files/f${String(index).padStart(3, '0')}.yaml`] = `index: ${index}\n`.repeat(index % 7 === 0 ? 5000 : 1);
    files['big.bin'] = 'x'.repeat(3 * 1024 * 1024);
    files['empty.yaml'] = '';
    await commitFiles(git, dir, files, 'many');

    source = new GitIndexSource(dir);
    const listed = await source.listFiles();
    expect(listed).toHaveLength(302);
    const reads = await Promise.all(listed.map(async (entry) => [entry.path, (await source?.readFile(entry.path))?.toString()] as const));
    for (const [path, text] of reads) expect(text).toBe(files[path]);
    expect(listed.find((entry) => entry.path === 'big.bin')?.size).toBe(3 * 1024 * 1024);

    // After close, the next read starts a new process.
    source.close();
    expect((await source.readFile('files/f001.yaml')).toString()).toBe('index: 1\n');
  });

  it('reads a symlink as its target inside the repo and refuses one that leaves it', async () => {
    const git = await initRepo(dir);
    await commitFiles(git, dir, { 'base/values.yaml': 'a: 1\n' }, 'base');
    await symlink('base/values.yaml', join(dir, 'values.yaml'));
    await symlink('../../etc/passwd', join(dir, 'escape'));
    await symlink('/etc/hostname', join(dir, 'absolute'));
    await git.add('.');

    source = new GitIndexSource(dir);
    expect((await source.listFiles()).map((entry) => entry.path)).toEqual(['absolute', 'base/values.yaml', 'escape', 'values.yaml']);
    expect((await source.readFile('values.yaml')).toString()).toBe('a: 1\n');
    await expect(source.readFile('escape')).rejects.toThrow(SymlinkOutsideError);
    await expect(source.readFile('absolute')).rejects.toThrow('symlink points outside the repository');
  });

  it('lists a subfolder of a repo relative to that folder', async () => {
    const git = await initRepo(dir);
    await commitFiles(git, dir, { 'group/app/a.yaml': 'a: 1\n', 'other/b.yaml': 'b: 1\n' }, 'sub');
    source = new GitIndexSource(join(dir, 'group/app'));
    expect(await source.listFiles()).toEqual([{ path: 'a.yaml', size: 5 }]);
    expect((await source.readFile('a.yaml')).toString()).toBe('a: 1\n');
  });

  it('rejects with the cause when the folder is not a git repository', async () => {
    source = new GitIndexSource(dir);
    await expect(source.listFiles()).rejects.toThrow(/not a git repository/i);
  });
});

describe('BlobReader', () => {
  it('rejects a missing object and goes on answering', async () => {
    const { dir, cleanup } = await tempDir();
    const reader = new BlobReader(dir);
    try {
      const git = await initRepo(dir);
      await commitFiles(git, dir, { 'a.txt': 'hello\n' }, 'a');
      const oid = (await git.raw(['rev-parse', 'HEAD:a.txt'])).trim();
      const [missing, found] = await Promise.allSettled([reader.read('0'.repeat(40)), reader.read(oid)]);
      expect(missing.status).toBe('rejected');
      expect(found).toEqual({ status: 'fulfilled', value: Buffer.from('hello\n') });
    } finally {
      reader.close();
      await cleanup();
    }
  });
});

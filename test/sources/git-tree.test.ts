import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitTreeSource } from '../../src/sources/git-tree.js';
import { commitFiles, initRepo, tempDir } from './git-fixture.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

describe('GitTreeSource', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const sources: GitTreeSource[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    const git = await initRepo(dir);
    await commitFiles(git, dir, { 'app.yaml': 'version: 1\n', 'old.yaml': 'gone: soon\n' }, 'first');
    await rm(join(dir, 'old.yaml'));
    await commitFiles(git, dir, { 'app.yaml': 'version: 2\n', 'new/file.yaml': 'new: true\n' }, 'second');
  });
  afterEach(async () => {
    for (const source of sources.splice(0)) source.close();
    await cleanup();
  });
  const tree = (ref: string): GitTreeSource => {
    const source = new GitTreeSource(dir, ref);
    sources.push(source);
    return source;
  };

  it('shows the tree at an older ref', async () => {
    const base = tree('HEAD~1');
    expect(base.description).toBe('git tree at HEAD~1');
    expect(await base.listFiles()).toEqual([
      { path: 'app.yaml', size: 11 },
      { path: 'old.yaml', size: 11 },
    ]);
    expect((await base.readFile('app.yaml')).toString()).toBe('version: 1\n');
    await expect(base.readFile('new/file.yaml')).rejects.toThrow('not a file in the git tree at HEAD~1');
  });

  it('shows the tree at HEAD', async () => {
    const head = tree('HEAD');
    expect((await head.listFiles()).map((entry) => entry.path)).toEqual(['app.yaml', 'new/file.yaml']);
    expect((await head.readFile('app.yaml')).toString()).toBe('version: 2\n');
  });

  it('rejects an unknown ref when listing, and a ref that looks like an option at once', async () => {
    await expect(tree('no-such-branch').listFiles()).rejects.toThrow(/not a valid object name|no-such-branch/);
    expect(() => new GitTreeSource(dir, '--output=/tmp/x')).toThrow('not a git ref');
  });
});

import { describe, expect, it } from 'vitest';
import { FragmentSource, fragmentRepo } from '../../src/run/fragment.js';
import { loadFleet } from '../../src/run/load-fleet.js';
import { readRepoFiles } from '../../src/model/read-files.js';
import { FileReadError, type FileEntry, type FileSource } from '../../src/sources/file-source.js';
import { MemorySource } from '../../src/sources/memory.js';
import { SymlinkOutsideError } from '../../src/sources/symlink.js';
import { TEST_SETTINGS } from '../support/fleet.js';

/** Files every way readRepoFiles can take them: text, BOM, binary, invalid UTF-8, too large, unreadable, a bad link. */
class AwkwardSource implements FileSource {
  readonly description = 'working tree';
  readonly #memory = new MemorySource({
    'README.md': '# hello\n',
    'bom.yaml': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('key: value\n')]),
    'broken.yaml': 'key: [unclosed\n',
    'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]),
    'latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
    'dump.sql': Buffer.alloc(5 * 1024 * 1024 + 1, 0x61),
    'locked.yaml': 'never read\n',
    'link.yaml': 'never read\n',
  });

  listFiles(): Promise<FileEntry[]> {
    return this.#memory.listFiles();
  }

  readFile(path: string): Promise<Buffer> {
    if (path === 'locked.yaml') return Promise.reject(new FileReadError(path, 'permission denied'));
    if (path === 'link.yaml') return Promise.reject(new SymlinkOutsideError(path, 'fleet root'));
    return this.#memory.readFile(path);
  }
}

describe('fragments keep a repo so that the loaders see it as they did', () => {
  it('reads back every kind of file with the same RepoFiles and diagnostics', async () => {
    const original = await readRepoFiles('r', new AwkwardSource());
    const fleet = await loadFleet({ root: '/f', settings: TEST_SETTINGS, repos: [{ id: 'r', source: new AwkwardSource() }] });
    const repo = fleet.repos[0];
    if (!repo) throw new Error('no repo');
    const fragment = await fragmentRepo(repo, 'abc123', undefined);
    expect(fragment.files.map((file) => ('text' in file ? 'text' : file.skipped))).toEqual(['text', 'text', 'text', 'too-large', 'invalid-utf8', 'outside-fleet', 'unreadable', 'binary']);
    // Through JSON, as the fragment file carries it.
    const copy = JSON.parse(JSON.stringify(fragment)) as typeof fragment;
    const replayed = await readRepoFiles('r', new FragmentSource(copy));
    // The same files; the values of the YAML file that does not parse are masked, its structure kept.
    const withoutText = (files: typeof original.files) => files.map((file) => ({ ...file, text: undefined }));
    expect(withoutText(replayed.files)).toEqual(withoutText(original.files));
    expect(replayed.files.map((file) => file.text)).toEqual(original.files.map((file) => (file.path === 'broken.yaml' ? 'key: [xxxxxxxx\n' : file.text)));
    expect(replayed.diagnostics).toEqual(original.diagnostics);
    expect([...replayed.yaml.keys()]).toEqual([...original.yaml.keys()]);
    expect(original.diagnostics.map((d) => d.ruleId).sort()).toEqual(['parse-error', 'skipped-file', 'unreadable-file', 'unreadable-file', 'unreadable-file']);
  });

  it('keeps a listing that failed as a failed listing', async () => {
    const failing: FileSource = { description: 'working tree', listFiles: () => Promise.reject(new FileReadError('.', 'permission denied')), readFile: () => Promise.reject(new Error('unused')) };
    const fleet = await loadFleet({ root: '/f', settings: TEST_SETTINGS, repos: [{ id: 'r', source: failing }] });
    const repo = fleet.repos[0];
    if (!repo) throw new Error('no repo');
    const replayed = await readRepoFiles('r', new FragmentSource(await fragmentRepo(repo, undefined, undefined)));
    expect(replayed.diagnostics).toEqual(repo.diagnostics);
    expect(replayed.diagnostics[0]?.message).toBe('the files of the working tree cannot be listed: permission denied');
  });
});

import { execFileSync } from 'node:child_process';
import { chmod, cp, mkdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverLocalFleet, type LocalFleet } from '../../src/crawl/local.js';
import { readRepoFiles, type RepoFiles } from '../../src/model/read-files.js';
import type { FileEntry, FileSource } from '../../src/sources/file-source.js';
import { GitIndexSource } from '../../src/sources/git-index.js';
import { WorkingTreeSource } from '../../src/sources/working-tree.js';
import { commitFiles, initRepo, tempDir } from '../sources/git-fixture.js';

const HOSTILE = join(import.meta.dirname, '../../fixtures/hostile');
const MY_REPOS = ['alias-bomb', 'binary-file', 'deep-compact', 'deep-nesting', 'duplicate-keys', 'empty-files', 'filesystem-hazards', 'invalid-utf8', 'line-endings', 'yaml-syntax-error'];

/** Findings as comparable tuples: rule, severity, file, line. */
const brief = (result: RepoFiles) => result.diagnostics.map((finding) => [finding.ruleId, finding.severity, finding.file, finding.range?.startLine]);
const skipped = (result: RepoFiles) => Object.fromEntries(result.files.filter((file) => file.skipped).map((file) => [file.path, file.skipped]));

describe('readRepoFiles over fixtures/hostile', () => {
  let root: string;
  let outside: Awaited<ReturnType<typeof tempDir>>;
  let cleanup: () => Promise<void>;
  let fleet: LocalFleet;
  const results = new Map<string, RepoFiles>();
  let unreadableCause: string;

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('fleetlint-hostile-'));
    outside = await tempDir('fleetlint-outside-');
    await cp(HOSTILE, root, { recursive: true });

    // Hazards that do not belong in git, made in the temporary copy.
    const hazards = join(root, 'filesystem-hazards');
    await writeFile(join(outside.dir, 'secret.yaml'), 'password: hunter2\n');
    await symlink(join(outside.dir, 'secret.yaml'), join(hazards, 'leak.yaml'));
    await truncate(await touch(join(hazards, 'dump.yaml')), 50 * 1024 * 1024);
    execFileSync('mkfifo', [join(hazards, 'pipe.yaml')]);
    const locked = join(hazards, 'locked.yaml');
    await writeFile(locked, 'a: 1\n');
    await chmod(locked, 0o000);
    unreadableCause = 'permission denied (EACCES)';
    if (await canRead(locked)) {
      // Running as root: chmod 000 does not stop root from reading. Make the read fail another real way: a
      // name that looks like a file but leads to a folder, which the working tree lists (it is a symlink)
      // and then refuses to read.
      await rm(locked);
      await mkdir(join(hazards, 'folder'));
      await symlink('folder', locked);
      unreadableCause = 'is a folder';
    }

    fleet = await discoverLocalFleet(root);
    for (const repo of fleet.repos) {
      const source = new WorkingTreeSource(repo.dir, { boundary: root, nestedRepoDirs: repo.nestedRepoDirs });
      results.set(repo.id, await readRepoFiles(repo.id, source));
    }
  });
  afterAll(async () => {
    await cleanup();
    await outside.cleanup();
  });

  const result = (id: string): RepoFiles => {
    const found = results.get(id);
    if (!found) throw new Error(`repo ${id} was not loaded`);
    return found;
  };

  it('discovers every hostile repo from fleet.yaml, with no fleet-level problem', () => {
    expect(fleet.repos.map((repo) => repo.id)).toEqual(expect.arrayContaining(MY_REPOS));
    expect(fleet.diagnostics).toEqual([]);
    expect(fleet.settings.registries).toEqual(['harbor.homelab.local']);
  });

  it('reports a YAML syntax error on its line and still parses the other files', () => {
    const repo = result('yaml-syntax-error');
    expect(brief(repo)).toEqual([['parse-error', 'error', 'app.yaml', 7]]);
    expect(repo.yaml.get('ok.yaml')?.documents[0]?.value).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fine' } });
  });

  it('warns about a duplicate key on the line of the second one', () => {
    expect(brief(result('duplicate-keys'))).toEqual([['parse-error', 'warning', 'config.yaml', 7]]);
  });

  it('stops an alias bomb instead of expanding it', () => {
    const repo = result('alias-bomb');
    expect(brief(repo)).toEqual([['parse-error', 'error', 'bomb.yaml', 2]]);
    expect(repo.diagnostics[0]?.message).toMatch(/alias/i);
    expect(repo.yaml.get('bomb.yaml')?.documents[0]?.broken).toBe(true);
  });

  it('reports very deep nesting without overflowing the stack, at the bracket that goes past the limit', () => {
    const repo = result('deep-nesting');
    // The mapping is level 1, so the 400th bracket (column 407) is level 401: the same place on every run.
    expect(repo.diagnostics.map((finding) => [finding.message, finding.range?.startLine, finding.range?.startColumn])).toEqual([
      ['YAML nests deeper than 400 levels; the file is not loaded', 2, 407],
    ]);
    expect(repo.yaml.get('deep.yaml')?.documents[0]?.broken).toBe(true);
  });

  it('measures compact sequences, explicit keys and brackets after a quote or # as the parser nests them', () => {
    const repo = result('deep-compact');
    expect(brief(repo)).toEqual([
      ['parse-error', 'error', '.gitlab-ci.yml', 2],
      ['parse-error', 'error', 'brackets-after-hash.yaml', 2],
      ['parse-error', 'error', 'brackets-after-quote.yaml', 2],
      ['parse-error', 'error', 'compact-sequence.yaml', 2],
      ['parse-error', 'error', 'complex-keys.yaml', 2],
      ['parse-error', 'error', 'nested-keys.yaml', 2],
    ]);
    expect(repo.yaml.get('at-the-limit.yaml')?.documents[0]?.broken).toBe(false);
  });

  it('skips binary files silently', () => {
    const repo = result('binary-file');
    expect(skipped(repo)).toEqual({ 'config.yaml': 'binary', 'logo.png': 'binary' });
    expect(repo.diagnostics).toEqual([]);
    expect([...repo.yaml.keys()]).toEqual([]);
  });

  it('decodes UTF-16 with a byte order mark and counts lone carriage returns as line ends (issue 15, item 13)', () => {
    const repo = result('line-endings');
    expect(skipped(repo)).toEqual({});
    // The duplicate key is on line 3 of both: UTF-16 was skipped as binary, lone CRs made every finding line 1.
    expect(brief(repo).sort()).toEqual([
      ['parse-error', 'warning', 'lone-cr.yaml', 3],
      ['parse-error', 'warning', 'utf16.yaml', 3],
    ]);
    expect(repo.files.find((file) => file.path === 'utf16.yaml')?.text).toBe('# saved as UTF-16 with a BOM by a Windows editor\nmode: a\nmode: b\n');
  });

  it('reports invalid UTF-8 at the first invalid byte', () => {
    const repo = result('invalid-utf8');
    expect(skipped(repo)).toEqual({ 'latin1.yaml': 'invalid-utf8' });
    expect(brief(repo)).toEqual([['unreadable-file', 'warning', 'latin1.yaml', 3]]);
    expect(repo.diagnostics[0]?.range).toEqual({ startLine: 3, startColumn: 11, endLine: 3, endColumn: 12 });
  });

  it('accepts empty, comment-only and empty-document YAML, and strips a BOM', () => {
    const repo = result('empty-files');
    expect(repo.diagnostics).toEqual([]);
    expect(skipped(repo)).toEqual({});
    expect([...repo.yaml.keys()]).toEqual(['bom.yaml', 'comments-only.yaml', 'empty-documents.yaml', 'empty.yaml']);
    expect(repo.files.find((file) => file.path === 'bom.yaml')?.text?.startsWith('apiVersion')).toBe(true);
    expect(repo.yaml.get('bom.yaml')?.documents[0]?.value).toMatchObject({ kind: 'ConfigMap' });
  });

  it('refuses a symlink out of the fleet, reports an unreadable file with its cause, skips a 50 MB file with a note', () => {
    const repo = result('filesystem-hazards');
    expect(skipped(repo)).toEqual({ 'dump.yaml': 'too-large', 'leak.yaml': 'outside-fleet', 'locked.yaml': 'unreadable' });
    expect(repo.files.map((file) => file.path)).not.toContain('pipe.yaml');
    const messages = Object.fromEntries(repo.diagnostics.map((finding) => [finding.file ?? '', `${finding.ruleId} ${finding.severity}: ${finding.message}`]));
    expect(messages).toEqual({
      'dump.yaml': 'skipped-file note: not checked: 50 MiB is over the 5 MiB size limit',
      'leak.yaml': 'unreadable-file warning: not read: symlink points outside the fleet root',
      'locked.yaml': `unreadable-file error: cannot be read: ${unreadableCause}`,
    });
    expect(repo.yaml.get('values.yaml')?.documents[0]?.value).toMatchObject({ image: { tag: '1.27.3' } });
    expect(JSON.stringify(repo)).not.toContain('hunter2');
  });

  it('loads every repo of the fleet, whatever the others contain', () => {
    for (const repo of fleet.repos) expect(results.get(repo.id)?.files.length).toBeGreaterThan(0);
  });
});

describe('readRepoFiles', () => {
  it('reads each listed file once, with at most `concurrency` reads in flight', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      for (let index = 0; index < 100; index++) await writeFile(join(dir, `f${index}.yaml`), `i: ${index}\n`);
      const counting = new CountingSource(new WorkingTreeSource(dir));
      const result = await readRepoFiles('r', counting, { concurrency: 4 });
      expect(result.files).toHaveLength(100);
      expect(result.yaml.size).toBe(100);
      expect(counting.maxInFlight).toBeLessThanOrEqual(4);
      expect([...counting.reads.values()].every((count) => count === 1)).toBe(true);
      expect(counting.reads.size).toBe(100);
    } finally {
      await cleanup();
    }
  });

  it('reads staged content through the git index, skipping what is too large before reading it', async () => {
    const { dir, cleanup } = await tempDir();
    const git = await initRepo(dir);
    const source = new GitIndexSource(dir);
    try {
      await commitFiles(git, dir, { 'values.yaml': 'a: 1\n', 'big.yaml': 'x'.repeat(2000), 'logo.png': Buffer.from([0x89, 0, 1, 2]) }, 'init');
      const counting = new CountingSource(source);
      const result = await readRepoFiles('r', counting, { maxFileSize: 1000 });
      expect(skipped(result)).toEqual({ 'big.yaml': 'too-large', 'logo.png': 'binary' });
      expect(counting.reads.has('big.yaml')).toBe(false);
      expect(brief(result)).toEqual([['skipped-file', 'note', 'big.yaml', undefined]]);
    } finally {
      source.close();
      await cleanup();
    }
  });

  it('turns a listing failure into a crawl-error finding', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const result = await readRepoFiles('r', new GitIndexSource(dir));
      expect(result.files).toEqual([]);
      expect(result.diagnostics.map((finding) => [finding.ruleId, finding.repo])).toEqual([['crawl-error', 'r']]);
      expect(result.diagnostics[0]?.message).toMatch(/^the files of the git index cannot be listed: .*not a git repository/i);
    } finally {
      await cleanup();
    }
  });
});

/** A real source with counters around it: how many reads are in flight and how often each file is read. */
class CountingSource implements FileSource {
  readonly description: string;
  readonly reads = new Map<string, number>();
  maxInFlight = 0;
  #inFlight = 0;

  constructor(readonly inner: FileSource) {
    this.description = inner.description;
  }

  listFiles(): Promise<FileEntry[]> {
    return this.inner.listFiles();
  }

  async readFile(path: string): Promise<Buffer> {
    this.reads.set(path, (this.reads.get(path) ?? 0) + 1);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.#inFlight);
    try {
      return await this.inner.readFile(path);
    } finally {
      this.#inFlight--;
    }
  }
}

async function touch(path: string): Promise<string> {
  await writeFile(path, '');
  return path;
}

async function canRead(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}

import { FileReadError, type FileEntry, type FileSource } from './file-source.js';
import { BlobReader } from './git-blobs.js';
import { DanglingSymlinkError, resolveLinkTarget, SymlinkOutsideError } from './symlink.js';

/** One blob as git lists it (index or tree), with paths relative to the source folder. */
export interface GitEntry {
  path: string;
  /** Octal mode as git prints it: `100644`, `100755`, `120000` (symlink). */
  mode: string;
  oid: string;
  size?: number;
}

const SYMLINK_MODE = '120000';
/** Git itself gives up on symlink chains of this length (ELOOP). */
const MAX_LINK_HOPS = 40;

/**
 * What the git index and a git tree share: a listing of blobs made once, and reads through one batched
 * `git cat-file` process. A symlink is listed like git lists it and read as its target's blob when the
 * target is a file of the same listing.
 */
export abstract class GitEntrySource implements FileSource {
  abstract readonly description: string;
  readonly #blobs: BlobReader;
  #entries: Promise<Map<string, GitEntry>> | undefined;

  constructor(readonly dir: string) {
    this.#blobs = new BlobReader(dir);
  }

  /** Lists the blobs; submodules (gitlinks) are left out, since they have no content here. */
  protected abstract loadEntries(): Promise<GitEntry[]>;

  async listFiles(): Promise<FileEntry[]> {
    const entries = await this.#load();
    return [...entries.values()].map((entry) => (entry.mode === SYMLINK_MODE || entry.size === undefined ? { path: entry.path } : { path: entry.path, size: entry.size }));
  }

  async readFile(path: string): Promise<Buffer> {
    const entries = await this.#load();
    let entry = entries.get(path);
    for (let hops = 0; entry?.mode === SYMLINK_MODE; hops++) {
      if (hops === MAX_LINK_HOPS) throw new FileReadError(path, 'too many levels of symbolic links');
      const target = resolveLinkTarget(entry.path, (await this.#read(path, entry)).toString());
      if (target === undefined) throw new SymlinkOutsideError(path, 'repository');
      entry = entries.get(target);
      if (!entry) throw new DanglingSymlinkError(path, this.description, target);
    }
    if (!entry) throw new FileReadError(path, `not a file in the ${this.description}`);
    return this.#read(path, entry);
  }

  /** Ends the batched `git cat-file` process; a later read starts a new one. */
  close(): void {
    this.#blobs.close();
  }

  async #read(path: string, entry: GitEntry): Promise<Buffer> {
    try {
      return await this.#blobs.read(entry.oid);
    } catch (error) {
      throw new FileReadError(path, error instanceof Error ? error.message : String(error));
    }
  }

  #load(): Promise<Map<string, GitEntry>> {
    this.#entries ??= this.loadEntries().then((entries) => {
      const sorted = entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      return new Map(sorted.map((entry) => [entry.path, entry]));
    });
    // A failed listing is not cached: the next call asks git again.
    this.#entries.catch(() => {
      this.#entries = undefined;
    });
    return this.#entries;
  }
}

/** Splits NUL-terminated git output (`-z`) into records, dropping the empty tail. */
export function nulRecords(output: string): string[] {
  return output.split('\0').filter((record) => record.length > 0);
}

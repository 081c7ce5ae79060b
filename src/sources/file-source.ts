/**
 * Every byte fleetlint reads comes through a FileSource, so the same loaders serve the working tree
 * (audit), the git index (pre-commit) and a git tree at a ref (merge-request base, `include: ref:`).
 */
export interface FileEntry {
  /** Repo-relative POSIX path. */
  path: string;
  /** Size in bytes, when the source knows it without reading the file. */
  size?: number;
}

export interface FileSource {
  /** Human-readable, for messages: "working tree", "git index", "git tree at 1a2b3c4". */
  readonly description: string;
  /**
   * Every file of the repository, sorted by path: not the `.git` folder, not files the repo's
   * `.gitignore` ignores (a git source lists what git tracks).
   */
  listFiles(): Promise<FileEntry[]>;
  /** The bytes of one file. Rejects with a FileReadError naming the file and the cause. */
  readFile(path: string): Promise<Buffer>;
}

export class FileReadError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'FileReadError';
  }
}

import { GitEntrySource, nulRecords, type GitEntry } from './git-entries.js';
import { git } from './git-command.js';

/**
 * A tree at a ref: the merge-request base, or a project's file at an `include: ref:`. Paths are relative
 * to `dir`, and a subfolder lists only its subtree, as `git ls-tree` does.
 */
export class GitTreeSource extends GitEntrySource {
  readonly description: string;

  constructor(
    dir: string,
    readonly ref: string,
  ) {
    super(dir);
    // A ref is passed to git as an argument: one starting with '-' would be read as an option.
    if (ref.length === 0 || ref.startsWith('-')) throw new Error(`not a git ref: ${JSON.stringify(ref)}`);
    this.description = `git tree at ${ref}`;
  }

  protected async loadEntries(): Promise<GitEntry[]> {
    // `<mode> <type> <oid> <size>\t<path>`, the size padded with spaces.
    const output = await git(this.dir, ['ls-tree', '-r', '-z', '-l', this.ref]);
    const blobs: GitEntry[] = [];
    for (const record of nulRecords(output)) {
      const tab = record.indexOf('\t');
      const [mode, type, oid, size] = record.slice(0, tab).split(/ +/);
      if (tab < 0 || !mode || !oid || type !== 'blob') continue;
      const entry: GitEntry = { path: record.slice(tab + 1), mode, oid };
      if (size !== undefined && /^\d+$/.test(size)) entry.size = Number(size);
      blobs.push(entry);
    }
    return blobs;
  }
}

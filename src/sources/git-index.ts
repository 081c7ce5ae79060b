import { blobSizes } from './git-blobs.js';
import { GitEntrySource, nulRecords, type GitEntry } from './git-entries.js';
import { git } from './git-command.js';

/**
 * The staged content of a repository: what a pre-commit hook must check, which is not the working tree
 * when only part of an edit is staged. Paths are relative to `dir` (a subfolder lists only its subtree).
 */
export class GitIndexSource extends GitEntrySource {
  readonly description = 'git index';

  protected async loadEntries(): Promise<GitEntry[]> {
    // `<mode> <oid> <stage>\t<path>`; stages 1-3 are the sides of a merge conflict, which has no staged content.
    const output = await git(this.dir, ['ls-files', '-s', '-z']);
    const staged: GitEntry[] = [];
    for (const record of nulRecords(output)) {
      const tab = record.indexOf('\t');
      const [mode, oid, stage] = record.slice(0, tab).split(' ');
      if (tab < 0 || !mode || !oid || stage !== '0' || mode === '160000') continue;
      staged.push({ path: record.slice(tab + 1), mode, oid });
    }
    // The index does not record sizes; one batch-check asks for all of them so large files can be skipped unread.
    const sizes = await blobSizes(this.dir, staged.map((entry) => entry.oid));
    return staged.map((entry) => {
      const size = sizes.get(entry.oid);
      return size === undefined ? entry : { ...entry, size };
    });
  }
}

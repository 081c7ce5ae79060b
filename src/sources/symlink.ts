import { posix } from 'node:path';
import { FileReadError } from './file-source.js';

/**
 * A symlink whose target lies outside what fleetlint may read (the fleet root for a working tree, the
 * repository for a git source). It is a FileReadError, so callers that only report causes need nothing
 * special; readRepoFiles tells it apart to mark the file `outside-fleet`.
 */
export class SymlinkOutsideError extends FileReadError {
  constructor(path: string, boundary: string, reason = `symlink points outside the ${boundary}`) {
    super(path, reason);
    this.name = 'SymlinkOutsideError';
  }
}

/**
 * A symlink whose target is not there (a packaging repo's link to a binary installed at build time): nothing to
 * read, as for a link outside, not a file that failed to read.
 */
export class DanglingSymlinkError extends SymlinkOutsideError {
  constructor(path: string, boundary: string, target: string) {
    super(path, boundary, `symlink to ${target}, which is not in the ${boundary}`);
    this.name = 'DanglingSymlinkError';
  }
}

/**
 * The repo-relative path a symlink stored in git points at, or undefined when the target is absolute or
 * climbs out of the repository. Git stores the target as the blob's text, relative to the link's folder.
 */
export function resolveLinkTarget(linkPath: string, target: string): string | undefined {
  if (target.startsWith('/') || target.includes('\0')) return undefined;
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target));
  if (resolved === '..' || resolved.startsWith('../') || resolved === '.') return undefined;
  return resolved;
}

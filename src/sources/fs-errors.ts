const CAUSES: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a parent is not a folder',
  EISDIR: 'is a folder',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

/** A filesystem error as a short cause for a finding: "permission denied (EACCES)", without the absolute path node puts in its message. */
export function describeFsError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return `${CAUSES[error.code] ?? 'cannot be read'} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}

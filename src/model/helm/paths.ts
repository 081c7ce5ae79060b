import { posix } from 'node:path';

/** Repo-relative POSIX path helpers: `.` is the repo root, and nothing may climb out of it. */

export function dirOf(file: string): string {
  return posix.dirname(file);
}

/** `base` joined with `relative`, normalized; undefined when it leaves the repo. */
export function joinInRepo(base: string, relative: string): string | undefined {
  const joined = posix.normalize(posix.join(base === '' ? '.' : base, relative));
  if (joined === '..' || joined.startsWith('../') || posix.isAbsolute(joined)) return undefined;
  return joined.replace(/\/+$/, '') || '.';
}

/** The normalized form of a folder as written in an Application (`./helm/`, `helm`, `.`, ``). */
export function normalizeDir(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  return joinInRepo('.', dir);
}

/** True when `file` is inside `dir` (at any depth). */
export function isUnder(file: string, dir: string): boolean {
  return dir === '.' || file.startsWith(`${dir}/`);
}

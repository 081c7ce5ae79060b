/**
 * Which folders and files of a repo the git generators see, matched as ArgoCD matches them: directories with
 * Go's `path.Match` (`*` stays within a folder), files with a git pathspec (`git ls-files -- <pattern>`, where
 * `*` crosses folders), ArgoCD's default file globbing.
 */

/** Every folder that holds a file (at any depth), hidden folders and what is under them aside, as the repo-server lists them. */
export function repoDirectories(files: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const file of files) {
    const parts = file.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      if ((parts[depth - 1] ?? '').startsWith('.')) break;
      dirs.add(parts.slice(0, depth).join('/'));
    }
  }
  return [...dirs].sort();
}

/** Go's `path.Match`: `*` and `?` do not match `/`; `[...]` classes (`^` negates); `\\` escapes. Undefined for a bad pattern. */
export function pathMatch(pattern: string, name: string): boolean | undefined {
  const regex = globRegex(pattern, false);
  return regex === undefined ? undefined : regex.test(name);
}

/**
 * A git pathspec as `git ls-files -- <pattern>` applies it (no magic): with wildcards, fnmatch where `*` also
 * matches `/`; without, the file itself or anything under it as a folder.
 */
export function pathspecMatch(pattern: string, file: string): boolean {
  const spec = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  if (!/[*?[]/.test(spec)) return spec === '' || spec === '.' || file === spec || file.startsWith(`${spec}/`);
  return globRegex(spec, true)?.test(file) === true;
}

function globRegex(pattern: string, starCrossesSlash: boolean): RegExp | undefined {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] ?? '';
    if (char === '*') {
      source += starCrossesSlash ? '.*' : '[^/]*';
    } else if (char === '?') {
      source += starCrossesSlash ? '.' : '[^/]';
    } else if (char === '\\') {
      const next = pattern[++index];
      if (next === undefined) return undefined;
      source += escape(next);
    } else if (char === '[') {
      const close = pattern.indexOf(']', index + 2);
      if (close === -1) return undefined;
      let body = pattern.slice(index + 1, close);
      const negate = body.startsWith('^') || body.startsWith('!');
      if (negate) body = body.slice(1);
      source += `[${negate ? '^' : ''}${body.replace(/[\]\\]/g, '\\$&')}]`;
      index = close;
    } else {
      source += escape(char);
    }
  }
  try {
    return new RegExp(`^${source}$`, 's');
  } catch {
    return undefined;
  }
}

function escape(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

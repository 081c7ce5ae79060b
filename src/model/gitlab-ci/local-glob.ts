/**
 * `include: local:` wildcards as GitLab documents them: `*` matches within one folder (`configs/*.yml` does not
 * descend), `**` not followed by `/` matches across folders (`configs/**.yml`: files in `configs/` and every
 * subfolder), and `**\/` stands for one or more folders (`configs/**\/*.yml`: subfolders only). `?`, `[...]` and
 * `{a,b}` as in a shell. Dot files match.
 */
export function localIncludeMatcher(pattern: string): (file: string) => boolean {
  const regex = new RegExp(`^${globSource(pattern.replace(/^\/+/, ''))}$`);
  return (file) => regex.test(file);
}

function globSource(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? '';
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        if (pattern[i + 2] === '/') {
          out += '(?:[^/]+/)+';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else out += '[^/]*';
    } else if (char === '?') out += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = end;
      }
    } else if (char === '{') {
      const end = pattern.indexOf('}', i + 1);
      if (end === -1) out += '\\{';
      else {
        out += `(?:${pattern.slice(i + 1, end).split(',').map(globSource).join('|')})`;
        i = end;
      }
    } else out += char.replace(/[.+^$()|\\/]/g, '\\$&');
  }
  return out;
}

/**
 * Where a repository can be read in GitLab's web interface: its project page and the commit that was checked.
 * A report links a finding to `<project>/-/blob/<commit>/<file>#L<line>`, GitLab's permalink for that line; a repo
 * without both parts gets no link, never a guessed one.
 */
export interface RepoWeb {
  /** The project page, without a trailing slash: `https://gitlab.homelab.local/homelab/core-services/traefik`. */
  project: string;
  /** The full commit sha the findings are about. */
  commit: string;
}

/** The permalink of a file (and line) of a repo at its commit; each path segment percent-encoded. */
export function blobUrl(web: RepoWeb, file: string, line?: number): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${web.project}/-/blob/${web.commit}/${path}${line !== undefined ? `#L${line}` : ''}`;
}

/**
 * A GitLab web address as given (`--gitlab-url`, fleet.yaml `gitlab.url`): http or https, no credentials, no
 * query; the API suffix and trailing slashes dropped. Undefined for anything else.
 */
export function webRoot(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') return undefined;
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '').replace(/\/api\/v4$/, '')}`;
}

/**
 * The project page a clone URL names, when it is an http(s) URL: credentials (a CI job token) dropped, `.git`
 * dropped. An SSH remote names no web address (its host and port are the SSH server's), so it gives none.
 */
export function projectFromRemote(remote: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(remote);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  if (path === '' || path === '/') return undefined;
  return `${parsed.origin}${path}`;
}

import type { FleetSettings, RepoResolver } from '../types.js';

/**
 * The project path a Git URL or a bare GitLab project path names, without host, `.git` or slashes at either end:
 * `https://gitlab.homelab.local/homelab/platform/ci-templates.git`, `git@gitlab.homelab.local:homelab/platform/ci-templates.git`,
 * `ssh://git@host:2222/homelab/platform/ci-templates` and `homelab/platform/ci-templates` all give
 * `homelab/platform/ci-templates`. `hasHost` tells a URL from a bare path.
 */
export function projectPathOf(input: string): { path: string; hasHost: boolean } | undefined {
  let text = input.trim();
  if (text === '') return undefined;
  text = text.replace(/[?#].*$/s, '');
  let hasHost = false;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/[^/]*(.*)$/i.exec(text);
  const scpLike = /^(?:[^@/\s]+@)?[^:/\s]+:(?!\d+\/)(.*)$/.exec(text);
  if (scheme) {
    text = scheme[2] ?? '';
    hasHost = true;
  } else if (scpLike && text.includes('@')) {
    // scp-like syntax (`git@host:group/project.git`) needs a user; `host:path` alone is too ambiguous.
    text = scpLike[1] ?? '';
    hasHost = true;
  }
  const path = text
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/^\/+|\/+$/g, '');
  if (path === '' || path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  return { path, hasHost };
}

/**
 * Resolves repoURLs and CI `include: project:` paths to fleet repo ids. The host is ignored: fleet repos are
 * matched by path, case-insensitively as GitLab does. With a configured group the path must start with it
 * (a bare path may also be a repo id as is); without one, the first segment is taken as the group when the
 * whole path is not a repo. A URL that names a group or an unknown project resolves to undefined.
 */
export function makeRepoResolver(settings: FleetSettings, repoIds: ReadonlySet<string>): RepoResolver {
  const byLowerId = new Map<string, string>();
  for (const id of repoIds) byLowerId.set(id.toLowerCase(), id);
  const group = settings.group?.replace(/^\/+|\/+$/g, '').toLowerCase();

  return (projectPathOrUrl: string): string | undefined => {
    const parsed = projectPathOf(projectPathOrUrl);
    if (!parsed) return undefined;
    const path = parsed.path.toLowerCase();
    if (group !== undefined && group !== '') {
      if (path.startsWith(`${group}/`)) return byLowerId.get(path.slice(group.length + 1));
      return parsed.hasHost ? undefined : byLowerId.get(path);
    }
    const exact = byLowerId.get(path);
    if (exact !== undefined) return exact;
    const slash = path.indexOf('/');
    return slash === -1 ? undefined : byLowerId.get(path.slice(slash + 1));
  };
}

/**
 * Whether a URL names a project of the fleet's own group on the fleet's GitLab: one that should be a fleet repo
 * (a URL that names no fleet repo is then a mistake). A URL on the same host in another group belongs to another
 * team, and one on another host to someone else: neither is the fleet's to judge.
 */
export function isInFleetGroup(settings: Pick<FleetSettings, 'gitlabHost' | 'group'>, url: string): boolean {
  const host = settings.gitlabHost?.toLowerCase();
  if (host === undefined) return false;
  const parsed = projectPathOf(url);
  if (parsed?.hasHost !== true || !url.toLowerCase().includes(host)) return false;
  const group = settings.group?.replace(/^\/+|\/+$/g, '').toLowerCase();
  if (group === undefined || group === '') return true;
  const path = parsed.path.toLowerCase();
  return path === group || path.startsWith(`${group}/`);
}

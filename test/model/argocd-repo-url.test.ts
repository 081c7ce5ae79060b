import { describe, expect, it } from 'vitest';
import { makeRepoResolver, projectPathOf } from '../../src/model/argocd/repo-url.js';

const ids = new Set(['core-services/networking/traefik', 'platform/ci-templates', 'kubernetes/argocd-apps', 'applications/media/Jellyfin']);

describe('makeRepoResolver', () => {
  const resolve = makeRepoResolver({ gitlabHost: 'gitlab.homelab.local', group: 'homelab', registries: [], providers: [] }, ids);

  it.each([
    ['https://gitlab.homelab.local/homelab/core-services/networking/traefik.git', 'core-services/networking/traefik'],
    ['https://gitlab.homelab.local/homelab/core-services/networking/traefik', 'core-services/networking/traefik'],
    ['https://gitlab.homelab.local/homelab/core-services/networking/traefik/', 'core-services/networking/traefik'],
    ['https://GITLAB.Homelab.Local/homelab/core-services/networking/traefik.git/', 'core-services/networking/traefik'],
    ['http://user:token@gitlab.homelab.local:8443/homelab/platform/ci-templates.git', 'platform/ci-templates'],
    ['git@gitlab.homelab.local:homelab/platform/ci-templates.git', 'platform/ci-templates'],
    ['ssh://git@gitlab.homelab.local:2222/homelab/platform/ci-templates.git', 'platform/ci-templates'],
    ['https://other-mirror.example/homelab/kubernetes/argocd-apps.git', 'kubernetes/argocd-apps'],
    ['homelab/platform/ci-templates', 'platform/ci-templates'],
    ['/homelab/platform/ci-templates', 'platform/ci-templates'],
    ['platform/ci-templates', 'platform/ci-templates'],
    ['https://gitlab.homelab.local/homelab/applications/media/jellyfin.git', 'applications/media/Jellyfin'],
  ])('%s → %s', (url, id) => {
    expect(resolve(url)).toBe(id);
  });

  it.each([
    'https://gitlab.homelab.local/homelab/core-services/networking',
    'https://gitlab.homelab.local/homelab',
    'https://gitlab.homelab.local/homelab/unknown/repo.git',
    'https://github.com/kubernetes/argocd-apps',
    'https://traefik.github.io/charts',
    'oci://registry-1.docker.io/bitnamicharts',
    '',
    'https://gitlab.homelab.local/homelab/../platform/ci-templates',
  ])('%s → undefined', (url) => {
    expect(resolve(url)).toBeUndefined();
  });

  it('takes the first segment as the group when none is configured', () => {
    const noGroup = makeRepoResolver({ registries: [], providers: [] }, ids);
    expect(noGroup('https://gitlab.example/anything/platform/ci-templates.git')).toBe('platform/ci-templates');
    expect(noGroup('platform/ci-templates')).toBe('platform/ci-templates');
    expect(noGroup('https://gitlab.example/anything/core-services')).toBeUndefined();
  });
});

describe('projectPathOf', () => {
  it('tells URLs from bare paths', () => {
    expect(projectPathOf('git@host:a/b.git')).toEqual({ path: 'a/b', hasHost: true });
    expect(projectPathOf('a/b')).toEqual({ path: 'a/b', hasHost: false });
    expect(projectPathOf('https://host/a/b?ref=main#x')).toEqual({ path: 'a/b', hasHost: true });
  });
});

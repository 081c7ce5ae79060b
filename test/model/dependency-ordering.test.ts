import { describe, expect, it } from 'vitest';
import { dependencyWaveOrders, waveOrder, type TreeApp } from '../../src/model/dependencies/ordering.js';

/** An app in repo `repo` (default: its own name), below the named ancestors (parent first), all in `argocd-apps`. */
const app = (name: string, ancestors: string[] = [], repo = name): TreeApp => ({ repo, name, ancestors: ancestors.map((ancestor) => ({ repo: 'argocd-apps', name: ancestor })) });
const ref = (name: string, repo = 'argocd-apps') => ({ repo, name });

describe('waveOrder: which two apps’ waves order a dependency', () => {
  it('is the apps themselves when no app-of-apps tree holds both', () => {
    expect(waveOrder(app('jellyfin'), app('longhorn'))).toEqual({ from: ref('jellyfin', 'jellyfin'), to: ref('longhorn', 'longhorn') });
    expect(waveOrder(app('jellyfin', ['media', 'root']), app('longhorn', ['storage', 'other-root']))).toEqual({ from: ref('jellyfin', 'jellyfin'), to: ref('longhorn', 'longhorn') });
  });

  it('is the branches that are siblings under the lowest common ancestor', () => {
    expect(waveOrder(app('jellyfin', ['media', 'root']), app('longhorn', ['storage', 'root']))).toEqual({ from: ref('media'), to: ref('storage') });
    // Not the root's children when a lower ancestor joins them.
    expect(waveOrder(app('jellyfin', ['streaming', 'media', 'root']), app('sonarr', ['downloads', 'media', 'root']))).toEqual({ from: ref('streaming'), to: ref('downloads') });
    // Depths differ: each side's own child of the common ancestor.
    expect(waveOrder(app('jellyfin', ['streaming', 'media', 'root']), app('longhorn', ['root']))).toEqual({ from: ref('media'), to: ref('longhorn', 'longhorn') });
  });

  it('is the apps themselves when they have the same parent', () => {
    expect(waveOrder(app('jellyfin', ['media']), app('sonarr', ['media']))).toEqual({ from: ref('jellyfin', 'jellyfin'), to: ref('sonarr', 'sonarr') });
  });

  it('is none when one app is the other’s ancestor: it deploys the other, and no wave orders them', () => {
    expect(waveOrder(app('media', ['root'], 'argocd-apps'), app('jellyfin', ['media', 'root']))).toBeUndefined();
    expect(waveOrder(app('jellyfin', ['media', 'root']), app('root', [], 'argocd-apps'))).toBeUndefined();
  });

  it('is none when one ApplicationSet generates both: its controller creates them together, whatever their waves', () => {
    const generated = (name: string, set: string): TreeApp => ({ ...app(name, [], 'gitops'), generatedBy: ref(set, 'gitops') });
    expect(waveOrder(generated('authentik', 'helm-apps'), generated('external-secrets', 'helm-apps'))).toBeUndefined();
    expect(waveOrder(generated('authentik', 'helm-apps'), generated('external-secrets', 'manifest-apps'))).toEqual({ from: ref('authentik', 'gitops'), to: ref('external-secrets', 'gitops') });
  });

  it('tells apps apart by repo as well as name', () => {
    // `media` in argocd-apps is jellyfin's parent; a `media` app in another repo is not.
    expect(waveOrder(app('jellyfin', ['media']), app('media', [], 'other'))).toEqual({ from: ref('jellyfin', 'jellyfin'), to: ref('media', 'other') });
  });
});

describe('dependencyWaveOrders', () => {
  it('reads each dependency’s apps’ ancestors from the repos, in the dependencies’ order', () => {
    const repos = [
      { id: 'argocd-apps', argocd: { applications: [{ name: 'root' }, { name: 'media', ancestors: [ref('root')] }, { name: 'storage', ancestors: [ref('root')] }] } },
      { id: 'jellyfin', argocd: { applications: [{ name: 'jellyfin', ancestors: [ref('media'), ref('root')] }] } },
      { id: 'longhorn', argocd: { applications: [{ name: 'longhorn', ancestors: [ref('storage'), ref('root')] }] } },
      { id: 'minio', argocd: { applications: [{ name: 'minio' }] } },
    ];
    const dependency = (fromRepo: string, from: string, toRepo: string, to: string) => ({ fromRepo, from, toRepo, to });
    expect(
      dependencyWaveOrders(
        [dependency('jellyfin', 'jellyfin', 'longhorn', 'longhorn'), dependency('jellyfin', 'jellyfin', 'minio', 'minio'), dependency('argocd-apps', 'media', 'jellyfin', 'jellyfin')],
        repos,
      ),
    ).toEqual([{ from: ref('media'), to: ref('storage') }, { from: ref('jellyfin', 'jellyfin'), to: ref('minio', 'minio') }, undefined]);
  });
});

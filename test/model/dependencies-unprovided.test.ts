import { describe, expect, it } from 'vitest';
import { fleetFromFiles } from '../support/fleet.js';

const app = (name: string, wave: number): string => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "${String(wave)}"
spec:
  project: default
  source:
    repoURL: https://gitlab.homelab.local/homelab/${name}.git
    path: helm
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name}
`;

describe('unprovided references', () => {
  it('names a StorageClass, ingress class or issuer nothing provides, with what the fleet does provide', async () => {
    const fleet = await fleetFromFiles({
      longhorn: {
        'argocd/application.yaml': app('longhorn', 3),
        'helm/values.yaml': 'defaultSettings: {}\n',
        'helm/storageclass-retain.yaml': 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: longhorn-retain\nprovisioner: driver.longhorn.io\n',
      },
      'cert-manager': {
        'argocd/application.yaml': app('cert-manager', 1),
        'helm/issuer.yaml': 'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: letsencrypt-prod\nspec: {}\n',
      },
      web: {
        'argocd/application.yaml': app('web', 10),
        'helm/values.yaml': [
          'persistence:',
          '  storageClass: longhorn-fast',
          'cache:',
          '  storageClass: "{{ .Values.global.storageClass }}"',
          'ingress:',
          '  className: traefik',
          '  annotations:',
          '    cert-manager.io/cluster-issuer: letsencrypt-production',
          '',
        ].join('\n'),
      },
    });
    expect(fleet.unprovided.map((r) => [r.from, r.capability, r.value, r.known.join(','), r.evidence.origin.line])).toEqual([
      ['web', 'storageClass', 'longhorn-fast', 'longhorn,longhorn-retain,longhorn-static', 2],
      ['web', 'certIssuer', 'letsencrypt-production', 'letsencrypt-prod', 8],
    ]);
    // The unknown issuer still needs its controller: web depends on cert-manager.
    expect(fleet.dependencies.map((d) => [d.from, d.to])).toContainEqual(['web', 'cert-manager']);
  });
});

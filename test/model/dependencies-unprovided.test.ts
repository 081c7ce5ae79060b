import { describe, expect, it } from 'vitest';
import { fleetFromFiles, TEST_SETTINGS } from '../support/fleet.js';
import { homelabProviders } from '../support/presets.js';

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

/** With the homelab fleet's provider table, as its tests were written for. */
const homelabFleet = (repos: Parameters<typeof fleetFromFiles>[0]) => fleetFromFiles(repos, TEST_SETTINGS, homelabProviders());

describe('unprovided references', () => {
  it('names a StorageClass, ingress class or issuer nothing provides, with what the fleet does provide', async () => {
    const fleet = await homelabFleet({
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

  it('names a MetalLB address pool that no IPAddressPool of the fleet defines, and still orders the app after MetalLB', async () => {
    const fleet = await homelabFleet({
      metallb: {
        'argocd/application.yaml': app('metallb', 1),
        'helm/pools.yaml': ['default', 'dns'].map((name) => `apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: ${name}\nspec:\n  addresses: [192.168.20.0/24]\n`).join('---\n'),
      },
      pihole: {
        'argocd/application.yaml': app('pihole', 10),
        'helm/values.yaml': ['serviceDns:', '  type: LoadBalancer', '  annotations:', '    metallb.universe.tf/address-pool: dns-pool', 'serviceWeb:', '  annotations:', '    metallb.io/address-pool: dns', ''].join('\n'),
      },
    });
    expect(fleet.unprovided.map((r) => [r.from, r.capability, r.value, r.known.join(','), r.evidence.origin.line])).toEqual([['pihole', 'addressPool', 'dns-pool', 'default,dns', 4]]);
    expect(fleet.dependencies.map((d) => [d.from, d.to, d.capability])).toEqual([['pihole', 'metallb', 'LoadBalancer services, address pool dns-pool, address pool dns']]);
  });

  it('takes no name from a provider rule whose Application the fleet does not have', async () => {
    // A table written for another fleet names longhorn; this fleet has no longhorn app, only its own StorageClass.
    const files = {
      storage: {
        'argocd/application.yaml': app('storage', 1),
        'helm/standard.yaml': 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: standard\nprovisioner: rancher.io/local-path\n',
      },
      web: { 'argocd/application.yaml': app('web', 10), 'helm/values.yaml': 'persistence:\n  storageClass: gp2\n' },
    };
    const fleet = await fleetFromFiles(files, TEST_SETTINGS, [{ capability: 'storageClass', value: 'longhorn', app: 'longhorn' }]);
    expect(fleet.unprovided.map((r) => [r.from, r.value, r.known.join(',')])).toEqual([['web', 'gp2', 'standard']]);
  });
});

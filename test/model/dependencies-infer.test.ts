import { describe, expect, it } from 'vitest';
import { parseYamlFile, type ParsedYamlFile } from '../../src/model/yaml/parse.js';
import type { FleetSettings, Repo, RepoFile, RepoResolver } from '../../src/model/types.js';
import { loadK8sObjects } from '../../src/model/k8s/load.js';
import { loadArgoFacts } from '../../src/model/argocd/load.js';
import { makeRepoResolver } from '../../src/model/argocd/repo-url.js';
import { loadHelmFacts } from '../../src/model/helm/load.js';
import { extractImages } from '../../src/model/images/extract.js';
import { matches } from '../../src/model/dependencies/providers.js';
import { homelabProviders } from '../support/presets.js';
import { inferDependencies } from '../../src/model/dependencies/infer.js';
import { deployedScope } from '../../src/model/dependencies/scope.js';
import { manifestFilter } from '../../src/model/argocd/source-files.js';

const settings: FleetSettings = { gitlabHost: 'gitlab.homelab.local', group: 'homelab', registries: ['harbor.homelab.local'], providers: [] };

function buildRepo(id: string, files: Record<string, string>, resolve: RepoResolver): Repo {
  const repoFiles: RepoFile[] = Object.entries(files)
    .map(([path, text]) => ({ path, size: text.length, text }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const yaml = new Map<string, ParsedYamlFile>(repoFiles.map((file) => [file.path, parseYamlFile(id, file.path, file.text ?? '').parsed]));
  const k8s = loadK8sObjects(id, yaml);
  const argocd = loadArgoFacts(id, k8s, resolve).facts;
  const helm = loadHelmFacts(id, repoFiles, yaml, argocd.applications);
  const { images } = extractImages(id, { ci: undefined, dockerfiles: [], helm, k8s, settings });
  return {
    id,
    source: { description: 'test', listFiles: () => Promise.resolve([]), readFile: () => Promise.reject(new Error('not in test')) },
    files: repoFiles,
    kinds: [],
    yaml,
    argocd,
    helm,
    k8s,
    dockerfiles: [],
    images,
    invalidImages: [],
    publishedImages: [],
    diagnostics: [],
  };
}

function application(name: string, repoPath: string, extra = '', wave = '1'): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "${wave}"${extra}
spec:
  project: default
  source:
    repoURL: https://gitlab.homelab.local/homelab/${repoPath}.git
    targetRevision: main
    path: helm
  destination:
    server: https://kubernetes.default.svc
`;
}

function fleet(): Repo[] {
  const sources: Record<string, Record<string, string>> = {
    'core-services/networking/metallb': {
      'argocd/application.yaml': application('metallb', 'core-services/networking/metallb'),
      'helm/values.yaml': 'speaker:\n  enabled: true\n',
      'config/ipaddresspool.yaml': 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: default}\n',
    },
    'core-services/networking/traefik': {
      'argocd/application.yaml': application('traefik', 'core-services/networking/traefik', '', '2'),
      // From the seed's Appendix B traefik values: its LoadBalancer needs MetalLB.
      'helm/values.yaml': `deployment:
  replicas: 3

service:
  type: LoadBalancer
  annotations:
    metallb.universe.tf/address-pool: default

ingressRoute:
  dashboard:
    enabled: true
    matchRule: Host(\`traefik.homelab.local\`)
`,
      'helm/templates/ingressclass.yaml': 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: traefik}\n',
      'helm/templates/dashboard.yaml': 'apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata: {name: dashboard}\nspec:\n  ingressClassName: traefik\n',
    },
    'core-services/networking/cert-manager': {
      'argocd/application.yaml': application('cert-manager', 'core-services/networking/cert-manager'),
      'helm/values.yaml': 'installCRDs: true\n',
    },
    'core-services/storage/longhorn': {
      'argocd/application.yaml': application('longhorn', 'core-services/storage/longhorn', '', '3'),
      'helm/values.yaml': 'persistence:\n  defaultClass: true\n  storageClass: longhorn\n',
    },
    'core-services/storage/nvme': {
      'argocd/application.yaml': application('storage-extras', 'core-services/storage/nvme', '', '3'),
      'helm/storageclass.yaml': 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast-nvme}\nprovisioner: driver.longhorn.io\n',
    },
    'core-services/networking/issuers': {
      'argocd/application.yaml': application('cert-issuers', 'core-services/networking/issuers'),
      'helm/issuer.yaml': 'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: letsencrypt-prod}\n',
    },
    'core-services/registry/harbor': {
      'argocd/application.yaml': application('harbor', 'core-services/registry/harbor', '', '5'),
      'helm/values.yaml': 'expose:\n  ingress:\n    className: traefik\n',
    },
    'kubernetes/argocd-apps': {
      // An app-of-apps copy of traefik: the provider is still the traefik repo's Application.
      'core-services/networking.yaml': application('traefik', 'core-services/networking/traefik'),
    },
    'applications/media/jellyfin': {
      'argocd/application.yaml': application('jellyfin', 'applications/media/jellyfin', '\n    fleetlint.dev/depends-on: "metallb, not-in-fleet, jellyfin"', '10'),
      // From the seed's Appendix B jellyfin values.
      'helm/values.yaml': `replicaCount: 1

image:
  repository: harbor.homelab.local/applications/jellyfin
  tag: latest
  pullPolicy: Always

service:
  type: ClusterIP
  port: 8096

ingress:
  enabled: true
  className: traefik
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt-prod
    traefik.ingress.kubernetes.io/router.middlewares: default-compress@kubernetescrd

persistence:
  config:
    enabled: true
    storageClass: longhorn
    size: 10Gi
  cache:
    storageClass: fast-nvme
  media:
    enabled: true
    existingClaim: nfs-media-pvc
`,
      'helm/Chart.yaml': 'apiVersion: v2\nname: jellyfin\nversion: 0.1.0\n',
      'helm/templates/pvc.yaml': 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: media}\nspec:\n  storageClassName: longhorn\n',
      'other/values.yaml': 'storageClass: not-deployed\n',
    },
    'observability/monitoring/grafana': {
      'argocd/application.yaml': `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: grafana}
spec:
  sources:
    - repoURL: https://grafana.github.io/helm-charts
      chart: grafana
      helm:
        valueFiles: [$values/deploy/grafana.yaml]
        valuesObject:
          persistence: {storageClassName: longhorn}
          image: {repository: harbor.homelab.local/mirror/grafana, tag: "11"}
    - repoURL: https://gitlab.homelab.local/homelab/observability/monitoring/grafana.git
      ref: values
    - repoURL: https://gitlab.homelab.local/homelab/observability/monitoring/grafana.git
      path: manifests
`,
      'argocd/other-apps.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: unrelated}\nspec:\n  source:\n    helm:\n      valuesObject: {image: harbor.homelab.local/x/y:1}\n',
      'deploy/grafana.yaml': 'serviceMonitor:\n  enabled: true\nsidecar:\n  image: harbor.homelab.local/mirror/k8s-sidecar:1.25\n',
      'manifests/monitor.yaml': 'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: grafana}\n---\napiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: {name: admin}\nspec:\n  secretStoreRef: {name: vault, kind: ClusterSecretStore}\n',
    },
    'observability/monitoring/prometheus-stack': {
      'argocd/application.yaml': application('prometheus-stack', 'observability/monitoring/prometheus-stack', '', '6'),
    },
  };
  const resolve = makeRepoResolver(settings, new Set(Object.keys(sources)));
  return Object.entries(sources).map(([id, files]) => buildRepo(id, files, resolve));
}

describe('inferDependencies', () => {
  const repos = fleet();
  const dependencies = inferDependencies(repos, homelabProviders());
  const summary = dependencies.map((dependency) => [
    dependency.from,
    dependency.to,
    dependency.capability,
    dependency.evidence.map((evidence) => `${evidence.origin.file}:${String(evidence.origin.line)} ${evidence.description}`),
  ]);

  it('infers who needs whom, with deduplicated evidence and its lines', () => {
    // Sorted by repo then name on both ends.
    expect(summary).toEqual([
      // The ClusterIssuer's own Application provides it (a wildcard rule would have named cert-manager).
      [
        'jellyfin',
        'cert-issuers',
        'certificate issuer letsencrypt-prod',
        ['helm/values.yaml:16 annotation cert-manager.io/cluster-issuer: letsencrypt-prod'],
      ],
      ['jellyfin', 'metallb', 'declared dependency', ['argocd/application.yaml:8 annotation fleetlint.dev/depends-on: metallb,not-in-fleet,jellyfin']],
      [
        'jellyfin',
        'traefik',
        'ingress controller traefik',
        ['helm/values.yaml:14 className: traefik', 'helm/values.yaml:17 annotation traefik.ingress.kubernetes.io/router.middlewares'],
      ],
      ['jellyfin', 'harbor', 'registry harbor.homelab.local', ['helm/values.yaml:4 image harbor.homelab.local/applications/jellyfin:latest from registry harbor.homelab.local']],
      ['jellyfin', 'longhorn', 'StorageClass longhorn', ['helm/templates/pvc.yaml:5 storageClassName: longhorn', 'helm/values.yaml:22 storageClass: longhorn']],
      ['jellyfin', 'storage-extras', 'StorageClass fast-nvme', ['helm/values.yaml:25 storageClass: fast-nvme']],
      ['cert-issuers', 'cert-manager', 'cert-manager resources', ['helm/issuer.yaml:2 cert-manager ClusterIssuer letsencrypt-prod']],
      ['traefik', 'metallb', 'LoadBalancer services, address pool default', ['helm/values.yaml:5 service type LoadBalancer', 'helm/values.yaml:7 annotation metallb.universe.tf/address-pool: default']],
      ['harbor', 'traefik', 'ingress controller traefik', ['helm/values.yaml:3 className: traefik']],
      ['storage-extras', 'longhorn', 'StorageClass longhorn', ['helm/storageclass.yaml:4 provisioner driver.longhorn.io']],
      // The app-of-apps copy of traefik deploys the same files, so it has the same needs (and its own wave to check).
      ['traefik', 'metallb', 'LoadBalancer services, address pool default', ['helm/values.yaml:5 service type LoadBalancer', 'helm/values.yaml:7 annotation metallb.universe.tf/address-pool: default']],
      [
        'grafana',
        'harbor',
        'registry harbor.homelab.local',
        [
          'argocd/application.yaml:12 image harbor.homelab.local/mirror/grafana:11 from registry harbor.homelab.local',
          'deploy/grafana.yaml:4 image harbor.homelab.local/mirror/k8s-sidecar:1.25 from registry harbor.homelab.local',
        ],
      ],
      ['grafana', 'longhorn', 'StorageClass longhorn', ['argocd/application.yaml:11 storageClassName: longhorn']],
      ['grafana', 'prometheus-stack', 'monitoring CRDs', ['deploy/grafana.yaml:1 serviceMonitor.enabled: true', 'manifests/monitor.yaml:2 Prometheus Operator ServiceMonitor grafana']],
      // Inline values belong to their own Application, not to the others of the repo.
      ['unrelated', 'harbor', 'registry harbor.homelab.local', ['argocd/other-apps.yaml:7 image harbor.homelab.local/x/y:1 from registry harbor.homelab.local']],
    ]);
  });

  it('names the repos on both ends', () => {
    expect(dependencies.find((dependency) => dependency.from === 'jellyfin' && dependency.to === 'traefik')).toMatchObject({
      fromRepo: 'applications/media/jellyfin',
      toRepo: 'core-services/networking/traefik',
    });
  });

  it('has no external-secrets dependency without that app in the fleet, and none on itself', () => {
    expect(dependencies.some((dependency) => dependency.to === 'external-secrets-operator')).toBe(false);
    expect(dependencies.some((dependency) => dependency.from === dependency.to)).toBe(false);
  });

  it('takes the registry provider from the table: the first exact rule, else the first wildcard', () => {
    const custom = inferDependencies(repos, [{ capability: 'registry', value: 'harbor.homelab.local', app: 'cert-manager' }, ...homelabProviders()]);
    expect(custom.filter((dependency) => dependency.capability.includes('registry')).map((dependency) => [dependency.from, dependency.to, dependency.capability])).toEqual([
      ['jellyfin', 'cert-manager', 'registry harbor.homelab.local'],
      ['grafana', 'cert-manager', 'registry harbor.homelab.local'],
      ['unrelated', 'cert-manager', 'registry harbor.homelab.local'],
    ]);
    const wildcard = inferDependencies(repos, [{ capability: 'registry', value: 'harbor.*', app: 'cert-manager' }]);
    expect(wildcard.filter((dependency) => dependency.capability.includes('registry')).map((dependency) => dependency.to)).toEqual(['cert-manager', 'cert-manager', 'cert-manager']);
  });

  it('knows no provider the table does not name: no registry dependency without a registry rule', () => {
    const withoutRegistry = homelabProviders().filter((rule) => rule.capability !== 'registry');
    expect(inferDependencies(repos, withoutRegistry).some((dependency) => dependency.capability.includes('registry'))).toBe(false);
  });

  it('ignores a rule whose Application is not in the fleet: the StorageClass the fleet deploys names its provider', () => {
    // No app is named ceph: the exact rule is ignored, and the app that deploys fast-nvme provides it.
    const absent = inferDependencies(repos, [{ capability: 'storageClass', value: 'fast-nvme', app: 'ceph' }, ...homelabProviders()]);
    expect(absent.find((dependency) => dependency.capability === 'StorageClass fast-nvme')?.to).toBe('storage-extras');
  });
});

describe('deployedScope', () => {
  const repos = fleet();
  const byId = new Map(repos.map((repo) => [repo.id, repo]));

  it('deploys the chart values and the manifests under the source path', () => {
    const repo = byId.get('applications/media/jellyfin');
    const app = repo?.argocd.applications[0];
    if (!repo || !app) throw new Error('fixture');
    const scope = deployedScope(app, repo, byId);
    expect(scope.values.map((values) => `${values.repo}:${values.file}`)).toEqual(['applications/media/jellyfin:helm/values.yaml']);
    expect(scope.objects.map(({ object }) => object.origin.file)).toEqual(['helm/templates/pvc.yaml']);
  });

  it('follows $ref value files and inline valuesObject in multi-source apps', () => {
    const repo = byId.get('observability/monitoring/grafana');
    const app = repo?.argocd.applications[0];
    if (!repo || !app) throw new Error('fixture');
    const scope = deployedScope(app, repo, byId);
    expect(scope.values.map((values) => [values.file, values.basePath])).toEqual([
      ['deploy/grafana.yaml', []],
      ['argocd/application.yaml', ['spec', 'sources', 0, 'helm', 'valuesObject']],
    ]);
  });
});

describe('manifestFilter', () => {
  const resolve = makeRepoResolver(settings, new Set(['r']));
  const repo = buildRepo('r', { 'chart/Chart.yaml': 'name: c\n', 'kust/kustomization.yaml': 'resources: []\n', 'plain/a.yaml': 'a: 1\n' }, resolve);
  const source = (path: string, directoryRecurse?: boolean) => ({ path, helmValueFiles: [], fleetRepo: 'r', origin: { repo: 'r', file: 'x', range: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 }, line: 1 }, ...(directoryRecurse ? { directoryRecurse } : {}) });

  it('reads charts and kustomizations at any depth, plain folders only at the top unless recurse is set', () => {
    expect(manifestFilter(source('chart'), repo)('chart/templates/deep/x.yaml')).toBe(true);
    expect(manifestFilter(source('./kust/'), repo)('kust/base/x.yaml')).toBe(true);
    expect(manifestFilter(source('plain'), repo)('plain/a.yaml')).toBe(true);
    expect(manifestFilter(source('plain'), repo)('plain/sub/a.yaml')).toBe(false);
    expect(manifestFilter(source('plain', true), repo)('plain/sub/a.yaml')).toBe(true);
    expect(manifestFilter(source('.'), repo)('plain/a.yaml')).toBe(false);
  });
});

describe('matches', () => {
  it('treats * as a wildcard, case-insensitively', () => {
    expect(matches('*', 'anything')).toBe(true);
    expect(matches('longhorn*', 'Longhorn-Retain')).toBe(true);
    expect(matches('a.b', 'axb')).toBe(false);
  });
});

describe('dependencies from the objects Applications create and use, per ArgoCD instance', () => {
  const resolve = makeRepoResolver(settings, new Set(['prod/gitops', 'lab/gitops']));
  const crd = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: servicemonitors.monitoring.coreos.com}\nspec:\n  group: monitoring.coreos.com\n  names: {kind: ServiceMonitor, plural: servicemonitors}\n';
  const monitor = 'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: api, namespace: media}\n';
  const gitops = (id: string): Repo =>
    buildRepo(
      id,
      {
        'apps/crds.yaml': application('crds', id).replace('path: helm', 'path: crds'),
        'apps/metrics.yaml': application('metrics', id).replace('path: helm', 'path: metrics'),
        'apps/namespaces.yaml': application('namespaces', id).replace('path: helm', 'path: namespaces'),
        'crds/crd.yaml': crd,
        'metrics/monitor.yaml': monitor,
        'namespaces/media.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: media}\n',
      },
      resolve,
    );
  const repos = [gitops('lab/gitops'), gitops('prod/gitops')];
  const summary = (options: Parameters<typeof inferDependencies>[2]): string[] =>
    inferDependencies(repos, [], options).map((dependency) => `${dependency.fromRepo}:${dependency.from} -> ${dependency.toRepo}:${dependency.to} (${dependency.capability}) provided at ${dependency.evidence[0]?.provider?.origin.file ?? '-'}`);

  it('a custom resource depends on the Application of its CRD, an object on the Application of its Namespace', () => {
    const instances = [
      { name: 'lab', paths: ['lab/**'] },
      { name: 'prod', paths: ['prod/**'] },
    ];
    expect(summary({ instances })).toEqual([
      'lab/gitops:metrics -> lab/gitops:crds (CRD of monitoring.coreos.com/ServiceMonitor) provided at crds/crd.yaml',
      'lab/gitops:metrics -> lab/gitops:namespaces (namespace media) provided at namespaces/media.yaml',
      'prod/gitops:metrics -> prod/gitops:crds (CRD of monitoring.coreos.com/ServiceMonitor) provided at crds/crd.yaml',
      'prod/gitops:metrics -> prod/gitops:namespaces (namespace media) provided at namespaces/media.yaml',
    ]);
  });

  it('without instances, one ArgoCD syncs everything: the first provider of a key is the one', () => {
    expect(summary({}).filter((line) => line.startsWith('prod/'))).toEqual([
      'prod/gitops:metrics -> lab/gitops:crds (CRD of monitoring.coreos.com/ServiceMonitor) provided at crds/crd.yaml',
      'prod/gitops:metrics -> lab/gitops:namespaces (namespace media) provided at namespaces/media.yaml',
    ]);
  });
});

describe("dependencies on a webhook configuration's Service", () => {
  const resolve = makeRepoResolver(settings, new Set(['gitops']));
  const app = (name: string, namespace?: string): string =>
    application(name, 'gitops').replace('path: helm', `path: ${name}`) + (namespace === undefined ? '' : `    namespace: ${namespace}\n`);
  const service = (name: string, namespace?: string): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n${namespace === undefined ? '' : `  namespace: ${namespace}\n`}`;
  const webhooks = (kind: string, name: string, services: [string, string][]): string =>
    [`apiVersion: admissionregistration.k8s.io/v1\nkind: ${kind}\nmetadata: {name: ${name}}\nwebhooks:`, ...services.map(([namespace, service]) => `  - name: ${service}.example.test\n    clientConfig:\n      service: {namespace: ${namespace}, name: ${service}}`)].join('\n') + '\n';
  const repos = [
    buildRepo(
      'gitops',
      {
        'apps/webhook-server.yaml': app('webhook-server', 'policy'),
        'apps/explicit.yaml': app('explicit'),
        'apps/unplaced.yaml': app('unplaced'),
        'apps/rules.yaml': app('rules'),
        'apps/self.yaml': app('self', 'self'),
        // No namespace of its own: the destination's, policy.
        'webhook-server/service.yaml': service('policy-webhook'),
        'explicit/service.yaml': service('other', 'tools'),
        // No namespace and no destination namespace: where it lands is unknown, so it provides nothing.
        'unplaced/service.yaml': service('lost'),
        'rules/webhooks.yaml': `${webhooks('ValidatingWebhookConfiguration', 'validate', [['policy', 'policy-webhook'], ['policy', 'absent']])}---\n${webhooks('MutatingWebhookConfiguration', 'mutate', [['tools', 'other'], ['default', 'lost']])}`,
        // Its own Service: ArgoCD applies both in one sync, nothing to order between Applications.
        'self/objects.yaml': `${service('hook')}---\n${webhooks('ValidatingWebhookConfiguration', 'self', [['self', 'hook']])}`,
      },
      resolve,
    ),
  ];

  it('an Application that creates a webhook configuration depends on the Application that creates its Service', () => {
    const lines = inferDependencies(repos, []).map(
      (dependency) => `${dependency.from} -> ${dependency.to} (${dependency.capability}): ${dependency.evidence.map((evidence) => `${evidence.origin.file}:${String(evidence.origin.line)} ${evidence.description} <- ${evidence.provider?.origin.file ?? '-'}:${String(evidence.provider?.origin.line)} ${evidence.provider?.description ?? '-'}`).join('; ')}`,
    );
    expect(lines).toEqual([
      'rules -> explicit (Service tools/other): rules/webhooks.yaml:18 MutatingWebhookConfiguration mutate calls Service tools/other <- explicit/service.yaml:4 Service tools/other',
      'rules -> webhook-server (Service policy/policy-webhook): rules/webhooks.yaml:7 ValidatingWebhookConfiguration validate calls Service policy/policy-webhook <- webhook-server/service.yaml:4 Service policy/policy-webhook',
    ]);
  });
});

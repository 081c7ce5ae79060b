/** sync-wave-order, the compiled Rego policy, on literal fleets of ArgoCD Applications and what they deploy. */
import type { FleetFiles } from '../support/fleet.js';
import { policyTester } from '../support/rule-tester.js';
import { homelabOptions } from '../support/presets.js';

const LONGHORN = 'core-services/storage/longhorn';
const MINIO = 'core-services/storage/minio';
const JELLYFIN = 'applications/media/jellyfin';
const VAULT = 'core-services/secrets/vault';
const DNS = 'core-services/networking/external-dns';

interface AppOptions {
  /** The sync-wave annotation's value as written (quoted or not); no annotation when absent. */
  wave?: string;
  annotations?: Record<string, string>;
  /** The folder of the repository it deploys; `helm` when absent. */
  path?: string;
  /** Extra lines under `spec:` (2-space indented). */
  spec?: string[];
}

/**
 * `argocd/application.yaml` of an Application that deploys a folder of its own repository (`helm/` unless `path`
 * says otherwise). Line 7 is the sync-wave annotation when there is one.
 */
function application(repo: string, name: string, options: AppOptions = {}): string {
  const annotations = { ...(options.wave === undefined ? {} : { 'argocd.argoproj.io/sync-wave': options.wave }), ...options.annotations };
  return [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${name}`,
    '  namespace: argocd',
    ...(Object.keys(annotations).length > 0 ? ['  annotations:', ...Object.entries(annotations).map(([key, value]) => `    ${key}: ${value}`)] : []),
    'spec:',
    '  project: default',
    '  source:',
    `    repoURL: https://gitlab.homelab.local/homelab/${repo}.git`,
    '    targetRevision: main',
    `    path: ${options.path ?? 'helm'}`,
    '  destination:',
    '    server: https://kubernetes.default.svc',
    `    namespace: ${name}`,
    ...(options.spec ?? []),
    '',
  ].join('\n');
}

const STORAGE_CLASS = (name: string): string => `apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: ${name}\nprovisioner: driver.longhorn.io\n`;

/** Longhorn in wave 3, deploying the StorageClasses longhorn-retain and longhorn-single from a folder of manifests. */
const LONGHORN_REPO: FleetFiles = {
  [LONGHORN]: {
    'argocd/application.yaml': application(LONGHORN, 'longhorn', { wave: '"3"', path: 'storageclasses' }),
    'storageclasses/retain.yaml': STORAGE_CLASS('longhorn-retain'),
    'storageclasses/single.yaml': STORAGE_CLASS('longhorn-single'),
  },
};

/** An app in `wave` whose Helm values put its data on the StorageClass `storageClass` (line 3 of its values). */
function storageUser(repo: string, name: string, wave: string, storageClass: string): FleetFiles {
  return {
    [repo]: {
      'argocd/application.yaml': application(repo, name, { wave }),
      'helm/values.yaml': `persistence:\n  enabled: true\n  storageClass: ${storageClass}\n`,
    },
  };
}

policyTester('sync-wave-order').run({
  valid: [
    {
      name: 'an app on a StorageClass its provider deploys in an earlier wave',
      repos: { ...LONGHORN_REPO, ...storageUser(JELLYFIN, 'jellyfin', '"10"', 'longhorn-retain') },
    },
    {
      name: 'a declared dependency on an app in an earlier wave',
      repos: {
        [VAULT]: { 'argocd/application.yaml': application(VAULT, 'vault', { wave: '"4"' }), 'helm/values.yaml': 'server:\n  ha: {enabled: false}\n' },
        [JELLYFIN]: { 'argocd/application.yaml': application(JELLYFIN, 'jellyfin', { wave: '"10"', annotations: { 'fleetlint.dev/depends-on': 'vault' } }), 'helm/values.yaml': 'image: {tag: 10.9.7}\n' },
      },
    },
    {
      name: "the config's wave bands replace the built-in deployment order",
      options: { waveBands: [{ apps: ['minio'], min: 7, max: 8 }] },
      repos: { ...LONGHORN_REPO, ...storageUser(MINIO, 'minio', '"7"', 'longhorn-single') },
    },
  ],
  invalid: [
    {
      name: 'a dependency in the same wave: ArgoCD applies the wave together',
      repos: { ...LONGHORN_REPO, ...storageUser(MINIO, 'minio', '"3"', 'longhorn-retain') },
      findings: [
        {
          repo: MINIO,
          file: 'argocd/application.yaml',
          line: 7,
          severity: 'error',
          messageIncludes: 'minio syncs in wave 3 but depends on longhorn (wave 3), which must sync first: storageClass: longhorn-retain at helm/values.yaml:3',
          // The using line, then the providing line (the StorageClass).
          related: [{ repo: MINIO, file: 'helm/values.yaml', line: 3 }, { repo: LONGHORN, file: 'storageclasses/retain.yaml', line: 4 }],
        },
      ],
    },
    {
      name: 'a declared dependency on a later wave',
      repos: {
        [VAULT]: { 'argocd/application.yaml': application(VAULT, 'vault', { wave: '"4"' }), 'helm/values.yaml': 'server:\n  ha: {enabled: false}\n' },
        [DNS]: { 'argocd/application.yaml': application(DNS, 'external-dns', { wave: '"2"', annotations: { 'fleetlint.dev/depends-on': 'vault' } }), 'helm/values.yaml': 'provider: cloudflare\n' },
      },
      findings: [{ repo: DNS, line: 7, messageIncludes: 'external-dns syncs in wave 2 but depends on vault (wave 4), which must sync first: annotation fleetlint.dev/depends-on: vault at argocd/application.yaml:8' }],
    },
    {
      name: 'spec.syncWaves is not an ArgoCD field: the app is in wave 0, outside its band',
      options: { waveBands: homelabOptions('sync-wave-order').waveBands },
      repos: {
        'core-services/networking/traefik': {
          'argocd/application.yaml': application('core-services/networking/traefik', 'traefik', { spec: ['  syncWaves:', '    - wave: 2'] }),
          'helm/values.yaml': 'deployment:\n  replicas: 2\n',
        },
      },
      findings: [
        { file: 'argocd/application.yaml', line: 3, severity: 'warning', messageIncludes: "traefik syncs in wave 0, outside its band in the fleet's deployment order (wave 2)" },
        { file: 'argocd/application.yaml', line: 15, severity: 'error', messageIncludes: 'traefik: spec.syncWaves does not exist in ArgoCD and is ignored, so the app syncs in wave 0' },
      ],
    },
    {
      name: 'a dependency cycle, reported once at its first app, besides the order it breaks',
      repos: {
        'applications/ai/ollama': { 'argocd/application.yaml': application('applications/ai/ollama', 'ollama', { wave: '"10"', annotations: { 'fleetlint.dev/depends-on': 'open-webui' } }), 'helm/values.yaml': 'gpu: false\n' },
        'applications/ai/open-webui': { 'argocd/application.yaml': application('applications/ai/open-webui', 'open-webui', { wave: '"11"', annotations: { 'fleetlint.dev/depends-on': 'ollama' } }), 'helm/values.yaml': 'ollama: {enabled: false}\n' },
      },
      findings: [
        { repo: 'applications/ai/ollama', line: 7, messageIncludes: 'dependency cycle between ollama, open-webui: no sync-wave order can satisfy it' },
        { repo: 'applications/ai/ollama', line: 7, messageIncludes: 'ollama syncs in wave 10 but depends on open-webui (wave 11)' },
      ],
    },
    {
      name: 'a sync wave that is not an integer',
      repos: { [JELLYFIN]: { 'argocd/application.yaml': application(JELLYFIN, 'jellyfin', { wave: '"ten"' }), 'helm/values.yaml': 'image: {tag: 10.9.7}\n' } },
      findings: [{ line: 7, severity: 'error', messageIncludes: 'jellyfin: sync-wave "ten" is not an integer; ArgoCD treats it as wave 0' }],
    },
    {
      name: 'a StorageClass no Application provides, at the values line',
      repos: { ...LONGHORN_REPO, ...storageUser(JELLYFIN, 'jellyfin', '"10"', 'longhorn-fast') },
      findings: [
        {
          repo: JELLYFIN,
          file: 'helm/values.yaml',
          line: 3,
          severity: 'warning',
          messageIncludes: 'jellyfin uses StorageClass longhorn-fast, which no Application of the fleet provides (it provides: longhorn, longhorn-retain, longhorn-single, longhorn-static)',
        },
      ],
    },
    {
      name: "outside the config's wave band",
      options: { waveBands: [{ apps: ['minio'], min: 7, max: 8 }] },
      repos: { ...LONGHORN_REPO, ...storageUser(MINIO, 'minio', '"9"', 'longhorn-single') },
      findings: [{ repo: MINIO, line: 7, severity: 'warning', messageIncludes: "minio syncs in wave 9, outside its band in the fleet's deployment order (waves 7-8)" }],
    },
  ],
});

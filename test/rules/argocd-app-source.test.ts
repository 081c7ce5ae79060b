import argocdAppSource from '../../rules/argocd-app-source.js';
import { ruleTester } from '../support/rule-tester.js';
import { TEST_SETTINGS, type FleetFiles } from '../support/fleet.js';

const BOOTSTRAP = 'kubernetes/argocd-bootstrap';
const TRAEFIK = 'core-services/networking/traefik';
const VELERO = 'backup/velero';
const JELLYFIN = 'applications/media/jellyfin';
const APPS = 'kubernetes/argocd-apps';

// The seed's AppProject (kubernetes/argocd-bootstrap/argocd/projects/core-services.yaml).
const CORE_PROJECT = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: core-services
  namespace: argocd
spec:
  description: Core platform services
  sourceRepos:
    - 'https://gitlab.homelab.local/homelab/core-services/*'
  destinations:
    - namespace: '*'
      server: https://kubernetes.default.svc
`;

const APPLICATIONS_PROJECT = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: applications
  namespace: argocd
spec:
  sourceRepos:
    - 'https://gitlab.homelab.local/homelab/applications/media/jellyfin.git'
    - 'https://charts.example.com'
  destinations:
    - namespace: 'media-*'
      server: https://kubernetes.default.svc
`;

/** An Application in one file; `source` is the YAML under `spec.source` (4-space indented lines). */
function application(name: string, project: string | undefined, source: string[], namespace = name): string {
  return [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${name}`,
    '  namespace: argocd',
    'spec:',
    ...(project === undefined ? [] : [`  project: ${project}`]),
    '  source:',
    ...source.map((line) => `    ${line}`),
    '  destination:',
    '    server: https://kubernetes.default.svc',
    `    namespace: ${namespace}`,
    '',
  ].join('\n');
}

/** The fleet every case starts from: the projects, and the repos the Applications point at. */
function fleet(extra: FleetFiles): FleetFiles {
  const base: FleetFiles = {
    [BOOTSTRAP]: { 'argocd/projects/core-services.yaml': CORE_PROJECT, 'argocd/projects/applications.yaml': APPLICATIONS_PROJECT },
    [TRAEFIK]: { 'helm/values.yaml': 'deployment:\n  replicas: 2\n' },
    [JELLYFIN]: { 'helm/values.yaml': 'image:\n  tag: 10.9.7\n' },
    [VELERO]: { 'helm/values.yaml': 'schedules: {}\n' },
  };
  for (const [repo, files] of Object.entries(extra)) base[repo] = { ...base[repo], ...files };
  return base;
}

const TRAEFIK_SOURCE = ['repoURL: https://gitlab.homelab.local/homelab/core-services/networking/traefik.git', 'targetRevision: main', 'path: helm'];

/** An AppProject `platform` with these sourceRepos and destinations (YAML flow maps; default: any). */
function platformProject(sourceRepos: string[], destinations = ["{namespace: '*', server: '*'}"]): FleetFiles {
  const lines = ['apiVersion: argoproj.io/v1alpha1', 'kind: AppProject', 'metadata:', '  name: platform', 'spec:', '  sourceRepos:', ...sourceRepos.map((pattern) => `    - '${pattern}'`), '  destinations:', ...destinations.map((item) => `    - ${item}`), ''];
  return { [BOOTSTRAP]: { 'argocd/projects/platform.yaml': lines.join('\n') } };
}

/** The project `platform` with these sourceRepos, as a file's text. */
function platformText(sourceRepos: string[]): string {
  const text = platformProject(sourceRepos)[BOOTSTRAP]?.['argocd/projects/platform.yaml'];
  return typeof text === 'string' ? text : '';
}

/** Two ArgoCD instances: `lab` (its apps' folder in APPS and its projects' folder in BOOTSTRAP) and `prod`. */
const TWO_INSTANCES = {
  ...TEST_SETTINGS,
  argocdInstances: [
    { name: 'lab', paths: [`${APPS}/clusters/lab/**`, `${BOOTSTRAP}/lab/**`] },
    { name: 'prod', paths: [`${APPS}/clusters/prod/**`] },
  ],
};

ruleTester(argocdAppSource).run({
  valid: [
    {
      name: 'a fleet repo, an existing path, an AppProject that allows source and destination',
      repos: fleet({ [TRAEFIK]: { 'argocd/application.yaml': application('traefik', 'core-services', TRAEFIK_SOURCE) } }),
    },
    {
      name: 'no project and project default: ArgoCD\'s built-in default project allows everything',
      repos: fleet({
        [TRAEFIK]: { 'argocd/application.yaml': application('traefik', undefined, TRAEFIK_SOURCE) },
        [VELERO]: { 'argocd/application.yaml': application('velero', 'default', ['repoURL: https://gitlab.homelab.local/homelab/backup/velero.git', 'path: helm']) },
      }),
    },
    {
      name: 'chart sources are not looked up in the fleet',
      repos: fleet({
        [VELERO]: {
          'argocd/application.yaml': application('velero', undefined, [
            'repoURL: https://gitlab.homelab.local/api/v4/projects/42/packages/helm/stable',
            'chart: velero',
            'targetRevision: 6.0.0',
          ]),
        },
      }),
    },
    {
      name: 'a chart source allowed by the AppProject',
      repos: fleet({
        [JELLYFIN]: { 'argocd/application.yaml': application('jellyfin', 'applications', ['repoURL: https://charts.example.com', 'chart: jellyfin', 'targetRevision: 2.1.0'], 'media-jellyfin') },
      }),
    },
    {
      name: 'repoURLs outside the fleet host are not looked up',
      repos: fleet({ [VELERO]: { 'argocd/application.yaml': application('velero', undefined, ['repoURL: https://github.com/vmware-tanzu/helm-charts.git', 'path: charts/velero']) } }),
    },
    {
      // No AppProject in Git at all: the fleet creates its projects elsewhere (the UI, Terraform), not a mistake.
      name: 'a project of a fleet that defines no AppProject',
      repos: { [TRAEFIK]: { 'argocd/application.yaml': application('traefik', 'networking', TRAEFIK_SOURCE), 'helm/values.yaml': 'deployment:\n  replicas: 2\n' } },
    },
    {
      // Another team's project on the fleet's GitLab: it may well exist; only the fleet's own group is known in full.
      name: 'a repoURL on the fleet host in another group is not looked up',
      repos: fleet({ [VELERO]: { 'argocd/application.yaml': application('velero', undefined, ['repoURL: https://gitlab.homelab.local/platform-team/helm-charts.git', 'path: charts/velero']) } }),
    },
    {
      name: 'path . and a path with ./ and a trailing slash',
      repos: fleet({
        [TRAEFIK]: { 'argocd/application.yaml': application('traefik', 'core-services', ['repoURL: https://gitlab.homelab.local/homelab/core-services/networking/traefik.git', 'path: ./helm/']) },
        [JELLYFIN]: { 'argocd/application.yaml': application('jellyfin', undefined, ['repoURL: https://gitlab.homelab.local/homelab/applications/media/jellyfin.git', 'path: .']) },
      }),
    },
    {
      name: 'sourceRepos and repoURL differ only in .git and case, which ArgoCD normalizes away',
      repos: fleet({
        [JELLYFIN]: {
          'argocd/application.yaml': application('jellyfin', 'applications', ['repoURL: https://GitLab.homelab.local/homelab/applications/media/jellyfin', 'path: helm'], 'media-jellyfin'),
        },
      }),
    },
    {
      name: 'a deny pattern (!) that does not match the source: alone, ArgoCD counts it as allowing it',
      repos: fleet({ ...platformProject(['!https://gitlab.homelab.local/homelab/backup/*']), [TRAEFIK]: { 'argocd/application.yaml': application('traefik', 'platform', TRAEFIK_SOURCE) } }),
    },
    {
      name: 'a destination a deny pattern (!) does not match',
      repos: fleet({
        ...platformProject(['*'], ["{namespace: '*', server: '*'}", "{namespace: '!kube-system', server: '*'}"]),
        [TRAEFIK]: { 'argocd/application.yaml': application('traefik', 'platform', TRAEFIK_SOURCE, 'traefik') },
      }),
    },
    {
      name: 'an empty destination name next to a server is absent, as ArgoCD reads it',
      repos: fleet({
        [TRAEFIK]: { 'argocd/application.yaml': application('traefik', 'core-services', TRAEFIK_SOURCE).replace('  destination:\n', "  destination:\n    name: ''\n") },
      }),
    },
    {
      name: 'the AppProject of the same name nearest to the Application: another cluster\'s tree has its own',
      repos: fleet({
        [APPS]: {
          'clusters/lab/projects/platform.yaml': platformProject(['https://gitlab.homelab.local/homelab/core-services/*'])[BOOTSTRAP]?.['argocd/projects/platform.yaml'] ?? '',
          'clusters/prod/projects/platform.yaml': platformProject(['https://gitlab.homelab.local/homelab/backup/*'])[BOOTSTRAP]?.['argocd/projects/platform.yaml'] ?? '',
          'clusters/lab/apps/traefik.yaml': application('traefik', 'platform', TRAEFIK_SOURCE),
        },
      }),
    },
    {
      // Without argocd.instances the prod project, in the app's own repo, would be taken (and reject the source).
      name: 'with argocd.instances, the AppProject of the Application\'s instance, though another instance\'s is nearer',
      settings: TWO_INSTANCES,
      repos: fleet({
        [BOOTSTRAP]: { 'lab/platform.yaml': platformText(['https://gitlab.homelab.local/homelab/core-services/*']) },
        [APPS]: {
          'clusters/prod/projects/platform.yaml': platformText(['https://gitlab.homelab.local/homelab/backup/*']),
          'clusters/lab/apps/traefik.yaml': application('traefik', 'platform', TRAEFIK_SOURCE),
        },
      }),
    },
    {
      name: 'placeholders are unknown values: a project, a repoURL, a source pattern and a destination still to be substituted',
      repos: fleet({
        ...platformProject(['<GITOPS_REPO_URL>'], ["{namespace: '*', name: '<CLUSTER_NAME>'}"]),
        [TRAEFIK]: {
          'argocd/application.yaml': application('traefik', 'platform', TRAEFIK_SOURCE).replace('server: https://kubernetes.default.svc', 'name: <CLUSTER_NAME>'),
          'argocd/other.yaml': application('other', '<PROJECT>', ['repoURL: ${GITOPS_REPO}', 'path: ${APP_PATH}']),
        },
      }),
    },
  ],
  invalid: [
    {
      // Without argocd.instances the one platform project of the fleet would be taken, and it allows everything.
      name: 'with argocd.instances, an AppProject only another instance defines is a different project',
      settings: TWO_INSTANCES,
      repos: fleet({
        [APPS]: {
          'clusters/prod/projects/platform.yaml': platformText(['*']),
          'clusters/lab/apps/traefik.yaml': application('traefik', 'platform', TRAEFIK_SOURCE),
        },
      }),
      findings: [
        {
          repo: APPS,
          file: 'clusters/lab/apps/traefik.yaml',
          line: 7,
          column: 3,
          messageIncludes: `Application traefik: AppProject platform is not defined in ArgoCD instance lab, which syncs it (${APPS}/clusters/prod/projects/platform.yaml:4 belongs to another instance)`,
          related: [{ repo: APPS, file: 'clusters/prod/projects/platform.yaml', line: 4 }],
        },
      ],
    },
    {
      // An unmatched file is the default instance's, as an unmatched root Application is.
      name: 'with argocd.instances, a project outside every instance\'s paths is the default instance\'s',
      settings: TWO_INSTANCES,
      repos: fleet({ [APPS]: { 'clusters/lab/apps/traefik.yaml': application('traefik', 'core-services', TRAEFIK_SOURCE) } }),
      findings: [{ repo: APPS, file: 'clusters/lab/apps/traefik.yaml', line: 7, messageIncludes: `AppProject core-services is not defined in ArgoCD instance lab, which syncs it (${BOOTSTRAP}/argocd/projects/core-services.yaml:4 belongs to another instance)` }],
    },
    {
      name: 'a destination a deny pattern (!) matches, though another destination allows it',
      repos: fleet({
        ...platformProject(['*'], ["{namespace: '*', server: '*'}", "{namespace: '!kube-system', server: '*'}"]),
        [TRAEFIK]: { 'argocd/application.yaml': application('traefik', 'platform', TRAEFIK_SOURCE, 'kube-system') },
      }),
      findings: [{ repo: TRAEFIK, file: 'argocd/application.yaml', messageIncludes: 'AppProject platform does not allow destination https://kubernetes.default.svc namespace kube-system' }],
    },
    {
      name: 'a deny pattern (!) rejects what it matches, whatever other pattern allows it',
      repos: fleet({
        ...platformProject(['https://gitlab.homelab.local/homelab/*', '!https://gitlab.homelab.local/homelab/backup/*']),
        [VELERO]: { 'argocd/application.yaml': application('velero', 'platform', ['repoURL: https://gitlab.homelab.local/homelab/backup/velero.git', 'path: helm']) },
      }),
      findings: [{ repo: VELERO, file: 'argocd/application.yaml', line: 9, column: 5, messageIncludes: 'AppProject platform does not allow source https://gitlab.homelab.local/homelab/backup/velero.git' }],
    },
    {
      name: 'repoURL naming a GitLab group (the seed\'s core-networking app-of-apps)',
      repos: fleet({
        [APPS]: {
          'core-services/networking.yaml': application('core-networking', undefined, [
            'repoURL: https://gitlab.homelab.local/homelab/core-services/networking',
            'targetRevision: main',
            'path: .',
          ]),
        },
      }),
      findings: [
        {
          repo: APPS,
          file: 'core-services/networking.yaml',
          line: 8,
          column: 5,
          severity: 'error',
          messageIncludes: 'Application core-networking: repoURL https://gitlab.homelab.local/homelab/core-services/networking names no repository of the fleet',
        },
      ],
    },
    {
      name: 'path missing in the target repo',
      repos: fleet({ [TRAEFIK]: { 'argocd/application.yaml': application('traefik', 'core-services', ['repoURL: https://gitlab.homelab.local/homelab/core-services/networking/traefik.git', 'path: charts/traefik']) } }),
      findings: [{ repo: TRAEFIK, file: 'argocd/application.yaml', line: 10, column: 5, messageIncludes: `Application traefik: path charts/traefik does not exist in ${TRAEFIK}` }],
    },
    {
      name: 'AppProject sourceRepos do not allow the repoURL (velero in core-services, MISTAKES W8)',
      repos: fleet({ [VELERO]: { 'argocd/application.yaml': application('velero', 'core-services', ['repoURL: https://gitlab.homelab.local/homelab/backup/velero.git', 'path: helm']) } }),
      findings: [
        {
          repo: VELERO,
          file: 'argocd/application.yaml',
          line: 9,
          column: 5,
          messageIncludes: [
            'AppProject core-services does not allow source https://gitlab.homelab.local/homelab/backup/velero.git',
            `at ${BOOTSTRAP}/argocd/projects/core-services.yaml:4`,
          ],
        },
      ],
    },
    {
      name: 'destination namespace not allowed by the AppProject',
      repos: fleet({
        [JELLYFIN]: { 'argocd/application.yaml': application('jellyfin', 'applications', ['repoURL: https://gitlab.homelab.local/homelab/applications/media/jellyfin.git', 'path: helm'], 'jellyfin') },
      }),
      findings: [
        {
          repo: JELLYFIN,
          file: 'argocd/application.yaml',
          line: 11,
          column: 3,
          messageIncludes: 'AppProject applications does not allow destination https://kubernetes.default.svc namespace jellyfin',
        },
      ],
    },
    {
      name: 'credentials in a repoURL are never quoted (no-secrets reports them, redacted)',
      repos: fleet({
        [VELERO]: { 'argocd/application.yaml': application('velero', 'core-services', ['repoURL: https://deploy:Vel3roDeployPw@gitlab.homelab.local/homelab/backup/velero.git', 'path: helm']) },
        [APPS]: { 'groups.yaml': application('core-networking', undefined, ['repoURL: https://glpat-Hx7kQ2mP9vRt4LwZ8nYc@gitlab.homelab.local/homelab/core-services/networking', 'path: .']) },
      }),
      findings: [
        { repo: VELERO, line: 9, messageIncludes: 'does not allow source https://***@gitlab.homelab.local/homelab/backup/velero.git', messageExcludes: ['Vel3roDeployPw', 'deploy:'] },
        { repo: APPS, line: 8, messageIncludes: 'repoURL https://***@gitlab.homelab.local/homelab/core-services/networking names no repository', messageExcludes: 'glpat-' },
      ],
    },
    {
      name: 'the nearest AppProject of the same name decides, not the last one read',
      repos: fleet({
        [APPS]: {
          'clusters/lab/projects/platform.yaml': platformProject(['https://gitlab.homelab.local/homelab/backup/*'])[BOOTSTRAP]?.['argocd/projects/platform.yaml'] ?? '',
          'clusters/prod/projects/platform.yaml': platformProject(['https://gitlab.homelab.local/homelab/core-services/*'])[BOOTSTRAP]?.['argocd/projects/platform.yaml'] ?? '',
          'clusters/lab/apps/traefik.yaml': application('traefik', 'platform', TRAEFIK_SOURCE),
        },
      }),
      findings: [{ repo: APPS, file: 'clusters/lab/apps/traefik.yaml', line: 9, messageIncludes: `AppProject platform does not allow source https://gitlab.homelab.local/homelab/core-services/networking/traefik.git (sourceRepos: https://gitlab.homelab.local/homelab/backup/*, at ${APPS}/clusters/lab/projects/platform.yaml:4)` }],
    },
    {
      name: 'an Application an ApplicationSet generates is checked at its template\'s lines',
      repos: fleet({
        [APPS]: {
          'appsets/networking.yaml': [
            'apiVersion: argoproj.io/v1alpha1',
            'kind: ApplicationSet',
            'metadata:',
            '  name: networking',
            'spec:',
            '  generators:',
            '    - list:',
            '        elements:',
            '          - {app: traefik}',
            '  template:',
            '    metadata:',
            "      name: '{{app}}'",
            '    spec:',
            '      project: networking',
            '      source:',
            '        repoURL: https://gitlab.homelab.local/homelab/core-services/networking/{{app}}.git',
            '        path: charts/{{app}}',
            '      destination:',
            '        server: https://kubernetes.default.svc',
            '',
          ].join('\n'),
        },
      }),
      findings: [
        { repo: APPS, file: 'appsets/networking.yaml', line: 14, column: 7, messageIncludes: 'Application traefik: AppProject networking is not defined anywhere in the fleet' },
        { repo: APPS, file: 'appsets/networking.yaml', line: 17, column: 9, messageIncludes: `Application traefik: path charts/traefik does not exist in ${TRAEFIK}` },
      ],
    },
    {
      name: 'a project defined nowhere in the fleet',
      repos: fleet({ [TRAEFIK]: { 'argocd/application.yaml': application('traefik', 'networking', TRAEFIK_SOURCE) } }),
      findings: [{ repo: TRAEFIK, file: 'argocd/application.yaml', line: 7, column: 3, messageIncludes: 'Application traefik: AppProject networking is not defined anywhere in the fleet' }],
    },
    {
      name: 'a fleet that redefines the default project restricts it like any other',
      repos: fleet({
        [BOOTSTRAP]: { 'argocd/projects/default.yaml': CORE_PROJECT.replace('name: core-services', 'name: default') },
        [VELERO]: { 'argocd/application.yaml': application('velero', undefined, ['repoURL: https://gitlab.homelab.local/homelab/backup/velero.git', 'path: helm']) },
      }),
      findings: [{ repo: VELERO, file: 'argocd/application.yaml', line: 8, column: 5, messageIncludes: 'AppProject default does not allow source' }],
    },
    {
      name: 'each source of a multi-source Application is checked',
      repos: fleet({
        [JELLYFIN]: {
          'argocd/application.yaml': [
            'apiVersion: argoproj.io/v1alpha1',
            'kind: Application',
            'metadata:',
            '  name: jellyfin',
            'spec:',
            '  sources:',
            '    - repoURL: https://gitlab.homelab.local/homelab/applications/media/jellyfin.git',
            '      path: helm',
            '    - repoURL: https://gitlab.homelab.local/homelab/applications/media/jellyfin.git',
            '      path: overlays/prod',
            '  destination:',
            '    server: https://kubernetes.default.svc',
            '    namespace: media',
            '',
          ].join('\n'),
        },
      }),
      findings: [{ repo: JELLYFIN, file: 'argocd/application.yaml', line: 10, column: 7, messageIncludes: 'path overlays/prod does not exist' }],
    },
  ],
});

import type { CheckMeta, RuleExamples } from './check.js';

/**
 * Findings fleetlint itself raises about its input or its own run, rather than policy violations. They have
 * metadata like any rule so that they can be configured, documented and listed in SARIF.
 */
function diagnostic(id: string, defaultSeverity: CheckMeta['defaultSeverity'], shortDescription: string, help: string, examples?: RuleExamples): CheckMeta {
  return {
    id,
    shortDescription,
    fullDescription: `${shortDescription}. ${help}`,
    defaultSeverity,
    help,
    docsPath: `docs/rules/${id}.md`,
    tags: ['fleetlint-diagnostic'],
    scope: 'repo',
    implementation: 'typescript',
    ...(examples ? { examples } : {}),
  };
}

/** A Deployment of `web` on `image`, with `comment` above its image line (the examples of the input diagnostics). */
function deployment(image: string, comment = ''): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  selector:',
    '    matchLabels: {app: web}',
    '  template:',
    '    metadata:',
    '      labels: {app: web}',
    '    spec:',
    '      containers:',
    '        - name: web',
    ...(comment === '' ? [] : [`          ${comment}`]),
    `          image: ${image}`,
    '',
  ].join('\n');
}

/** An ApplicationSet `previews` with these generators (YAML lines under `generators:`). */
function applicationSet(generators: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: previews
spec:
  generators:
${generators}  template:
    metadata:
      name: 'web-{{branch}}'
    spec:
      project: default
      source: {repoURL: 'https://github.com/acme/web.git', targetRevision: '{{branch}}', path: deploy}
      destination: {server: 'https://kubernetes.default.svc', namespace: web}
`;
}

const web = (files: Record<string, string>): Record<string, Record<string, string>> => ({ 'apps/web': files });

/** An Application `web` of the repo apps/web with this `spec.source` (YAML lines, indented for `source:`). */
function webApplication(source: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  project: default
  source:
${source}  destination:
    server: https://kubernetes.default.svc
    namespace: web
`;
}

const WEB_REPO = '    repoURL: https://gitlab.example.com/acme/apps/web.git\n    targetRevision: main\n';

export const DIAGNOSTICS: readonly CheckMeta[] = [
  diagnostic('config-error', 'error', 'A fleet manifest entry is invalid', 'Fix the entry in fleet.yaml at the line given; the rest of the fleet is still checked.'),
  diagnostic('crawl-error', 'error', 'A repository could not be found, listed or cloned', 'The repository is left out of this run; the message names the cause.'),
  diagnostic('expired-waiver', 'warning', 'A waiver in the config has expired', 'Its findings are reported again. Fix them, or renew the waiver with a new expiry date and a reason.'),
  diagnostic('internal-error', 'error', 'A check failed while running', 'fleetlint went on with the other checks. Please report the message, which names the check, as a bug.'),
  diagnostic(
    'invalid-suppression',
    'warning',
    'A suppression comment is malformed',
    'Write `# fleetlint-disable-next-line <rule-id> -- <reason>` (or `fleetlint-disable-file`): name the rules it silences and, after ` -- `, why the finding is acceptable. Without both it suppresses nothing.',
    {
      wrong: {
        description: 'A suppression without a reason: it silences nothing, and the finding stays.',
        repos: web({ 'deploy/deployment.yaml': deployment('nginx:latest', '# fleetlint-disable-next-line no-latest-tag') }),
        findings: [
          {
            repo: 'apps/web',
            file: 'deploy/deployment.yaml',
            line: 14,
            severity: 'warning',
            message: 'suppression comment needs rule ids and a reason: "fleetlint-disable-next-line <rule-id> -- <reason>"; it suppresses nothing',
          },
        ],
      },
      right: {
        description: 'The rule and the reason.',
        repos: web({ 'deploy/deployment.yaml': deployment('nginx:latest', '# fleetlint-disable-next-line no-latest-tag -- the smoke test always runs the newest nginx') }),
      },
    },
  ),
  diagnostic(
    'parse-error',
    'error',
    'A YAML file could not be parsed',
    'Fix the syntax at the line and column given: most often a key indented unlike its siblings, a tab used for indentation, or a value with `: ` or ` #` in it that needs quotes. Until then the checks that need the file\'s content skip it.',
    {
      wrong: {
        description: 'A key indented deeper than its siblings.',
        repos: web({ 'deploy/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n    namespace: web\nspec:\n  ports: [{port: 80}]\n' }),
        findings: [
          {
            repo: 'apps/web',
            file: 'deploy/service.yaml',
            line: 4,
            severity: 'error',
            message: 'YAML syntax error: Nested mappings are not allowed in compact mappings\n1 more syntax error(s) follow in this document; most follow from this one',
          },
        ],
      },
      right: {
        description: 'Siblings at one indentation.',
        repos: web({ 'deploy/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: web\nspec:\n  ports: [{port: 80}]\n' }),
      },
    },
  ),
  diagnostic(
    'render-error',
    'error',
    "An Application's source fails to render, or renders to nothing",
    "ArgoCD would fail to generate the Application's manifests (the message quotes ArgoCD's error or the tool's, with credentials removed), or would generate none: a plain directory whose YAML files are not Kubernetes objects (Helm values, most often) or whose manifests are in subfolders it does not read. Fix the chart, overlay or folder the message names; for values meant for a chart from a Helm repository, make the Application multi-source: the chart, with `helm.valueFiles: [$values/<path>]` and a source `ref: values` on your repository. Until then the Application's files are checked as written. An empty render is a warning, a failed one an error.",
    {
      wrong: {
        description: 'A Helm source whose folder holds only values: ArgoCD finds no chart and the Application never syncs.',
        repos: web({ 'argocd/application.yaml': webApplication(`${WEB_REPO}    path: helm\n    helm:\n      valueFiles: [values.yaml]\n`), 'helm/values.yaml': 'replicaCount: 2\n' }),
        findings: [
          {
            repo: 'apps/web',
            file: 'argocd/application.yaml',
            line: 8,
            severity: 'error',
            message:
              'Application web: ArgoCD fails to render apps/web/helm with Helm: error reading helm chart from helm/Chart.yaml: no such file or directory. The folder holds only Helm values. To install a chart with these values, make this a multi-source Application: the chart from its Helm repository with `helm.valueFiles: [$values/helm/values.yaml]`, and this repository as a source with `ref: values`',
          },
        ],
      },
      right: {
        description: 'The chart from its Helm repository, with the values from the repository (`$values`).',
        repos: web({
          'argocd/application.yaml': webApplication('').replace(
            '  source:\n',
            '  sources:\n    - repoURL: https://charts.bitnami.com/bitnami\n      chart: nginx\n      targetRevision: 18.2.4\n      helm:\n        valueFiles: [$values/helm/values.yaml]\n    - repoURL: https://gitlab.example.com/acme/apps/web.git\n      targetRevision: main\n      ref: values\n',
          ),
          'helm/values.yaml': 'replicaCount: 2\n',
        }),
      },
    },
  ),
  diagnostic(
    'render-skipped',
    'note',
    'A source was not rendered',
    "fleetlint renders every source it can the way ArgoCD would; the message says why this one was not: a Config Management Plugin (fleetlint runs none), a chart from a Helm repository, a remote chart dependency or kustomize base (rendered only with `--render-remote`), a repository outside the fleet, `helmCharts` without `--enable-helm` known from the fleet's argocd-cm. The Application's files are checked as written; pass `--render-remote` for remote charts, vendor the dependency, or accept the note.",
    {
      wrong: {
        description: 'A plugin source: only the plugin knows what it generates.',
        repos: web({ 'argocd/application.yaml': webApplication(`${WEB_REPO}    path: deploy\n    plugin:\n      name: sops\n`), 'deploy/deployment.yaml': deployment('nginx:1.27.3') }),
        findings: [{ repo: 'apps/web', file: 'argocd/application.yaml', line: 12, severity: 'note', message: 'Application web: source 0 is rendered by the Config Management Plugin sops, which fleetlint does not run' }],
      },
      right: { description: 'Plain manifests, rendered as ArgoCD reads a directory.', repos: web({ 'argocd/application.yaml': webApplication(`${WEB_REPO}    path: deploy\n`), 'deploy/deployment.yaml': deployment('nginx:1.27.3') }) },
    },
  ),
  diagnostic('skipped-file', 'note', 'A file was not read', 'Files over the size limit are not read; their content is not checked.'),
  diagnostic('unreadable-file', 'error', 'A file could not be read or decoded', 'The file is not checked. Make it readable UTF-8 text, or remove it from the repository.'),
  diagnostic(
    'unexpanded-applicationset',
    'note',
    'An ApplicationSet generator could not be evaluated from the fleet',
    'List, git (directories and files, on fleet repositories), cluster (over fleet.yaml `argocd.clusters`), matrix and merge generators are expanded; SCM provider, pull request, cluster decision resource and plugin generators need ArgoCD, and git generators on repositories outside the fleet need their files. The Applications they generate are not checked: check them with a list or git generator over the same values where you can, or accept the note.',
    {
      wrong: {
        description: 'A pull-request generator: only ArgoCD, asking the SCM, knows the Applications it makes.',
        repos: { 'platform/argocd': { 'previews.yaml': applicationSet('    - pullRequest:\n        github: {owner: acme, repo: web}\n') } },
        findings: [
          {
            repo: 'platform/argocd',
            file: 'previews.yaml',
            line: 7,
            severity: 'note',
            message: "ApplicationSet previews: the pullRequest generator asks an SCM provider's API for pull requests; the Applications it would generate are not checked",
          },
        ],
      },
      right: { description: 'A list generator: its Applications are known from the file.', repos: { 'platform/argocd': { 'previews.yaml': applicationSet('    - list:\n        elements: [{branch: main}]\n') } } },
    },
  ),
  diagnostic(
    'unresolved-include',
    'error',
    'A GitLab CI include could not be resolved',
    'Fix the `project:` path (the full path with its group) or the `file:` so that they name a file of a fleet repository, or add that repository to the fleet. Includes of project files are resolved from the fleet; templates, remote URLs and components cannot be read offline and are reported as notes.',
    {
      wrong: {
        description: 'An include of a file the templates repository does not have.',
        repos: {
          'platform/ci-templates': { 'templates/secrets.yml': '.secrets:\n  script:\n    - gitleaks detect --source .\n' },
          'apps/web': { '.gitlab-ci.yml': 'include:\n  - project: acme/platform/ci-templates\n    file: templates/secret-scan.yml\n\nsecrets:\n  extends: .secrets\n' },
        },
        findings: [{ repo: 'apps/web', file: '.gitlab-ci.yml', line: 2, severity: 'error', message: 'Included file templates/secret-scan.yml does not exist in platform/ci-templates.' }],
      },
      right: {
        description: 'The file as the templates repository names it.',
        repos: {
          'platform/ci-templates': { 'templates/secrets.yml': '.secrets:\n  script:\n    - gitleaks detect --source .\n' },
          'apps/web': { '.gitlab-ci.yml': 'include:\n  - project: acme/platform/ci-templates\n    file: templates/secrets.yml\n\nsecrets:\n  extends: .secrets\n' },
        },
      },
    },
  ),
  diagnostic(
    'unused-suppression',
    'warning',
    'A suppression or waiver matches no finding',
    'Remove the comment or the waiver the message names: what it silenced is fixed, and left in place it would hide a future finding by accident.',
    {
      wrong: {
        description: 'The image was pinned, but the suppression stayed.',
        repos: web({ 'deploy/deployment.yaml': deployment('nginx:1.27.3', '# fleetlint-disable-next-line no-latest-tag -- the smoke test runs the newest nginx') }),
        findings: [{ repo: 'apps/web', file: 'deploy/deployment.yaml', line: 14, severity: 'warning', message: 'fleetlint-disable-next-line for no-latest-tag matches no finding; remove it' }],
      },
      right: { description: 'No suppression where nothing is to suppress.', repos: web({ 'deploy/deployment.yaml': deployment('nginx:1.27.3') }) },
    },
  ),
];

import { globMatcher } from '../src/glob-matcher.js';
import { defineRule, type CheckReport } from '../src/engine/check.js';
import { REPO_KINDS, type RepoKind } from '../src/model/types.js';

interface LayoutOption {
  /** Repo-id globs this layout applies to. */
  repos: string[];
  /** When given, only repos with at least one of these kinds. */
  kinds?: RepoKind[];
  /** Required entries; each is a path or glob, `|` separates alternatives, a trailing `/` means "a folder with files". */
  require: string[];
  /** What the layout is called in messages. */
  name: string;
}

/** The examples' layout: a team's service repositories deploy through ArgoCD, build in CI and are documented. */
const SERVICE_LAYOUT = {
  layouts: [{ name: 'service repository', repos: ['services/*'], kinds: ['argocd'], require: ['argocd/application.yaml', '.gitlab-ci.yml', 'README.md'] }],
};

const GRAFANA_APPLICATION = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: grafana
spec:
  project: default
  source:
    repoURL: https://grafana.github.io/helm-charts
    chart: grafana
    targetRevision: 8.5.1
  destination:
    server: https://kubernetes.default.svc
    namespace: grafana
`;

const GRAFANA_CI = `stages: [validate]

lint:
  stage: validate
  script:
    - kubeconform argocd/
`;

export default defineRule({
  meta: {
    id: 'repo-layout',
    shortDescription: 'Repositories must have the files their kind requires',
    fullDescription:
      "Each repository matched by a layout must contain the layout's required files, so that every repository of a kind can be found, built and deployed the same way. A layout names the repositories it applies to by repo-id glob and, optionally, by kind; a repository is checked against the first layout that matches it. There are no layouts by default: a fleet's layout is its own (the homelab preset has the homelab fleet's service and infrastructure repositories).",
    defaultSeverity: 'warning',
    help: "Add the file or folder the message names to the repository (a folder counts once it holds a file), with the content its layout expects. If the repository is rightly different, give it a layout of its own in `rules.repo-layout.options.layouts`, placed before the layout that matched it, since the first matching layout applies.",
    tags: ['conformance'],
    scope: 'repo',
    examples: {
      wrong: {
        description: 'A service repository without the README.md its layout requires.',
        options: SERVICE_LAYOUT,
        repos: { 'services/grafana': { 'argocd/application.yaml': GRAFANA_APPLICATION, '.gitlab-ci.yml': GRAFANA_CI } },
        findings: [{ repo: 'services/grafana', severity: 'warning', message: 'service repository services/grafana has no README.md' }],
      },
      right: {
        description: 'The same repository with its README.md.',
        options: SERVICE_LAYOUT,
        repos: { 'services/grafana': { 'argocd/application.yaml': GRAFANA_APPLICATION, '.gitlab-ci.yml': GRAFANA_CI, 'README.md': '# grafana\n\nDashboards for the cluster; deployed by ArgoCD from the upstream chart.\n' } },
      },
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        layouts: {
          description: 'The layouts, in order: a repository is checked against the first whose `repos` and `kinds` match it. None by default.',
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['repos', 'require', 'name'],
            properties: {
              name: { description: 'What the layout is called in messages ("service repository").', type: 'string' },
              repos: { description: 'Repo-id globs the layout applies to (`core-services/*/*`).', type: 'array', items: { type: 'string' } },
              kinds: {
                description: `When given, the layout applies only to repositories with at least one of these kinds (${REPO_KINDS.join(', ')}).`,
                type: 'array',
                items: { enum: [...REPO_KINDS] },
              },
              require: {
                description: 'The required entries: a path or glob, `|` between alternatives (`README.md|README.rst`), a trailing `/` for a folder that holds a file.',
                type: 'array',
                items: { type: 'string' },
              },
            },
          },
        },
      },
    },
  },
  run({ repo, options }) {
    const layouts = (options.layouts ?? []) as LayoutOption[];
    const layout = layouts.find(
      (candidate) => globMatcher(candidate.repos)(repo.id) && (candidate.kinds === undefined || candidate.kinds.some((kind) => repo.kinds.includes(kind))),
    );
    if (!layout) return [];
    const paths = repo.files.map((file) => file.path);
    const reports: CheckReport[] = [];
    for (const requirement of layout.require) {
      const alternatives = requirement.split('|');
      if (alternatives.some((alternative) => present(alternative, paths))) continue;
      reports.push({
        message: `${layout.name} ${repo.id} has no ${alternatives.join(' or ')}`,
        subject: `missing:${requirement}`,
      });
    }
    return reports;
  },
});

function present(pattern: string, paths: readonly string[]): boolean {
  if (pattern.endsWith('/')) return paths.some((path) => path.startsWith(pattern));
  const matches = globMatcher(pattern, { dot: true });
  return paths.some((path) => matches(path));
}

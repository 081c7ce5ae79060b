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

/**
 * The seed's patterns: a service repo deploys through ArgoCD and has CI, an infrastructure repo provisions
 * with Terraform. Only repos that do deploy through ArgoCD are service repos (the seed's grype is a CLI tool,
 * netbox a VM). A values file is not required by default: the seed's own services deploy Helm values, but also
 * kustomize folders and plain manifests (arr-stack's apps/); teams that want Helm everywhere add it.
 */
const DEFAULT_LAYOUTS: LayoutOption[] = [
  {
    name: 'service repository',
    repos: ['core-services/*/*', 'observability/*/*', 'security/*/*', 'applications/*/*'],
    kinds: ['argocd'],
    require: ['argocd/application.yaml', '.gitlab-ci.yml', 'README.md'],
  },
  {
    name: 'infrastructure repository',
    repos: ['infrastructure/*'],
    require: ['terraform/', '.gitlab-ci.yml', 'README.md'],
  },
];

export default defineRule({
  meta: {
    id: 'repo-layout',
    shortDescription: 'Repositories must have the files their kind requires',
    fullDescription:
      'Each repository matched by a layout must contain its required files: by default a service repository (one that deploys through ArgoCD) has argocd/application.yaml, .gitlab-ci.yml and README.md, and an infrastructure repository has terraform/, .gitlab-ci.yml and README.md, as the fleet\'s structure document prescribes. Layouts are configurable per repo-id glob.',
    defaultSeverity: 'warning',
    help: 'Add the missing file, or give the repository its own layout in `rules.repo-layout.options.layouts`.',
    tags: ['conformance'],
    scope: 'repo',
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        layouts: {
          type: 'array',
          default: DEFAULT_LAYOUTS,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['repos', 'require', 'name'],
            properties: {
              name: { type: 'string' },
              repos: { type: 'array', items: { type: 'string' } },
              kinds: { type: 'array', items: { enum: [...REPO_KINDS] } },
              require: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
  },
  run({ repo, options }) {
    const layouts = (options.layouts ?? DEFAULT_LAYOUTS) as LayoutOption[];
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

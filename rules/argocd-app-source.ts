import picomatch from 'picomatch';
import { defineRule, type CheckReport, type RuleExamples } from '../src/engine/check.js';
import { isInFleetGroup } from '../src/model/argocd/repo-url.js';
import { appProjectLookup, type ProjectLookup } from '../src/model/argocd/projects.js';
import { DEFAULT_INSTANCE, fleetInstances } from '../src/model/dependencies/instances.js';
import type { ArgoAppProject, ArgoApplication } from '../src/model/argocd/types.js';
import { isUnresolvedPlaceholder } from '../src/model/placeholder.js';
import type { Fleet, Repo } from '../src/model/types.js';

export default defineRule({
  meta: {
    id: 'argocd-app-source',
    shortDescription: 'Application sources must exist in the fleet and be allowed by their AppProject',
    fullDescription:
      'A `repoURL` in the fleet\'s group on its GitLab host must name a fleet repository and its `path` must exist there. `spec.project` must name an AppProject of the fleet (or `default`; a fleet that defines no AppProject creates them outside Git, and its project names are not looked up) whose `sourceRepos` allow the repoURL and whose `destinations` allow the destination, deny patterns (`!`) included, as ArgoCD applies them. The AppProject is the one of that name in the Application\'s ArgoCD instance (fleet.yaml `argocd.instances`; an AppProject of the same name in another instance\'s tree is a different project) nearest to the Application (its repo, then the longest shared folder); values that are substitution placeholders (`${VAR}`, `<NAME>`, `{{ }}`) are not judged.',
    defaultSeverity: 'error',
    help: "Point `repoURL` at the project's own URL (`https://<gitlab>/<group>/<path>.git`, not a group), and `path` at a folder that exists in that repository at `targetRevision`, or create it. Set `spec.project` to an AppProject the fleet defines (or `default`); if the project rightly should allow the source or destination, add it to the AppProject's `sourceRepos` or `destinations`, and remove a deny pattern (`!`) that excludes it. ArgoCD reports these only at sync time; fleetlint finds them before merge.",
    tags: ['argocd', 'correctness'],
    scope: 'fleet',
    examples: examples(),
  },
  run({ fleet }) {
    const projects = fleet.repos.flatMap((repo) => repo.argocd.projects);
    const instances = fleet.settings.argocdInstances ? fleetInstances(fleet.repos, fleet.settings.argocdInstances) : undefined;
    const projectOf = appProjectLookup(projects, instances && { application: (app) => instances.application(app.origin.repo, app), project: instances.project });
    const repoById = new Map(fleet.repos.map((repo) => [repo.id, repo]));
    const reports: CheckReport[] = [];
    for (const repo of fleet.repos) {
      for (const app of repo.argocd.applications) {
        reports.push(...sourceReports(fleet, repoById, app), ...projectReports(projectOf(app), app, projects.length > 0));
      }
    }
    return reports;
  },
});

function sourceReports(fleet: Fleet, repoById: ReadonlyMap<string, Repo>, app: ArgoApplication): CheckReport[] {
  const reports: CheckReport[] = [];
  for (const source of app.sources) {
    if (source.repoURL === undefined || source.chart !== undefined || isUnresolvedPlaceholder(source.repoURL)) continue;
    const at = { repo: source.origin.repo, file: source.origin.file, ...(source.origin.docIndex !== undefined ? { docIndex: source.origin.docIndex } : {}) };
    if (source.fleetRepo === undefined) {
      if (!isInFleetGroup(fleet.settings, source.repoURL)) continue;
      reports.push({
        ...at,
        path: [...(source.origin.path ?? []), 'repoURL'],
        message: `Application ${app.name}: repoURL ${source.repoURL} names no repository of the fleet (a group, or a project that does not exist)`,
        subject: `${app.name}:repoURL:${source.repoURL}`,
      });
      continue;
    }
    const target = repoById.get(source.fleetRepo);
    const sourcePath = normalizePath(source.path ?? '.');
    if (target && sourcePath !== '' && !isUnresolvedPlaceholder(sourcePath) && !target.files.some((file) => file.path === sourcePath || file.path.startsWith(`${sourcePath}/`))) {
      reports.push({
        ...at,
        path: [...(source.origin.path ?? []), 'path'],
        message: `Application ${app.name}: path ${source.path ?? '.'} does not exist in ${source.fleetRepo}`,
        subject: `${app.name}:path:${source.fleetRepo}:${sourcePath}`,
      });
    }
  }
  return reports;
}

/**
 * `projectsInGit`: the fleet defines AppProjects at all. A fleet that defines none creates them outside Git (the
 * UI, `argocd proj create`, Terraform): a project it names cannot be looked up, which is no mistake.
 */
function projectReports(lookup: ProjectLookup, app: ArgoApplication, projectsInGit: boolean): CheckReport[] {
  const name = app.project ?? 'default';
  const at = { repo: app.origin.repo, file: app.origin.file, ...(app.origin.docIndex !== undefined ? { docIndex: app.origin.docIndex } : {}) };
  if (isUnresolvedPlaceholder(name) || lookup.kind === 'ambiguous') return [];
  if (lookup.kind === 'missing') {
    // ArgoCD's built-in `default` project allows everything unless the fleet redefines it.
    if (name === 'default' || !projectsInGit) return [];
    return [{ ...at, path: [...(app.documentPath ?? []), 'spec', 'project'], message: `Application ${app.name}: AppProject ${name} is not defined anywhere in the fleet`, subject: `${app.name}:project:${name}` }];
  }
  if (lookup.kind === 'other-instance') {
    // ArgoCD looks the project up in its own namespace only: another instance's AppProject of that name is not it.
    const [other] = lookup.projects;
    const instance = lookup.instance === DEFAULT_INSTANCE ? 'the default ArgoCD instance' : `ArgoCD instance ${lookup.instance}`;
    return [
      {
        ...at,
        path: [...(app.documentPath ?? []), 'spec', 'project'],
        message: `Application ${app.name}: AppProject ${name} is not defined in ${instance}, which syncs it (${other ? `${other.origin.repo}/${other.origin.file}:${other.origin.line} belongs to another instance` : 'only other instances define it'})`,
        subject: `${app.name}:project:${name}`,
        related: lookup.projects.map((project) => ({ repo: project.origin.repo, file: project.origin.file, range: project.origin.range })),
      },
    ];
  }
  const { project } = lookup;
  const reports: CheckReport[] = [];
  for (const source of app.sources) {
    if (source.repoURL === undefined || isUnresolvedPlaceholder(source.repoURL)) continue;
    const repoURL = normalizeGitUrl(source.repoURL);
    if (!sourcePermitted(project.sourceRepos, repoURL)) {
      reports.push({
        ...at,
        path: [...(source.origin.path ?? []), 'repoURL'],
        message: `Application ${app.name}: AppProject ${name} does not allow source ${source.repoURL} (sourceRepos: ${project.sourceRepos.join(', ') || 'none'}, at ${project.origin.repo}/${project.origin.file}:${project.origin.line})`,
        subject: `${app.name}:sourceRepos:${source.repoURL}`,
        related: [{ repo: project.origin.repo, file: project.origin.file, range: project.origin.range }],
      });
    }
  }
  const destination = app.destination;
  if (!destinationPermitted(project.destinations, destination)) {
    const where = `${destination.server ?? destination.name ?? '?'} namespace ${destination.namespace ?? '(none)'}`;
    reports.push({
      ...at,
      path: [...(app.documentPath ?? []), 'spec', 'destination'],
      message: `Application ${app.name}: AppProject ${name} does not allow destination ${where}`,
      subject: `${app.name}:destination:${where}`,
      related: [{ repo: project.origin.repo, file: project.origin.file, range: project.origin.range }],
    });
  }
  return reports;
}

/**
 * ArgoCD's `IsSourcePermitted`: a pattern prefixed with `!` denies what it matches, and the source is permitted
 * when no deny pattern matches it and some pattern counts as a match. As ArgoCD counts it, a deny pattern that does
 * not match the source is a match too: `['!https://gitlab.example.com/secret/*']` alone allows every other source.
 */
function sourcePermitted(patterns: readonly string[], repoURL: string): boolean {
  let anyMatched = false;
  for (const pattern of patterns) {
    // A placeholder (`<GITOPS_REPO_URL>`) may become any pattern: it could allow the source.
    if (isUnresolvedPlaceholder(pattern)) {
      anyMatched ||= !pattern.startsWith('!');
      continue;
    }
    const deny = pattern.startsWith('!');
    const matched = globMatch(normalizeGitUrl(deny ? pattern.slice(1) : pattern), repoURL);
    if (deny && matched) return false;
    if (deny || matched) anyMatched = true;
  }
  return anyMatched;
}

/**
 * ArgoCD's `isDestinationMatched`: some allowed destination matches server (or name) and namespace, and none
 * denies it (a `!` pattern in any of its fields that matches). A field either side leaves unset is not compared:
 * which cluster a name stands for is not in git.
 */
function destinationPermitted(destinations: ArgoAppProject['destinations'], destination: ArgoApplication['destination']): boolean {
  let anyMatched = false;
  let denied = false;
  for (const allowed of destinations) {
    const fields = [
      fieldMatch(allowed.server, destination.server),
      fieldMatch(allowed.name, destination.name),
      fieldMatch(allowed.namespace ?? '*', destination.namespace ?? ''),
    ];
    if (fields.every((field) => field.matched)) anyMatched = true;
    else if (fields.some((field) => field.denied)) denied = true;
  }
  return anyMatched && !denied;
}

function fieldMatch(pattern: string | undefined, value: string | undefined): { matched: boolean; denied: boolean } {
  if (pattern === undefined || value === undefined) return { matched: true, denied: false };
  // Either side a placeholder: what it becomes is unknown, so it is taken as a match.
  if (isUnresolvedPlaceholder(pattern) || isUnresolvedPlaceholder(value)) return { matched: !pattern.startsWith('!'), denied: false };
  if (!pattern.startsWith('!')) return { matched: globMatch(pattern, value), denied: false };
  const hit = globMatch(pattern.slice(1), value);
  return { matched: !hit, denied: hit };
}

/** ArgoCD matches sourceRepos and destinations with glob patterns where `*` may cross `/`. */
function globMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  return picomatch.isMatch(value, pattern, { bash: true, dot: true, nocase: true });
}

/** ArgoCD compares sourceRepos and repoURLs after `git.NormalizeGitURL`: a `.git` suffix and case do not matter. */
function normalizeGitUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\.git$/i, '');
}

function normalizePath(path: string): string {
  return path.replace(/^\.\/?/, '').replace(/\/+$/, '');
}

function examples(): RuleExamples {
  const application = (path: string): string => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://gitlab.example.com/acme/apps/web.git
    targetRevision: main
    path: ${path}
  destination:
    server: https://kubernetes.default.svc
    namespace: web
`;
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.example.com/apps/web:2.4.1
`;
  return {
    wrong: {
      description: 'The Application deploys `deploy/production`, a folder its repository does not have: ArgoCD would fail only at sync.',
      repos: { 'apps/web': { 'argocd/application.yaml': application('deploy/production'), 'deploy/prod/deployment.yaml': deployment } },
      findings: [{ repo: 'apps/web', file: 'argocd/application.yaml', line: 11, severity: 'error', message: 'Application web: path deploy/production does not exist in apps/web' }],
    },
    right: {
      description: 'The path the repository has.',
      repos: { 'apps/web': { 'argocd/application.yaml': application('deploy/prod'), 'deploy/prod/deployment.yaml': deployment } },
    },
  };
}

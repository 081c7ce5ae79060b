/**
 * Which file of the fleet provides which scan category to the repos that include it: the fact the required-scans
 * policy proposes a missing scan's include from. A provider is a file of a fleet repo that another repo includes
 * (`include: project:` / `file:`, or a `component:` of the fleet's GitLab) and whose jobs run a scanner: its visible
 * jobs, which the include alone adds, and its hidden jobs, which run only in a job that `extends:` them.
 *
 * Each provider file is resolved once as a pipeline of its own repo that includes it and extends every hidden job of
 * it (a probe job per hidden job): the same resolver, so nested includes, `extends` chains, `rules` and `default:`
 * count exactly as in a consumer's pipeline. A probe is what a consumer gets from a job that extends the hidden job.
 * A file whose text names no scanner is not resolved (a scanner its jobs take from another file through `extends`
 * or `!reference` is not seen).
 */
import { isMap, isScalar, parseDocument } from 'yaml';
import semver from 'semver';
import type { FleetSettings, Repo } from '../types.js';
import type { ParsedYamlFile } from '../yaml/parse.js';
import { parseYamlFile } from '../yaml/parse.js';
import { makeRepoResolver } from '../argocd/repo-url.js';
import { componentFiles } from './component.js';
import { scannerTable, type ScannerDefinition } from './scanners.js';
import { CI_FILE, resolvePipeline } from './resolve.js';
import type { CiInclude } from './types.js';
import type { ScanTemplateInput, ScanTemplateJobInput } from '../policy-input/types.js';

/**
 * A fleet file other repos include that runs a scanner, and how a new include of it is written; its jobs that run a
 * scanner. The policy input's types, since the fact goes to the policies as it is.
 */
export type ScanTemplate = ScanTemplateInput;
export type ScanTemplateJob = ScanTemplateJobInput;

/** The tags of fleet repos, by repo id; a repo that is not there has no tags known (or none). */
export type RepoTags = ReadonlyMap<string, readonly string[]>;

/** Probe jobs are named after the hidden job they extend; a template's own visible jobs have other names. */
const PROBE_PREFIX = 'fleetlint-probe ';

interface Use {
  repo: string;
  file: string;
  includeType: ScanTemplate['includeType'];
  refs: (string | undefined)[];
  components: string[];
}

/** The template repos whose files other repos include: the repos whose tags `scanTemplates` reads. */
export function includedTemplateRepos(repos: readonly Repo[]): string[] {
  return [...new Set([...templateUses(repos).values()].map((use) => use.repo))].sort();
}

/** Every fleet file other repos include that runs a scanner, sorted by repo and file. */
export function scanTemplates(repos: readonly Repo[], settings: FleetSettings, tags: RepoTags): ScanTemplate[] {
  const byId = new Map(repos.map((repo) => [repo.id, repo]));
  const scanners = scannerTable(settings.scanners);
  const templates: ScanTemplate[] = [];
  for (const use of templateUses(repos).values()) {
    const repo = byId.get(use.repo);
    const text = repo?.files.find((file) => file.path === use.file)?.text;
    // Resolving is the cost: a file that names no scanner (a build or deploy template) is not resolved.
    if (!repo || text === undefined || !scanners.some((scanner) => scanner.pattern.test(text))) continue;
    const jobs = probeJobs(repo, use.file, byId, settings, scanners);
    if (jobs.length === 0) continue;
    const pin = pinOf(tags.get(use.repo) ?? [], use);
    const project = settings.group ? `${settings.group.replace(/^\/+|\/+$/g, '')}/${use.repo}` : use.repo;
    templates.push({
      repo: use.repo,
      project,
      file: use.file,
      includeType: use.includeType,
      ...(use.includeType === 'component' ? { component: mostCommon(use.components) ?? `$CI_SERVER_FQDN/${project}/${componentName(use.file)}` } : {}),
      ...pin,
      jobs,
    });
  }
  return templates.sort((a, b) => (a.repo === b.repo ? compare(a.file, b.file) : compare(a.repo, b.repo)));
}

/** Files of fleet repos that other repos include directly, by repo and file. */
function templateUses(repos: readonly Repo[]): Map<string, Use> {
  const uses = new Map<string, Use>();
  const byId = new Map(repos.map((repo) => [repo.id, repo]));
  for (const repo of repos) {
    for (const include of repo.ci?.includes ?? []) {
      const file = includedFile(include, byId);
      if (file === undefined || include.resolvedRepo === undefined) continue;
      const key = `${include.resolvedRepo}\u0000${file}\u0000${include.type}`;
      let use = uses.get(key);
      if (!use) uses.set(key, (use = { repo: include.resolvedRepo, file, includeType: include.type === 'component' ? 'component' : 'project', refs: [], components: [] }));
      use.refs.push(include.type === 'component' ? include.target.slice(include.target.lastIndexOf('@') + 1) : include.ref);
      if (include.type === 'component') use.components.push(include.target.slice(0, include.target.lastIndexOf('@')));
    }
  }
  return uses;
}

/** The fleet file a direct include of another repo reads, when it is one. */
function includedFile(include: CiInclude, byId: ReadonlyMap<string, Repo>): string | undefined {
  if (!include.resolved || include.viaRepo !== undefined || include.resolvedRepo === undefined || include.resolvedRepo === include.origin.repo) return undefined;
  if (include.type === 'project') return include.target;
  if (include.type !== 'component') return undefined;
  const at = include.target.lastIndexOf('@');
  const name = include.target.slice(include.target.lastIndexOf('/', at) + 1, at);
  const files = byId.get(include.resolvedRepo)?.files ?? [];
  return componentFiles(name).find((candidate) => files.some((file) => file.path === candidate));
}

function componentName(file: string): string {
  return file.replace(/^templates\//, '').replace(/(\/template)?\.yml$/, '');
}

/**
 * The scanning jobs of a file, resolved as a pipeline of its repo that includes the file and extends each hidden job
 * of it. Nothing is reported from it: the file's own problems are reported where it is linted or included.
 */
function probeJobs(repo: Repo, file: string, byId: ReadonlyMap<string, Repo>, settings: FleetSettings, scanners: readonly ScannerDefinition[]): ScanTemplateJob[] {
  const parsed = new Map<string, ParsedYamlFile | undefined>();
  const parsedFile = (repoId: string, path: string): ParsedYamlFile | undefined => {
    const key = `${repoId}\u0000${path}`;
    if (!parsed.has(key)) {
      // The repo's own parse when it has one (a YAML file of the repo): the same parser, so the same documents.
      const known = byId.get(repoId)?.yaml.get(path);
      const text = known ? undefined : byId.get(repoId)?.files.find((candidate) => candidate.path === path)?.text;
      parsed.set(key, known ?? (text === undefined ? undefined : parseYamlFile(repoId, path, text).parsed));
    }
    return parsed.get(key);
  };
  const hidden = hiddenJobNames(repo.files.find((candidate) => candidate.path === file)?.text);
  const probe: Record<string, unknown> = { include: [{ local: file }] };
  for (const name of hidden) probe[`${PROBE_PREFIX}${name}`] = { extends: name };
  const probeFile = parseYamlFile(repo.id, CI_FILE, JSON.stringify(probe)).parsed;
  const resolveRepo = makeRepoResolver(settings, new Set(byId.keys()));
  const { pipeline } = resolvePipeline({
    repoId: repo.id,
    lookup: (repoId, path) => {
      if (repoId === repo.id && path === CI_FILE) return probeFile;
      if (!byId.has(repoId)) return 'unavailable';
      return parsedFile(repoId, path) ?? 'missing';
    },
    resolveProject: resolveRepo,
    ...(settings.group !== undefined ? { fleetGroup: settings.group } : {}),
    projectPath: settings.group ? `${settings.group.replace(/^\/+|\/+$/g, '')}/${repo.id}` : repo.id,
    ...(settings.gitlabHost !== undefined ? { serverHost: settings.gitlabHost } : {}),
    listFiles: (repoId) => byId.get(repoId)?.files.map((candidate) => candidate.path),
    scanners,
  });
  const jobs: ScanTemplateJob[] = [];
  for (const job of pipeline?.jobs ?? []) {
    if (job.scans.length === 0 || job.parallel !== undefined) continue;
    const isProbe = job.name.startsWith(PROBE_PREFIX);
    // A visible job of another file the template includes is that file's, not this one's.
    if (!isProbe && (job.origin.repo !== repo.id || job.origin.file !== file)) continue;
    const categories = [...new Set(job.scans.map((scan) => scan.category))].sort();
    jobs.push({
      name: isProbe ? job.name.slice(PROBE_PREFIX.length) : job.name,
      hidden: isProbe,
      stage: job.stage,
      scans: categories.map((category) => {
        const toldToPass = job.scans.filter((scan) => scan.category === category).every((scan) => scan.nonFailing);
        return { category, blocks: job.allowFailure === false && !toldToPass, toldToPass };
      }),
      gatesMergeRequests: job.gatesMergeRequests.value === true,
    });
  }
  return jobs.sort((a, b) => compare(a.name, b.name));
}

/** The top-level keys of a file that are hidden jobs (`.name:` holding a map). */
function hiddenJobNames(text: string | undefined): string[] {
  if (text === undefined) return [];
  const doc = parseDocument(text, { uniqueKeys: false, logLevel: 'silent' });
  if (!isMap(doc.contents)) return [];
  return doc.contents.items.flatMap((pair) => (isScalar(pair.key) && typeof pair.key.value === 'string' && pair.key.value.startsWith('.') && isMap(pair.value) ? [pair.key.value] : []));
}

/**
 * The ref to pin: the newest tag by semantic version (releases before pre-releases; tags that are no version are
 * not ordered, so not chosen); without one, the ref every consumer pins when they agree on one; else none, which
 * is the default branch. A component needs a version: without a tag or an agreed one it gets none, and no fix.
 */
function pinOf(tags: readonly string[], use: Use): Pick<ScanTemplate, 'ref' | 'refSource'> {
  const tag = newestTag(tags);
  if (tag !== undefined) return { ref: tag, refSource: 'newest-tag' };
  const refs = new Set(use.refs);
  const [only] = refs;
  if (refs.size === 1 && only !== undefined) return { ref: only, refSource: 'consumers' };
  return { refSource: 'default-branch' };
}

/** The newest of the tags that are semantic versions (`v1.10.0` after `v1.2.0`), releases first; undefined without one. */
export function newestTag(tags: readonly string[]): string | undefined {
  const versions = tags.filter((tag) => semver.valid(tag) !== null);
  const releases = versions.filter((tag) => semver.prerelease(tag) === null);
  const pool = releases.length > 0 ? releases : versions;
  // Equal versions (`v1.0.0`, `1.0.0`): the name decides, so the choice does not depend on the order tags were read.
  return [...pool].sort((a, b) => semver.rcompare(a, b) || compare(a, b))[0];
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort(([a, countA], [b, countB]) => countB - countA || compare(a, b))[0]?.[0];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

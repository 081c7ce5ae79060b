import type { FindingDraft } from './findings.js';
import type { FileSource } from '../sources/file-source.js';
import type { Fleet, FleetSettings, Repo, RepoFile } from './types.js';
import type { ParsedYamlFile } from './yaml/parse.js';
import type { ProviderRule } from './dependencies/types.js';
import { readRepoFiles } from './read-files.js';
import { loadK8sObjects } from './k8s/load.js';
import { loadArgoFacts } from './argocd/load.js';
import { makeRepoResolver } from './argocd/repo-url.js';
import { assignAppOfAppsAncestors } from './argocd/app-of-apps.js';
import { loadHelmFacts } from './helm/load.js';
import { loadDockerfiles } from './docker/load.js';
import { resolvePipeline } from './gitlab-ci/index.js';
import { extractImages } from './images/extract.js';
import { extractPublishedImages } from './images/published.js';
import { detectKinds } from './layout/kinds.js';
import { defaultProviders } from './dependencies/providers.js';
import { inferDependencyFacts } from './dependencies/infer.js';
import { mapLimit } from '../concurrency.js';

/** A repository to load: its id in the fleet and where its bytes come from. */
export interface RepoSpec {
  id: string;
  source: FileSource;
}

export interface LoadFleetOptions {
  root: string;
  settings: FleetSettings;
  repos: readonly RepoSpec[];
  /** Problems found while discovering the fleet, kept with the fleet. */
  diagnostics?: readonly FindingDraft[];
  /** Provider rules from the config; they take precedence over the defaults. */
  providers?: readonly ProviderRule[];
  /** Repos read at once; each reads its own files with bounded concurrency too. */
  repoConcurrency?: number;
}

/** What the first phase gives: every repo's files read and YAML parsed once. */
interface ReadRepo {
  id: string;
  source: FileSource;
  files: RepoFile[];
  yaml: Map<string, ParsedYamlFile>;
  diagnostics: FindingDraft[];
}

/**
 * Loads a fleet in three phases: read and parse every repo (I/O bound, concurrent); build each repo's facts,
 * resolving CI includes from the other repos' already parsed files; then infer the fleet-wide facts (app-of-apps
 * ancestry, dependencies between Applications).
 */
export async function loadFleet(options: LoadFleetOptions): Promise<Fleet> {
  const { settings } = options;
  const read = await mapLimit(options.repos, options.repoConcurrency ?? 8, async (spec): Promise<ReadRepo> => {
    const { files, yaml, diagnostics } = await readRepoFiles(spec.id, spec.source);
    return { id: spec.id, source: spec.source, files, yaml, diagnostics };
  });
  read.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const readById = new Map(read.map((repo) => [repo.id, repo]));
  const resolveRepo = makeRepoResolver(settings, new Set(readById.keys()));
  const yamlOf = (repo: string, file: string): ParsedYamlFile | undefined => readById.get(repo)?.yaml.get(file);
  const filesOf = new Map(read.map((repo) => [repo.id, repo.files.map((file) => file.path)]));

  const repos = read.map((repo) => buildRepo(repo, settings, resolveRepo, yamlOf, readById, filesOf));
  assignAppOfAppsAncestors(repos);
  const providers = [...(options.providers ?? []), ...defaultProviders()];
  const { dependencies, unprovided } = inferDependencyFacts(repos, providers, settings);
  return {
    root: options.root,
    settings,
    repos,
    dependencies,
    unprovided,
    diagnostics: [...(options.diagnostics ?? [])],
  };
}

function buildRepo(
  repo: ReadRepo,
  settings: FleetSettings,
  resolveRepo: ReturnType<typeof makeRepoResolver>,
  yamlOf: (repo: string, file: string) => ParsedYamlFile | undefined,
  readById: ReadonlyMap<string, ReadRepo>,
  filesOf: ReadonlyMap<string, string[]>,
): Repo {
  const diagnostics = [...repo.diagnostics];
  const k8s = loadK8sObjects(repo.id, repo.yaml);
  const argo = loadArgoFacts(repo.id, k8s, resolveRepo);
  diagnostics.push(...argo.diagnostics);
  const helm = loadHelmFacts(repo.id, repo.files, repo.yaml, argo.facts.applications);
  const docker = loadDockerfiles(repo.id, repo.files);
  diagnostics.push(...docker.diagnostics);

  const ci = resolvePipeline({
    repoId: repo.id,
    // `include: ref:` is read from the revision being linted: a working tree has only one.
    lookup: (repoId, file) => {
      const target = readById.get(repoId);
      if (!target) return 'unavailable';
      return target.yaml.get(file) ?? 'missing';
    },
    resolveProject: resolveRepo,
    ...(settings.group !== undefined ? { fleetGroup: settings.group } : {}),
    listFiles: (repoId) => filesOf.get(repoId),
  });
  diagnostics.push(...ci.diagnostics);

  const images = extractImages(repo.id, { ci: ci.pipeline, dockerfiles: docker.dockerfiles, helm, k8s, settings, yamlOf });
  diagnostics.push(...images.diagnostics);
  const publishedImages = extractPublishedImages(ci.pipeline, { repo: repo.id, settings, yamlOf });

  return {
    id: repo.id,
    source: repo.source,
    files: repo.files,
    kinds: detectKinds(repo.files, repo.yaml, publishedImages.length > 0),
    yaml: repo.yaml,
    ...(ci.pipeline ? { ci: ci.pipeline } : {}),
    argocd: argo.facts,
    helm,
    k8s,
    dockerfiles: docker.dockerfiles,
    images: images.images,
    publishedImages,
    diagnostics,
  };
}

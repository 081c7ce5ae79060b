import type { FindingDraft } from './findings.js';
import type { FileSource } from '../sources/file-source.js';
import type { Fleet, FleetSettings, Repo } from './types.js';
import type { ParsedYamlFile } from './yaml/parse.js';
import type { ProviderRule } from './dependencies/types.js';
import { parseRepoYaml, readRepoTexts, type RepoTexts } from './read-files.js';
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
import { locateRepoSignals } from './dependencies/located-signals.js';
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

/** A repo whose files the first phase read; its YAML is parsed when its facts are built, or first looked up. */
interface ReadRepo {
  id: string;
  source: FileSource;
  texts: RepoTexts;
  parsed?: ParsedRepo;
}

interface ParsedRepo {
  yaml: Map<string, ParsedYamlFile>;
  /** The repo's file problems: unreadable files and YAML errors, file by file. */
  diagnostics: FindingDraft[];
}

/**
 * Loads a fleet in three phases: read every repo (I/O bound, concurrent); parse each repo and build its facts,
 * resolving CI includes from the other repos' files; then infer the fleet-wide facts (app-of-apps ancestry,
 * dependencies between Applications). A repo's yaml Documents are released once its facts are built, so the
 * heap never holds a whole fleet's Documents: they are parsed again only where a finding needs a position.
 */
export async function loadFleet(options: LoadFleetOptions): Promise<Fleet> {
  const { settings } = options;
  const read = await mapLimit(options.repos, options.repoConcurrency ?? 8, async (spec): Promise<ReadRepo> => {
    return { id: spec.id, source: spec.source, texts: await readRepoTexts(spec.id, spec.source) };
  });
  read.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const readById = new Map(read.map((repo) => [repo.id, repo]));
  const resolveRepo = makeRepoResolver(settings, new Set(readById.keys()));
  const parsedOf = (repo: ReadRepo): ParsedRepo => (repo.parsed ??= parseRepoYaml(repo.id, repo.texts));
  const yamlOf = (repoId: string): Map<string, ParsedYamlFile> | undefined => {
    const repo = readById.get(repoId);
    return repo ? parsedOf(repo).yaml : undefined;
  };
  const filesOf = new Map(read.map((repo) => [repo.id, repo.texts.files.map((file) => file.path)]));

  const repos = read.map((repo) => {
    const built = buildRepo(repo, parsedOf(repo), settings, resolveRepo, yamlOf, filesOf);
    locateRepoSignals(built);
    for (const parsed of built.yaml.values()) parsed.release?.();
    return built;
  });
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
  { yaml, diagnostics: fileDiagnostics }: ParsedRepo,
  settings: FleetSettings,
  resolveRepo: ReturnType<typeof makeRepoResolver>,
  yamlOfRepo: (repoId: string) => Map<string, ParsedYamlFile> | undefined,
  filesOf: ReadonlyMap<string, string[]>,
): Repo {
  const diagnostics = [...fileDiagnostics];
  const yamlOf = (repoId: string, file: string): ParsedYamlFile | undefined => yamlOfRepo(repoId)?.get(file);
  const files = repo.texts.files;
  const k8s = loadK8sObjects(repo.id, yaml);
  const argo = loadArgoFacts(repo.id, k8s, resolveRepo);
  diagnostics.push(...argo.diagnostics);
  const helm = loadHelmFacts(repo.id, files, yaml, argo.facts.applications);
  const docker = loadDockerfiles(repo.id, files);
  diagnostics.push(...docker.diagnostics);

  const ci = resolvePipeline({
    repoId: repo.id,
    // `include: ref:` is read from the revision being linted: a working tree has only one.
    lookup: (repoId, file) => {
      const target = yamlOfRepo(repoId);
      if (!target) return 'unavailable';
      return target.get(file) ?? 'missing';
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
    files,
    kinds: detectKinds(files, yaml, publishedImages.length > 0),
    yaml,
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

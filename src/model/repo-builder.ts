import { scannerTable, type ScannerDefinition } from './gitlab-ci/scanners.js';
import type { FindingDraft } from './findings.js';
import type { FleetSettings, Repo } from './types.js';
import type { ParsedYamlFile } from './yaml/parse.js';
import { parseRepoYaml, type RepoTexts } from './read-files.js';
import { loadK8sObjects } from './k8s/load.js';
import { loadArgoFacts } from './argocd/load.js';
import { makeRepoResolver } from './argocd/repo-url.js';
import { loadHelmFacts } from './helm/load.js';
import { loadDockerfiles } from './docker/load.js';
import { resolvePipeline } from './gitlab-ci/index.js';
import { extractImages } from './images/extract.js';
import { extractPublishedImages } from './images/published.js';
import { detectKinds } from './layout/kinds.js';
import { locateRepoSignals } from './dependencies/located-signals.js';

/** A repo's facts, without where its bytes came from. */
export type RepoFacts = Omit<Repo, 'source'>;

/** A repo whose files were read; its YAML is parsed when its facts are built, or when another repo looks it up. */
interface TextRepo {
  id: string;
  texts: RepoTexts;
  parsed?: ParsedRepo;
}

interface ParsedRepo {
  yaml: Map<string, ParsedYamlFile>;
  /** The repo's file problems: unreadable files and YAML errors, file by file. */
  diagnostics: FindingDraft[];
}

/**
 * Builds each repo's facts from the texts of the whole fleet: CI includes are resolved from the other repos'
 * files. A repo's YAML trees are released once its facts are built, so a fleet's worth of trees is never
 * alive at once; they are parsed again only where a position is asked for later.
 */
export class RepoBuilder {
  readonly #repos: ReadonlyMap<string, TextRepo>;
  readonly #resolveRepo: ReturnType<typeof makeRepoResolver>;
  readonly #filesOf: ReadonlyMap<string, string[]>;
  readonly #scanners: readonly ScannerDefinition[];
  readonly #unavailable: ReadonlySet<string>;
  /** Milliseconds spent parsing YAML so far: the rest of a build is its facts. */
  parseMs = 0;

  constructor(
    private readonly settings: FleetSettings,
    repos: readonly { id: string; texts: RepoTexts }[],
    /** Fleet repos whose files could not be read (a failed clone): they resolve, and their files are 'unavailable'. */
    unavailable: readonly string[] = [],
  ) {
    this.#repos = new Map(repos.map(({ id, texts }) => [id, { id, texts }]));
    this.#unavailable = new Set(unavailable);
    this.#resolveRepo = makeRepoResolver(settings, new Set([...this.#repos.keys(), ...unavailable]));
    this.#filesOf = new Map(repos.map(({ id, texts }) => [id, texts.files.map((file) => file.path)]));
    this.#scanners = scannerTable(settings.scanners);
  }

  build(id: string): RepoFacts {
    const facts = this.buildKeepingTrees(id);
    release(facts);
    return facts;
  }

  /** The facts, with the YAML trees still parsed: for work that reads them right away. Then `release`. */
  buildKeepingTrees(id: string): RepoFacts {
    const repo = this.#repos.get(id);
    if (!repo) throw new Error(`repo ${id} was not read`);
    const facts = this.#buildFacts(repo, this.#parsed(repo));
    locateRepoSignals(facts);
    return facts;
  }

  #parsed(repo: TextRepo): ParsedRepo {
    if (!repo.parsed) {
      const started = performance.now();
      repo.parsed = parseRepoYaml(repo.id, repo.texts);
      this.parseMs += performance.now() - started;
    }
    return repo.parsed;
  }

  #yamlOf(repoId: string): Map<string, ParsedYamlFile> | undefined {
    const repo = this.#repos.get(repoId);
    return repo ? this.#parsed(repo).yaml : undefined;
  }

  #buildFacts(repo: TextRepo, { yaml, diagnostics: fileDiagnostics }: ParsedRepo): RepoFacts {
    const { settings } = this;
    const diagnostics = [...fileDiagnostics];
    const yamlOf = (repoId: string, file: string): ParsedYamlFile | undefined => this.#yamlOf(repoId)?.get(file);
    const files = repo.texts.files;
    const k8s = loadK8sObjects(repo.id, yaml);
    const argo = loadArgoFacts(repo.id, k8s, this.#resolveRepo);
    diagnostics.push(...argo.diagnostics);
    const helm = loadHelmFacts(repo.id, files, yaml, argo.facts.applications);
    const docker = loadDockerfiles(repo.id, files);
    diagnostics.push(...docker.diagnostics);

    const ci = resolvePipeline({
      repoId: repo.id,
      // `include: ref:` is read from the revision being linted: a working tree has only one.
      lookup: (repoId, file) => {
        const target = this.#yamlOf(repoId);
        if (!target) return 'unavailable';
        return target.get(file) ?? 'missing';
      },
      resolveProject: this.#resolveRepo,
      ...(settings.group !== undefined ? { fleetGroup: settings.group } : {}),
      projectPath: settings.group ? `${settings.group.replace(/^\/+|\/+$/g, '')}/${repo.id}` : repo.id,
      ...(settings.gitlabHost !== undefined ? { serverHost: settings.gitlabHost } : {}),
      listFiles: (repoId) => this.#filesOf.get(repoId),
      scanners: this.#scanners,
    });
    diagnostics.push(...ci.diagnostics);

    const texts = new Map(files.map((file) => [file.path, file.text]));
    const fileText = (file: string): string | undefined => texts.get(file);
    const images = extractImages(repo.id, { ci: ci.pipeline, dockerfiles: docker.dockerfiles, helm, k8s, settings, yamlOf, fileText });
    diagnostics.push(...images.diagnostics);
    const publishedImages = extractPublishedImages(ci.pipeline, { repo: repo.id, settings, yamlOf });

    return {
      id: repo.id,
      files,
      kinds: detectKinds(files, yaml, publishedImages.length > 0),
      yaml,
      ...(ci.pipeline ? { ci: ci.pipeline } : {}),
      argocd: argo.facts,
      helm,
      k8s,
      dockerfiles: docker.dockerfiles,
      images: images.images,
      invalidImages: images.invalid,
      publishedImages,
      diagnostics,
    };
  }
}

/** Drops a built repo's YAML trees (see ParsedYamlFile.release). */
export function release(facts: RepoFacts): void {
  for (const parsed of facts.yaml.values()) parsed.release?.();
}

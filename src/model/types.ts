import type { FindingDraft } from './findings.js';
import type { FileSource } from '../sources/file-source.js';
import type { ParsedYamlFile } from './yaml/parse.js';
import type { ArgoFacts } from './argocd/types.js';
import type { HelmFacts } from './helm/types.js';
import type { K8sObject } from './k8s/types.js';
import type { Dockerfile } from './docker/types.js';
import type { CiPipeline } from './gitlab-ci/types.js';
import type { ImageRef, PublishedImage } from './images/types.js';
import type { AppDependency, ProviderRule, UnprovidedReference } from './dependencies/types.js';

export type RepoKind = 'terraform' | 'ansible' | 'helm' | 'argocd' | 'k8s-manifests' | 'docker' | 'docs';

export const REPO_KINDS: readonly RepoKind[] = ['terraform', 'ansible', 'helm', 'argocd', 'k8s-manifests', 'docker', 'docs'];

/** A file of the repository as read once from its source. */
export interface RepoFile {
  path: string;
  size: number;
  /** The decoded text; absent when the file was skipped. */
  text?: string;
  /** Why the text is absent. */
  skipped?: 'binary' | 'too-large' | 'invalid-utf8' | 'unreadable' | 'outside-fleet';
}

export interface Repo {
  /** Path relative to the fleet root, POSIX separators: `core-services/networking/traefik`. */
  id: string;
  source: FileSource;
  /** Every file of the repo, sorted by path. */
  files: RepoFile[];
  kinds: RepoKind[];
  /** Every YAML file, parsed once; loaders share these documents. */
  yaml: Map<string, ParsedYamlFile>;
  ci?: CiPipeline;
  argocd: ArgoFacts;
  helm: HelmFacts;
  k8s: K8sObject[];
  dockerfiles: Dockerfile[];
  images: ImageRef[];
  publishedImages: PublishedImage[];
  /** Problems in the repo's own files: parse errors, unresolved includes, unreadable files. */
  diagnostics: FindingDraft[];
}

/** A repository to load: its id in the fleet and where its bytes come from. */
export interface RepoSpec {
  id: string;
  source: FileSource;
}

/** The fleet manifest (`fleet.yaml`) and the settings derived from it. */
export interface FleetSettings {
  /** The GitLab host whose URLs name fleet repos (`gitlab.homelab.local`). */
  gitlabHost?: string;
  /** The top-level group that prefixes project paths (`homelab`): `homelab/platform/ci-templates` is repo `platform/ci-templates`. */
  group?: string;
  /** Registry hosts that belong to the fleet (`harbor.homelab.local`). */
  registries: string[];
  providers: ProviderRule[];
}

export interface Fleet {
  root: string;
  settings: FleetSettings;
  /** Sorted by id. */
  repos: Repo[];
  /** Application-to-Application dependencies inferred across the fleet. */
  dependencies: AppDependency[];
  /** Named things (storage classes, ingress classes, issuers) Applications use that nothing in the fleet provides. */
  unprovided: UnprovidedReference[];
  /** Fleet-level problems (a bad `fleet.yaml`, a repo listed but missing). */
  diagnostics: FindingDraft[];
}

/** Resolves a project path as written in CI or a URL to a fleet repo id, if it names one. */
export type RepoResolver = (projectPathOrUrl: string) => string | undefined;

import type { FindingDraft } from './findings.js';
import type { FileSource } from '../sources/file-source.js';
import type { ParsedYamlFile } from './yaml/parse.js';
import type { ArgoFacts } from './argocd/types.js';
import type { HelmFacts } from './helm/types.js';
import type { K8sObject } from './k8s/types.js';
import type { Dockerfile } from './docker/types.js';
import type { CiPipeline } from './gitlab-ci/types.js';
import type { ScannerSetting } from './gitlab-ci/scanners.js';
import type { ScanTemplate } from './gitlab-ci/scan-templates.js';
import type { ImageRef, InvalidImageRef, PublishedImage } from './images/types.js';
import type { AppDependency, DuplicateApplication, ProviderRule, UnprovidedReference } from './dependencies/types.js';
import type { ArgoInstanceSetting } from './dependencies/instances.js';
import type { TemplateKind } from './templates.js';
import type { DesiredState } from './desired.js';

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
  /**
   * Set when the file is a template (a chart's `templates/`, Jinja, YAML with template actions): its text is kept
   * (secret scanning, rendering) but it is never parsed as YAML. See `templateKindOf`.
   */
  template?: TemplateKind;
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
  /** Image references Docker would refuse to pull (reported by the invalid-image-reference rule). */
  invalidImages: InvalidImageRef[];
  publishedImages: PublishedImage[];
  /** Problems in the repo's own files: parse errors, unresolved includes, unreadable files. */
  diagnostics: FindingDraft[];
  /**
   * A digest of the facts the render phase added to this repo (images, Applications and AppProjects, documents
   * superseded): repo-scope results made without them (a build thread, a shard, an older run) are not reused
   * for this repo, and the results cache keys on it. Absent when rendering added nothing here.
   */
  renderDigest?: string;
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
  /**
   * The GitLab web address (fleet.yaml `gitlab.url`, like `https://gitlab.homelab.local`): the audit report links a
   * local fleet's findings to `<url>/<group>/<repo id>/-/blob/<HEAD>/<file>#L<line>`.
   */
  webUrl?: string;
  /** The top-level group that prefixes project paths (`homelab`): `homelab/platform/ci-templates` is repo `platform/ci-templates`. */
  group?: string;
  /** Registry hosts that belong to the fleet (`harbor.homelab.local`). */
  registries: string[];
  providers: ProviderRule[];
  /** Scanners of the fleet's own that CI scripts run (the config's `scanners`), after the built-in table. */
  scanners?: ScannerSetting[];
  /**
   * The fleet's files other repos include that run scanners (scan-templates.ts), with the ref a new include pins:
   * derived once the repos are built, not written in fleet.yaml. In the settings, the fact reaches the repo-scope
   * policies next to each repo, and the incremental cache's key with them (a new template tag changes the fixes).
   */
  scanTemplates?: ScanTemplate[];
  /**
   * The clusters ArgoCD knows, which the ApplicationSet cluster generator lists (fleet.yaml `argocd.clusters`).
   * Absent: ArgoCD's own local cluster only, `in-cluster` at `https://kubernetes.default.svc`.
   */
  argocdClusters?: ArgoCluster[];
  /**
   * The ArgoCD instances of the fleet (fleet.yaml `argocd.instances`): which root or loose Applications each one
   * syncs, by globs over `<repo>/<file>`. Absent: one instance syncs every Application.
   */
  argocdInstances?: ArgoInstanceSetting[];
}

/** A cluster registered in ArgoCD (a cluster secret): what the cluster generator gives templates. */
export interface ArgoCluster {
  name: string;
  server: string;
  project?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
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
  /** Applications of one instance that share namespace and name (ArgoCD keeps one). */
  duplicateApplications?: DuplicateApplication[];
  /** Fleet-level problems (a bad `fleet.yaml`, a repo listed but missing). */
  diagnostics: FindingDraft[];
  /** What each Application would apply (the render phase); absent when the fleet was loaded without it. */
  desired?: DesiredState;
}

/** Resolves a project path as written in CI or a URL to a fleet repo id, if it names one. */
export type RepoResolver = (projectPathOrUrl: string) => string | undefined;

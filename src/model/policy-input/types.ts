/**
 * The policy input as TypeScript types: the contract that Rego policies (ours and the users') are written against.
 * schemas/policy-input.schema.json is generated from these types and their doc comments
 * (`node scripts/gen-policy-input-schema.mjs`; a test fails when the committed schema is not what they give), so a
 * field is documented once, here. Each doc comment becomes the field's `description`; `@asType integer` and
 * `@minimum` tighten a number. Change `version` together with an incompatible change.
 *
 * This file imports nothing: the schema generator reads it alone.
 */

/**
 * The JSON document every Rego policy receives as `input`: the whole fleet, normalized and source-mapped. Positions
 * are 1-based. A repo-scope policy gets `{repo, fleet, options}` instead: one repo of `repos`, the `fleet` settings
 * and its options.
 */
export interface PolicyInput {
  /** Version of this input format; bumped on incompatible change. */
  version: 1;
  fleet: FleetSettingsInput;
  /** Every repository, sorted by id. */
  repos: RepoInput[];
  /** Application -> Application dependencies inferred across the fleet, each with its evidence. */
  dependencies: DependencyInput[];
  /**
   * Cycles in the dependencies: each a list of Applications (sorted by repo and name) that depend on each other, so
   * that no wave order satisfies them.
   */
  dependencyCycles: AppRef[][];
  /**
   * For each cycle of `dependencyCycles` (same order), the dependencies between its members: who uses what of whom,
   * and where.
   */
  dependencyCycleEvidence?: { from: string; to: string; capability: string; origin: Origin }[][];
  /**
   * Named things Applications use (a StorageClass, an IngressClass, a cert-manager issuer) that no Application of
   * the fleet provides and no provider rule names.
   */
  unprovided: UnprovidedInput[];
  /**
   * Applications of one ArgoCD instance with the same namespace and name: ArgoCD keeps only one of them. Absent
   * when there are none.
   */
  duplicateApplications?: DuplicateApplicationInput[];
}

/** Applications that share an ArgoCD instance, a namespace and a name. */
export interface DuplicateApplicationInput {
  /** The instance (fleet.yaml `argocd.instances`); `''` for the fleet's one default instance. */
  instance: string;
  namespace?: string;
  name: string;
  /** Each Application's repo and manifest, in repo order. */
  apps: { repo: string; origin: Origin }[];
}

/** The fleet's settings (fleet.yaml), which repo-scope policies get next to their repo. */
export interface FleetSettingsInput {
  /** The GitLab host whose URLs name fleet repos. */
  gitlabHost?: string;
  /** Top-level group prefixing project paths (stripped from repo ids). */
  group?: string;
  /** Container registry hosts that belong to the fleet. */
  registries: string[];
  /**
   * The scanners the model recognises in CI scripts (its built-in table, then the config's `scanners`), in the
   * order messages list them: what makes each job's `scans`.
   */
  scanners: ScannerInput[];
  /**
   * The fleet's files that other repos include and whose jobs run a scanner, sorted by repo and file: what
   * required-scans proposes for a missing scan. Absent when the fleet has none, and for a repo-scope policy whose
   * `custom.repoFields` name no `ci` field (it is a CI fact).
   */
  scanTemplates?: ScanTemplateInput[];
}

/** A fleet file other repos include (`include: project:` + `file:`, or a `component:`) that runs scanners. */
export interface ScanTemplateInput {
  /** The fleet repo that holds it. */
  repo: string;
  /** Its project path as an include names it (`homelab/platform/ci-templates`). */
  project: string;
  file: string;
  /** How the fleet includes it. */
  includeType: 'project' | 'component';
  /** For a component: its address without the version, as the fleet writes it. */
  component?: string;
  /** The ref a new include pins: see `refSource`; absent for the default branch. */
  ref?: string;
  /**
   * Where `ref` comes from: the template repo's newest tag by semantic version, the one ref every consumer pins
   * (the repo has no version tag), or none (the default branch).
   */
  refSource: 'newest-tag' | 'consumers' | 'default-branch';
  /** Its jobs that run a scanner, sorted by name. */
  jobs: ScanTemplateJobInput[];
}

/** A job of a scan template, resolved as a consumer would get it. */
export interface ScanTemplateJobInput {
  /** Its name in the file; a hidden one (`.security:gitleaks`) runs only in a job that `extends:` it. */
  name: string;
  hidden: boolean;
  /** Its stage once resolved. */
  stage: string;
  /** Per category it scans: whether the job blocks (may not fail, scanner not told to pass), and whether the scanner is told to pass. */
  scans: { category: string; blocks: boolean; toldToPass: boolean }[];
  /** It runs in merge-request pipelines. */
  gatesMergeRequests: boolean;
}

/** A security scanner of the model's table. */
export interface ScannerInput {
  /** The scan category it makes: `iac`, `manifests`, `image`, `secrets`, or a fleet's own. */
  category: string;
  /** Its name as messages show it (`trivy config`). */
  tool: string;
}

/** A path into a YAML document: map keys and sequence indexes. */
export type DocPathInput = (string | ArrayIndex)[];

/**
 * A sequence index.
 * @asType integer
 * @minimum 0
 */
export type ArrayIndex = number;

/** Where a fact is written. */
export interface Origin {
  /** Repo id (path relative to the fleet root); may differ from the repo of the fact, e.g. a CI template. */
  repo: string;
  /** Repo-relative file. */
  file: string;
  /**
   * @asType integer
   * @minimum 1
   */
  line: number;
  /**
   * @asType integer
   * @minimum 1
   */
  column: number;
  /**
   * Document index in a multi-document YAML file.
   * @asType integer
   * @minimum 0
   */
  docIndex?: number;
  /** Path into the YAML document (map keys and sequence indexes). */
  path?: DocPathInput;
}

/** What the repository contains, derived from its files. */
export type RepoKindInput = 'terraform' | 'ansible' | 'helm' | 'argocd' | 'k8s-manifests' | 'docker' | 'docs';

/** One repository's facts. A policy that declares `custom.repoFields` gets `id` and those fields only. */
export interface RepoInput {
  /** Path relative to the fleet root, e.g. core-services/networking/traefik. */
  id: string;
  /** What the repository contains, derived from its files (and from CI that builds images, for docker). */
  kinds: RepoKindInput[];
  /** Every file, repo-relative, sorted; .git and .gitignored files excluded. */
  files: string[];
  /** The resolved .gitlab-ci.yml; null when the repo has none. */
  ci: PipelineInput | null;
  applications: ApplicationInput[];
  appProjects: AppProjectInput[];
  applicationSets: ApplicationSetInput[];
  images: ImageInput[];
  /** Image references Docker would refuse to pull, which the invalid-image-reference rule reports. */
  invalidImages: InvalidImageInput[];
  /** Images a CI script publishes (docker push, --tag, --destination): publishing, not consuming. */
  publishedImages: PublishedImageInput[];
  helmValuesFiles: string[];
  charts: ChartInput[];
  /** Every YAML document with apiVersion and kind (ArgoCD objects included). */
  k8sObjects: K8sObjectInput[];
}

/** A resolved GitLab CI pipeline. */
export interface PipelineInput {
  file: string;
  /**
   * The document of the file that holds the configuration, when not the first (after a `spec:` header).
   * @asType integer
   * @minimum 1
   */
  docIndex?: number;
  /** Declared stages, or GitLab's default list. */
  stages: string[];
  stagesDeclared: boolean;
  /** Whether workflow:rules let a merge-request pipeline run at all. */
  workflowAllowsMergeRequests: boolean;
  /** For each kind of pipeline, whether workflow:rules create it. */
  runsIn: RunsInInput;
  /** What workflow:rules depend on that is not known offline (`$VAR`, ...). */
  unknownConditions?: string[];
  /** True when part of the configuration could not be loaded (an include unreadable offline): facts may be missing. */
  partial: boolean;
  includes: IncludeInput[];
  /**
   * Includes that were not read and may add jobs: outside the fleet, or a path with variables. `provides` is set
   * for GitLab's own templates and components, known by name: the scan categories they provide (none for others).
   */
  unresolvedSources: UnresolvedSourceInput[];
  /** Visible jobs after include, extends and !reference resolution, sorted by name. */
  jobs: JobInput[];
}

/** `true`, `false`, or `"unknown"` where it depends on what cannot be known offline. */
export type TriInput = boolean | 'unknown';

/** Per kind of pipeline: merge request, a push to the MR's branch, a push to the default branch, a tag, a schedule. */
export interface RunsInInput {
  mergeRequest: TriInput;
  branch: TriInput;
  defaultBranch: TriInput;
  tag: TriInput;
  schedule: TriInput;
}

/** An include that was not read and may add jobs. */
export interface UnresolvedSourceInput {
  type: 'local' | 'project' | 'template' | 'remote' | 'component';
  target: string;
  /** The scan categories it is known to provide (GitLab's own templates and components); absent when unknown. */
  provides?: string[];
  origin: Origin;
}

/** An `include:` entry as written, and what became of it. */
export interface IncludeInput {
  type: 'local' | 'project' | 'template' | 'remote' | 'component';
  target: string;
  project?: string;
  ref?: string;
  /** The fleet repo a project include resolved to. */
  resolvedRepo?: string;
  resolved: boolean;
  /** The include has rules: (evaluated per kind of pipeline). */
  conditional?: boolean;
  /** Scan categories of a GitLab template or component known by name. */
  provides?: string[];
  /** The repo whose file holds this nested include, when not the linted repo. */
  viaRepo?: string;
  origin: Origin;
}

/** A job after include, extends, !reference and default: resolution. */
export interface JobInput {
  name: string;
  stage: string;
  image?: string;
  services: string[];
  /** before_script, script and after_script lines, flattened, each with where it was written. */
  script: ScriptLineInput[];
  when: string;
  /** true/false, or the exit codes allowed to fail. */
  allowFailure: boolean | ExitCode[];
  /** Jobs of this pipeline it needs (a matrix job's instances by name); other pipelines' and projects' are not here. */
  needs: string[];
  /** needs entries marked `optional: true`. */
  optionalNeeds?: string[];
  extends: string[];
  /** For each kind of pipeline, whether the job runs in it (when that pipeline runs). */
  runsIn: RunsInInput;
  /** What decides when the job runs and cannot be known offline: `$VAR`, `changes`, `exists`, `inputs.x`. */
  unknownConditions?: string[];
  /**
   * Variables its rules read that nothing defines: presumed unset in push, merge-request and tag pipelines (only
   * the project's settings could set them), unknown in scheduled ones.
   */
  assumedUnset?: string[];
  /** Keys whose value is an input not known offline (`stage: $[[ inputs.stage ]]`). */
  unknownKeys?: string[];
  /** A job of GitLab's own template or component, known by name (not read). */
  providedBy?: { type: 'template' | 'component'; tool: string };
  /** A parallel or parallel:matrix instance: the job as written and the instance's variables. */
  parallel?: { job: string; variables: Record<string, string> };
  /** A trigger job: a child pipeline (its jobs' names) or another project's. */
  trigger?: TriggerInput;
  /** May run in a merge-request pipeline (undecidable conditions count as may run). */
  runsInMergeRequests: boolean;
  runsOnDefaultBranch: boolean;
  /** For a job with rules: the `when` of each rule that may apply in a merge-request or default-branch pipeline. */
  ruleWhen?: string[];
  /** extends parents and !reference targets not found, tolerated because an include could not be read offline. */
  unresolved?: string[];
  origin: Origin;
  /** Per job key, where its value came from (possibly a template in another repo). */
  keyOrigins: Record<string, Origin>;
  /** The security scans its script runs, one per script line and scanner of the table (`fleet.scanners`). */
  scans: ScanInput[];
  /** Whether the job gates merge requests, and why not. */
  gatesMergeRequests: MergeRequestGateInput;
}

/** A security scanner one script line of a job runs. */
export interface ScanInput {
  /** The scan category: `iac`, `manifests`, `image`, `secrets`, or a fleet's own. */
  category: string;
  /** The scanner, as `fleet.scanners` names it. */
  tool: string;
  /** The script line that runs it. */
  evidence: Origin;
  /** The line tells the scanner to pass whatever it finds (`--exit-code 0`, `--soft-fail`, `|| true`). */
  nonFailing: boolean;
}

/**
 * Whether a job gates merge requests: a merge-request pipeline can run (workflow:rules), the job runs in it, and it
 * is neither `when: manual` nor manual through every rule that may apply.
 */
export interface MergeRequestGateInput {
  /** `"unknown"` when it depends on what is not known offline (`unknown` says what). */
  value: TriInput;
  /**
   * Why: it runs in merge-request pipelines; it is `when: manual`; every rule that may apply makes it manual; its
   * rules leave it out of merge-request pipelines; the workflow runs no merge-request pipeline.
   */
  reason: 'runs-in-merge-requests' | 'manual' | 'manual-through-rules' | 'excluded-by-rules' | 'excluded-by-workflow' | 'unknown-offline';
  unknown?: string[];
}

/** A trigger job's pipeline. */
export interface TriggerInput {
  kind: 'child' | 'project';
  target: string;
  strategy?: string;
  /** The child pipeline's jobs, when it was resolved. */
  jobs?: string[];
}

/**
 * A process exit code.
 * @asType integer
 */
export type ExitCode = number;

/** One line of a job's flattened script. */
export interface ScriptLineInput {
  text: string;
  section: 'before_script' | 'script' | 'after_script';
  origin: Origin;
}

/** An ArgoCD Application. */
export interface ApplicationInput {
  name: string;
  namespace?: string;
  project?: string;
  sources: SourceInput[];
  destination: DestinationInput;
  automatedSync: boolean;
  /**
   * argocd.argoproj.io/sync-wave as an integer; 0 when missing, as ArgoCD does.
   * @asType integer
   */
  wave: number;
  /** The annotation as written, when present. */
  waveAnnotation?: string;
  /** False when the annotation is present but not an integer. */
  waveValid: boolean;
  /** Why waveValid is false: not an integer (ArgoCD uses 0), or not a quoted string (the API server rejects it). */
  waveProblem?: 'not-an-integer' | 'not-a-string';
  /**
   * Present when the sync-wave annotation is a substitution placeholder ("${ARGOCD_ENV_wave}"): the wave is known
   * only once substituted; wave is 0 and waveValid true. Policies that compare waves skip the app.
   */
  waveUnknown?: true;
  /** From the fleetlint.dev/depends-on annotation. */
  declaredDependsOn: string[];
  /** Where fleetlint.dev/depends-on is written. */
  dependsOnOrigin?: Origin;
  /** Keys under spec that the Application CRD does not have (e.g. syncWaves). */
  unknownSpecKeys: string[];
  /** Where each unknown spec key is, in the order of unknownSpecKeys. */
  unknownSpecKeyOrigins: Origin[];
  /** The app-of-apps chain above this Application, nearest first; empty when no parent deploys it. */
  ancestors: AppRef[];
  /**
   * The ApplicationSet (its repo and name) that generates this Application; its origins are in that
   * ApplicationSet's template. Absent for an Application written as a manifest.
   */
  generatedBy?: AppRef;
  /**
   * Present when an earlier Application of this repo has the same name (another cluster's tree): dependencies,
   * ancestors and orderings that name an app by repo and name mean the first one.
   */
  duplicateName?: true;
  origin: Origin;
  /** The wave annotation, or metadata when there is none. */
  waveOrigin: Origin;
}

/** One source of an Application (`spec.source`, or an entry of `spec.sources`). */
export interface SourceInput {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  helmValueFiles: string[];
  /** The fleet repo the repoURL names, if any. */
  fleetRepo?: string;
  /** ref of a multi-source entry, named by other sources' $ref/ value files. */
  ref?: string;
  /** spec.source.directory.recurse. */
  directoryRecurse?: boolean;
  origin: Origin;
}

/** Where an Application (or an AppProject destination) deploys. */
export interface DestinationInput {
  server?: string;
  name?: string;
  namespace?: string;
}

/** An ArgoCD AppProject. */
export interface AppProjectInput {
  name: string;
  sourceRepos: string[];
  destinations: DestinationInput[];
  origin: Origin;
}

/** An ArgoCD ApplicationSet. */
export interface ApplicationSetInput {
  name: string;
  origin: Origin;
}

/** An image reference's parts, normalized by the Docker reference grammar. */
export interface ImageReferenceInput {
  /** As written (after variable/ARG resolution where possible). */
  raw: string;
  /** docker.io when none is written; empty when a variable could be the registry. */
  registry: string;
  /** library/ is prefixed for official Docker Hub images. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Where an image reference was written, which decides whether an untagged reference pulls `latest`. */
export type ImageContextInput = 'ci-image' | 'ci-service' | 'dockerfile-from' | 'helm-map' | 'helm-string' | 'k8s-container' | 'k8s-field';

/** An image the repo consumes: CI jobs and services, Dockerfile FROMs, Helm values, Kubernetes containers. */
export interface ImageInput extends ImageReferenceInput {
  context: ImageContextInput;
  /** True when a variable in it could not be resolved. */
  dynamic: boolean;
  /** The image comes from one of the fleet's own registries. */
  fleetRegistry: boolean;
  /** For CI images: the job that uses it. */
  job?: string;
  origin: Origin;
  /** Where the tag is, when written apart from the repository (a Helm tag key). */
  tagOrigin?: Origin;
}

/** An image reference that does not parse. */
export interface InvalidImageInput {
  /** As written (after variable/ARG resolution where possible). */
  raw: string;
  context: ImageContextInput;
  /** What the reference grammar rejects. */
  error: string;
  /** For CI images: the job that uses it. */
  job?: string;
  origin: Origin;
  /** For a CI image written in another repo (a template): where the job that uses it is in this repo. */
  jobOrigin?: Origin;
}

/** An image a CI script publishes (`docker push`, `--tag`, `--destination`). */
export interface PublishedImageInput extends ImageReferenceInput {
  /** True when the destination still has a variable with no known value. */
  dynamic: boolean;
  /** The script line that publishes it. */
  command: string;
  job: string;
  origin: Origin;
}

/** A Helm chart (Chart.yaml) of the repo. */
export interface ChartInput {
  file: string;
  name?: string;
  version?: string;
  appVersion?: string;
}

/** A YAML document with apiVersion and kind. */
export interface K8sObjectInput {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  origin: Origin;
}

/** An Application by the repo its manifest is in and its name. */
export interface AppRef {
  repo: string;
  name: string;
}

/** A reason to believe one Application needs another, with where it is written. */
export interface EvidenceInput {
  description: string;
  origin: Origin;
  /** What provides the thing used, and where (the CRD, StorageClass or Namespace object), when an object does. */
  provider?: { description: string; origin: Origin };
  /** The using object or its Application has `SkipDryRunOnMissingResource=true`. */
  skipDryRun?: boolean;
}

/** One Application depends on another. */
export interface DependencyInput {
  fromRepo: string;
  /** Application name that depends. */
  from: string;
  toRepo: string;
  /** Application name it depends on. */
  to: string;
  /** What `to` provides that `from` uses. */
  capability: string;
  evidence: EvidenceInput[];
  /**
   * The two Applications whose sync waves order this dependency: `from` must sync in a later wave than `to` (each
   * the app itself or its app-of-apps branch). Where one app-of-apps tree holds both apps, these are their
   * ancestors (or themselves) that are siblings under their lowest common ancestor, since ArgoCD orders by wave
   * only among the Applications one parent deploys; apps in no common tree are ordered by their own waves, and
   * then these are the dependency's `from` and `to`. Absent when one app is the other's app-of-apps ancestor: it
   * deploys the other, and no wave orders them.
   */
  orderedBy?: { from: AppRef; to: AppRef };
  /**
   * True when every piece of evidence skips the dry run (`SkipDryRunOnMissingResource=true`): ArgoCD applies the
   * resources before their CRD exists and retries them, so no wave has to order the dependency.
   */
  skipDryRun?: boolean;
}

/** A named thing an Application uses that nothing in the fleet provides. */
export interface UnprovidedInput {
  fromRepo: string;
  /** The Application that uses it. */
  from: string;
  capability: string;
  /** The name it uses. */
  value: string;
  /** The names the fleet provides for that capability. */
  known: string[];
  evidence: EvidenceInput;
}

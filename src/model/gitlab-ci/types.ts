import type { FactOrigin } from '../origin.js';
import type { FindingDraft } from '../findings.js';
import type { ParsedYamlFile } from '../yaml/parse.js';
import type { ScannerDefinition } from './scanners.js';
import type { PipelineKind } from './pipeline-kinds.js';

export type { PipelineKind } from './pipeline-kinds.js';

/** Three-valued: `unknown` where it depends on what cannot be known offline. */
export type CiTri = boolean | 'unknown';

/** Per kind of pipeline (pipeline-kinds.ts): does it run? */
export type CiRunsIn = Record<PipelineKind, CiTri>;

/** Why one kind of pipeline's answer is "unknown", by where the unknown was read. */
export interface CiUnknownReasons {
  /** Read by the job's `rules`/`only`/`except` and by the `workflow:rules` scenarios it runs under. */
  conditions: string[];
  /**
   * Read by the `include:rules` of the file that defines the job (it may not be included). GitLab evaluates these
   * before it reads any YAML: a variable the configuration defines is not seen there, only predefined ones and the
   * project's, group's, instance's, trigger's and schedule's.
   */
  include?: string[];
}

/**
 * The parsed YAML of a file in a fleet repo; 'missing' when the repo has no such file; 'unavailable' when the repo
 * is not known (not in the fleet / fleet not loaded). `ref` is the `include: ref:` as written (undefined: the
 * revision being linted).
 */
export type CiFileLookup = (repoId: string, file: string, ref: string | undefined) => ParsedYamlFile | 'missing' | 'unavailable';

export interface CiResolveContext {
  repoId: string;
  lookup: CiFileLookup;
  /** Maps a project path as written in `include: project:` (`homelab/platform/ci-templates`) to a fleet repo id. */
  resolveProject: (projectPath: string) => string | undefined;
  /** The default branch of every repo, `main` when absent. */
  defaultBranch?: string;
  /** The project path of the repo (`homelab/platform/ci-templates`): `$CI_PROJECT_PATH`, when the fleet knows it. */
  projectPath?: string;
  /** The fleet's GitLab host: `$CI_SERVER_HOST`, and the host of components that are the fleet's. */
  serverHost?: string;
  /**
   * The fleet's top-level group (`homelab`). A `project:` include under this group that does not resolve is an
   * error (a missing fleet project); any other unresolved project is outside the fleet and only noted.
   */
  fleetGroup?: string;
  /** Every file of a repo, for wildcard `include: local: 'ci/*.yml'`; without it wildcard includes are only noted. */
  listFiles?: (repoId: string) => readonly string[] | undefined;
  /** The scanners that make a job's `scans`: scannerTable(), the built-in table by default. */
  scanners?: readonly ScannerDefinition[];
}

export interface CiResolveResult {
  pipeline?: CiPipeline;
  diagnostics: FindingDraft[];
}

/** An `include:` entry as written, and what became of it. */
export interface CiInclude {
  type: 'local' | 'project' | 'template' | 'remote' | 'component';
  /** The file, template name, URL or component address as written. */
  target: string;
  /** For `project:` includes: the project path as written and the fleet repo it resolved to. */
  project?: string;
  ref?: string;
  resolvedRepo?: string;
  resolved: boolean;
  /** Why it was not resolved, when it was not. */
  problem?: string;
  /** The file that contains the include entry. */
  origin: FactOrigin;
  /** True when the entry has `rules:`; such an include is treated as applying unless its rules can never match. */
  conditional?: boolean;
  /** True when the entry's `rules:` can never match (`when: never`, a constant false `if`): it was not loaded. */
  skippedByRules?: boolean;
  /** The repo of a nested include's file when it is not the linted repo (a template including another file). */
  viaRepo?: string;
  /** Scan categories a GitLab template or component known by name provides (scanners.ts). */
  provides?: string[];
}

/**
 * An include that was not read (outside the fleet, or a path with variables) and so may add jobs fleetlint does not
 * see. `provides`: what it is known to provide when it is GitLab's own (then nothing else); absent when unknown.
 */
export interface CiUnresolvedSource {
  type: CiInclude['type'];
  target: string;
  origin: FactOrigin;
  provides?: string[];
}

/** A `trigger:` job: a child pipeline (`include:`) or another project's pipeline. */
export interface CiTrigger {
  kind: 'child' | 'project';
  /** The child's include targets, or the project path. */
  target: string;
  /** `depend`: the trigger job waits for the triggered pipeline and takes its status. */
  strategy?: string;
  /** The child pipeline, resolved as a pipeline of its own (absent for another project's or a dynamic one). */
  pipeline?: CiPipeline;
}

/** One line of a job's flattened script, with the file and line it was written at (a template's, maybe). */
export interface CiScriptLine {
  text: string;
  section: 'before_script' | 'script' | 'after_script';
  origin: FactOrigin;
}

export interface CiJob {
  name: string;
  stage: string;
  image?: string;
  services: string[];
  script: CiScriptLine[];
  when: string;
  /** `true`, `false`, or the exit codes that are allowed to fail. */
  allowFailure: boolean | number[];
  /**
   * Jobs of this pipeline it needs, by name (a `parallel:matrix` job's name stands for its instances, which are
   * listed); `needs:` entries of other pipelines and projects are not here.
   */
  needs: string[];
  /** The `needs` entries marked `optional: true`. */
  optionalNeeds?: string[];
  /** `needs:` was written (an empty list means "start at once", unlike no `needs` at all). */
  needsDeclared?: boolean;
  /** `dependencies:` as written, when it is. */
  dependencies?: string[];
  extends: string[];
  /** For each kind of pipeline, whether the job runs in it (when the pipeline itself runs). */
  runsIn: CiRunsIn;
  /** What decides when the job runs and is not known offline: `$VAR`, `changes`, `exists`, `inputs.x`, `include <file>`. */
  unknownConditions?: string[];
  /** The same, for each kind of pipeline where `runsIn` is "unknown" (`unknownConditions` is their union). */
  unknownIn?: Partial<Record<PipelineKind, CiUnknownReasons>>;
  /**
   * Variables its rules read that neither GitLab nor the pipeline defines: presumed unset in push, merge-request and
   * tag pipelines (only the project's settings could set them), unknown in scheduled ones.
   */
  assumedUnset?: string[];
  /** Top-level keys whose value is an input not known offline (`stage: $[[ inputs.stage ]]`). */
  unknownKeys?: string[];
  /** A job of GitLab's own template or component, known by name (not read). */
  providedBy?: { type: 'template' | 'component'; tool: string };
  /** A `parallel:matrix` (or `parallel: n`) instance: the job as written, and the instance's variables. */
  parallel?: { job: string; variables: Record<string, string> };
  trigger?: CiTrigger;
  /** Whether the job may run in a merge-request pipeline (undecidable conditions count as "may run"). */
  runsInMergeRequests: boolean;
  /** Whether the job may run in a pipeline for the default branch. */
  runsOnDefaultBranch: boolean;
  /** True when the job uses `rules` together with `only`/`except`, which GitLab rejects. */
  mixesRulesAndOnly: boolean;
  /**
   * For a job with `rules:`, the `when` of each rule that may apply in the pipelines fleetlint considers (merge
   * request, the MR's branch, default branch; a rule without `when` gives the job's `when`), sorted: a scanner that
   * is `manual` only through its rules shows here.
   */
  ruleWhen?: string[];
  /**
   * `extends` parents and `!reference` targets that were not found but were tolerated because the pipeline has
   * includes that could not be resolved offline (they may be defined there).
   */
  unresolved?: string[];
  /** Where the job is defined in the pipeline's own files (its key). */
  origin: FactOrigin;
  /** Per top-level key of the resolved job (`script`, `image`, `allow_failure`, ...), where it came from. */
  keyOrigins: Record<string, FactOrigin>;
  /** The security scans its script runs (scans.ts, from the scanner table). */
  scans: CiScan[];
  /** Whether it gates merge requests, and why not (gating.ts). */
  gatesMergeRequests: MergeRequestGate;
}

/** A security scanner one script line of a job runs. */
export interface CiScan {
  /** The scan category: `iac`, `manifests`, `image`, `secrets`, or a fleet's own. */
  category: string;
  /** The scanner as the table names it (`trivy config`). */
  tool: string;
  /** The script line that runs it. */
  evidence: FactOrigin;
  /** The line tells the scanner to pass whatever it finds (`--exit-code 0`, `--soft-fail`, `|| true`). */
  nonFailing: boolean;
}

/**
 * Why a job does or does not gate merge requests: it runs in merge-request pipelines; it is `when: manual`; every
 * rule that may apply makes it manual; its rules leave it out of merge-request pipelines; the workflow runs no
 * merge-request pipeline at all.
 */
export type MergeRequestGateReason = 'runs-in-merge-requests' | 'manual' | 'manual-through-rules' | 'excluded-by-rules' | 'excluded-by-workflow' | 'unknown-offline';

export interface MergeRequestGate {
  /** `unknown` when it depends on what cannot be known offline (`unknown` lists what). */
  value: CiTri;
  reason: MergeRequestGateReason;
  unknown?: string[];
}

export interface CiPipeline {
  /** The entry file, `.gitlab-ci.yml`. */
  file: string;
  /** The document of the file that holds the configuration, when not the first (after a `spec:` header). */
  docIndex?: number;
  stages: string[];
  /** Whether `stages:` was declared by the pipeline (an undeclared list means GitLab's defaults). */
  stagesDeclared: boolean;
  includes: CiInclude[];
  /** Visible jobs after include/extends/!reference resolution, sorted by name. */
  jobs: CiJob[];
  /** `workflow:rules` lets merge-request pipelines run at all. */
  workflowAllowsMergeRequests: boolean;
  /** For each kind of pipeline, whether `workflow:rules` create it. */
  runsIn: CiRunsIn;
  /** What `workflow:rules` depend on that is not known offline. */
  unknownConditions?: string[];
  /** The same, for each kind of pipeline whose creation is "unknown" (only `conditions`). */
  unknownIn?: Partial<Record<PipelineKind, CiUnknownReasons>>;
  /** Includes not read that may add jobs (outside the fleet, variables in a path). */
  unresolvedSources: CiUnresolvedSource[];
  /** Names of hidden jobs (starting with `.`) that were available for `extends`. */
  hiddenJobs: string[];
  /**
   * True when part of the configuration could not be loaded (an unresolved include, a broken file): facts may be
   * missing, so "job X is absent" style checks should be careful.
   */
  partial?: boolean;
}

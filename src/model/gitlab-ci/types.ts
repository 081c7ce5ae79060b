import type { FactOrigin } from '../origin.js';

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
  needs: string[];
  extends: string[];
  /** Whether the job may run in a merge-request pipeline (undecidable conditions count as "may run"). */
  runsInMergeRequests: boolean;
  /** Whether the job may run in a pipeline for the default branch. */
  runsOnDefaultBranch: boolean;
  /** True when the job uses `rules` together with `only`/`except`, which GitLab rejects. */
  mixesRulesAndOnly: boolean;
  /** Where the job is defined in the pipeline's own files (its key). */
  origin: FactOrigin;
  /** Per top-level key of the resolved job (`script`, `image`, `allow_failure`, ...), where it came from. */
  keyOrigins: Record<string, FactOrigin>;
}

export interface CiPipeline {
  /** The entry file, `.gitlab-ci.yml`. */
  file: string;
  stages: string[];
  /** Whether `stages:` was declared by the pipeline (an undeclared list means GitLab's defaults). */
  stagesDeclared: boolean;
  includes: CiInclude[];
  /** Visible jobs after include/extends/!reference resolution, sorted by name. */
  jobs: CiJob[];
  /** `workflow:rules` lets merge-request pipelines run at all. */
  workflowAllowsMergeRequests: boolean;
  /** Names of hidden jobs (starting with `.`) that were available for `extends`. */
  hiddenJobs: string[];
}

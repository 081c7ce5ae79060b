import { UNKNOWN, UNSET, type VarLookup, type VarValue } from './expression.js';

/**
 * The pipelines fleetlint evaluates a configuration for, each from GitLab's predefined variables for it:
 *
 * - `mergeRequest`: a merge-request pipeline (CI_PIPELINE_SOURCE=merge_request_event, CI_MERGE_REQUEST_IID set,
 *   CI_COMMIT_BRANCH unset, the source branch a feature branch, the target the default branch);
 * - `branch`: a push to that MR's feature branch (a branch pipeline; CI_OPEN_MERGE_REQUESTS is set);
 * - `defaultBranch`: a push to the default branch;
 * - `tag`: a tag pipeline (CI_COMMIT_TAG set, CI_COMMIT_BRANCH unset);
 * - `schedule`: a scheduled pipeline on the default branch.
 *
 * What only the GitLab instance knows (project, group and instance variables, a feature branch's or a tag's name,
 * whether a ref is protected, the files a push changes) is not guessed: it is unknown, and so is every condition
 * that depends on it.
 */
export type PipelineKind = 'mergeRequest' | 'branch' | 'defaultBranch' | 'tag' | 'schedule';

export const PIPELINE_KINDS: readonly PipelineKind[] = ['mergeRequest', 'branch', 'defaultBranch', 'tag', 'schedule'];

/** What the fleet tells about the project whose pipeline is evaluated. */
export interface ProjectFacts {
  defaultBranch: string;
  /** `group/sub/project`, when the fleet knows it (its group and the repo id). */
  projectPath?: string;
  /** The GitLab host (`gitlab.example.com`), when the fleet names it. */
  serverHost?: string;
}

export interface PipelineContext {
  kind: PipelineKind;
  vars: ReadonlyMap<string, VarValue>;
  defaultBranch: string;
  /** A child pipeline (`trigger: include:`) of a pipeline of this kind. */
  child?: boolean;
}

/** Predefined variables that are always set, whatever the pipeline (their value is not known offline). */
const ALWAYS_SET = new Set([
  'CI_API_V4_URL', 'CI_BUILDS_DIR', 'CI_COMMIT_AUTHOR', 'CI_COMMIT_MESSAGE', 'CI_COMMIT_REF_SLUG', 'CI_COMMIT_SHA',
  'CI_COMMIT_SHORT_SHA', 'CI_COMMIT_TIMESTAMP', 'CI_COMMIT_TITLE', 'CI_CONFIG_PATH', 'CI_JOB_ID', 'CI_JOB_NAME',
  'CI_JOB_TOKEN', 'CI_PIPELINE_ID', 'CI_PIPELINE_IID', 'CI_PIPELINE_URL', 'CI_PROJECT_DIR', 'CI_PROJECT_ID',
  'CI_PROJECT_NAME', 'CI_PROJECT_NAMESPACE', 'CI_PROJECT_PATH', 'CI_PROJECT_PATH_SLUG', 'CI_PROJECT_URL',
  'CI_REGISTRY', 'CI_REGISTRY_IMAGE', 'CI_SERVER_FQDN', 'CI_SERVER_HOST', 'CI_SERVER_URL', 'CI_SERVER_VERSION',
  'CI_PROJECT_ROOT_NAMESPACE', 'CI_PIPELINE_CREATED_AT', 'GITLAB_USER_LOGIN', 'GITLAB_USER_EMAIL', 'GITLAB_USER_ID',
]);

/** Prefixes of predefined variables that exist only in some pipelines: unset in the others. */
const CONTEXT_PREFIXES = ['CI_MERGE_REQUEST_', 'CI_COMMIT_TAG', 'CI_EXTERNAL_PULL_REQUEST_'];

const value = (text: string): VarValue => ({ kind: 'value', value: text });

/** The predefined variables of one kind of pipeline of a project. */
export function pipelineContext(kind: PipelineKind, project: ProjectFacts, child = false): PipelineContext {
  const { defaultBranch } = project;
  const featureBranch: VarValue = { kind: 'opaque', not: [defaultBranch] };
  const vars = new Map<string, VarValue>([
    ['CI', value('true')],
    ['GITLAB_CI', value('true')],
    ['CI_DEFAULT_BRANCH', value(defaultBranch)],
    ['CI_PIPELINE_TRIGGERED', UNSET],
  ]);
  if (project.projectPath !== undefined) {
    const path = project.projectPath;
    const slash = path.lastIndexOf('/');
    vars.set('CI_PROJECT_PATH', value(path));
    vars.set('CI_PROJECT_NAME', value(path.slice(slash + 1)));
    if (slash > 0) {
      vars.set('CI_PROJECT_NAMESPACE', value(path.slice(0, slash)));
      vars.set('CI_PROJECT_ROOT_NAMESPACE', value(path.slice(0, path.indexOf('/'))));
    }
    vars.set('CI_PROJECT_PATH_SLUG', value(path.toLowerCase().replace(/[^a-z0-9]/g, '-')));
  }
  if (project.serverHost !== undefined) {
    vars.set('CI_SERVER_HOST', value(project.serverHost));
    vars.set('CI_SERVER_FQDN', value(project.serverHost));
    vars.set('CI_SERVER_URL', value(`https://${project.serverHost}`));
    if (project.projectPath !== undefined) vars.set('CI_PROJECT_URL', value(`https://${project.serverHost}/${project.projectPath}`));
  }
  const source = (text: string): void => {
    vars.set('CI_PIPELINE_SOURCE', value(child ? 'parent_pipeline' : text));
  };
  switch (kind) {
    case 'mergeRequest':
      source('merge_request_event');
      vars.set('CI_COMMIT_BRANCH', UNSET);
      vars.set('CI_COMMIT_REF_NAME', featureBranch);
      vars.set('CI_COMMIT_REF_PROTECTED', value('false'));
      vars.set('CI_OPEN_MERGE_REQUESTS', { kind: 'opaque' });
      for (const name of ['CI_MERGE_REQUEST_IID', 'CI_MERGE_REQUEST_ID', 'CI_MERGE_REQUEST_SOURCE_PROJECT_PATH', 'CI_MERGE_REQUEST_EVENT_TYPE', 'CI_MERGE_REQUEST_TITLE', 'CI_MERGE_REQUEST_REF_PATH', 'CI_MERGE_REQUEST_SOURCE_BRANCH_SHA', 'CI_MERGE_REQUEST_DIFF_BASE_SHA']) {
        vars.set(name, { kind: 'opaque' });
      }
      vars.set('CI_MERGE_REQUEST_PROJECT_PATH', project.projectPath === undefined ? { kind: 'opaque' } : value(project.projectPath));
      vars.set('CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', featureBranch);
      // Most MRs target the default branch; an MR to a release branch is not what this question is about.
      vars.set('CI_MERGE_REQUEST_TARGET_BRANCH_NAME', value(defaultBranch));
      break;
    case 'branch':
    case 'defaultBranch':
    case 'schedule': {
      source(kind === 'schedule' ? 'schedule' : 'push');
      const branch = kind === 'branch' ? featureBranch : value(defaultBranch);
      vars.set('CI_COMMIT_BRANCH', branch);
      vars.set('CI_COMMIT_REF_NAME', branch);
      // Only the feature branch is the source of an open MR; that is what makes it "the MR's branch".
      vars.set('CI_OPEN_MERGE_REQUESTS', kind === 'branch' ? { kind: 'opaque' } : UNSET);
      break;
    }
    case 'tag': {
      source('push');
      const tag: VarValue = { kind: 'opaque' };
      vars.set('CI_COMMIT_BRANCH', UNSET);
      vars.set('CI_COMMIT_TAG', tag);
      vars.set('CI_COMMIT_REF_NAME', tag);
      vars.set('CI_OPEN_MERGE_REQUESTS', UNSET);
      break;
    }
  }
  return child ? { kind, vars, defaultBranch, child } : { kind, vars, defaultBranch };
}

/**
 * Variables as a pipeline sees them: predefined first, then the layers (YAML `variables:`, workflow and trigger
 * variables; later layers win). A variable that is none of these is presumed unset in push, merge-request and tag
 * pipelines, where only the project's settings could set it (`onAssumed` is told), and is unknown in a scheduled
 * pipeline, whose own variables set such switches.
 */
export function varLookup(context: PipelineContext, layers: readonly ReadonlyMap<string, VarValue>[], onAssumed?: (name: string) => void): VarLookup {
  return (name) => {
    const predefined = context.vars.get(name);
    if (predefined) return predefined;
    if (CONTEXT_PREFIXES.some((prefix) => name.startsWith(prefix))) return UNSET;
    for (let index = layers.length - 1; index >= 0; index--) {
      const defined = layers[index]?.get(name);
      if (defined) return defined;
    }
    if (ALWAYS_SET.has(name)) return { kind: 'opaque' };
    // GitLab's own names: set in some pipelines or by some settings (CI_COMMIT_REF_PROTECTED, CI_GITLAB_FIPS_MODE, ...).
    if (context.kind === 'schedule' || name.startsWith('CI_') || name.startsWith('GITLAB_')) return UNKNOWN;
    onAssumed?.(name);
    return UNSET;
  };
}

/**
 * Variables that differ from one merge request to the next (its branch's name, title, labels, commits, whether it
 * comes from a fork): a condition on them, or on the files a change touches (`changes`), makes a job run for some
 * merge requests and not others.
 */
export const PER_MERGE_REQUEST = new Set([
  'CI_COMMIT_REF_NAME', 'CI_COMMIT_BRANCH', 'CI_COMMIT_REF_SLUG', 'CI_COMMIT_MESSAGE', 'CI_COMMIT_TITLE', 'CI_COMMIT_DESCRIPTION',
  'CI_COMMIT_AUTHOR', 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', 'CI_MERGE_REQUEST_TITLE', 'CI_MERGE_REQUEST_DESCRIPTION',
  'CI_MERGE_REQUEST_LABELS', 'CI_MERGE_REQUEST_DRAFT', 'CI_MERGE_REQUEST_EVENT_TYPE', 'CI_MERGE_REQUEST_SOURCE_PROJECT_PATH',
  'CI_MERGE_REQUEST_ASSIGNEES', 'CI_OPEN_MERGE_REQUESTS', 'GITLAB_USER_LOGIN', 'GITLAB_USER_EMAIL', 'GITLAB_USER_ID',
]);

/** Whether an unknown reason (`$VAR`, `changes`) is about the merge request itself rather than about settings. */
export function perMergeRequest(reason: string): boolean {
  return reason === 'changes' || (reason.startsWith('$') && PER_MERGE_REQUEST.has(reason.slice(1)));
}

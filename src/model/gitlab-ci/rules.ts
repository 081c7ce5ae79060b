import { and, evaluateExpression, not, or, UNKNOWN, UNSET, type Tri, type VarLookup, type VarValue } from './expression.js';
import { flatItems, scalarString, type CiMap, type CiNode } from './node.js';

/**
 * When does a job run? Evaluated for three pipelines, from GitLab's predefined variables for each:
 *
 * - `mr`: a merge-request pipeline (CI_PIPELINE_SOURCE=merge_request_event, CI_MERGE_REQUEST_IID set,
 *   CI_COMMIT_BRANCH unset, CI_COMMIT_REF_NAME the feature branch, target branch = the default branch);
 * - `branch`: a push to that MR's feature branch (a branch pipeline; CI_OPEN_MERGE_REQUESTS is set);
 * - `default`: a push to the default branch (CI_COMMIT_BRANCH = CI_DEFAULT_BRANCH).
 *
 * fleetlint asks "does this job gate merge requests?". A job with neither `rules` nor `only`/`except` defaults to
 * `only: [branches, tags]`, which GitLab does not add to merge-request pipelines, but the feature branch's branch
 * pipeline runs it on the MR's commits and GitLab shows that pipeline on the MR when there is no MR pipeline. So a
 * job runs for MRs when it may run in the MR pipeline, or when it may run in the branch pipeline and `workflow:rules`
 * let branch pipelines of a branch with an open MR exist (the usual "MR pipelines only" or "avoid duplicate
 * pipelines" workflows switch that off). With duplicate pipelines (no workflow, some jobs MR-only) this counts the
 * branch-only jobs as gating, which is the lenient reading. Undecidable conditions count as "may run".
 */
export type PipelineKind = 'mr' | 'branch' | 'default';

export const PIPELINE_KINDS: readonly PipelineKind[] = ['mr', 'branch', 'default'];

/** Predefined variables that are always set, whatever the pipeline (their value is not known offline). */
const ALWAYS_SET = new Set([
  'CI_API_V4_URL', 'CI_BUILDS_DIR', 'CI_COMMIT_AUTHOR', 'CI_COMMIT_MESSAGE', 'CI_COMMIT_REF_SLUG', 'CI_COMMIT_SHA',
  'CI_COMMIT_SHORT_SHA', 'CI_COMMIT_TIMESTAMP', 'CI_COMMIT_TITLE', 'CI_CONFIG_PATH', 'CI_JOB_ID', 'CI_JOB_NAME',
  'CI_JOB_TOKEN', 'CI_PIPELINE_ID', 'CI_PIPELINE_IID', 'CI_PIPELINE_URL', 'CI_PROJECT_DIR', 'CI_PROJECT_ID',
  'CI_PROJECT_NAME', 'CI_PROJECT_NAMESPACE', 'CI_PROJECT_PATH', 'CI_PROJECT_PATH_SLUG', 'CI_PROJECT_URL',
  'CI_REGISTRY', 'CI_REGISTRY_IMAGE', 'CI_SERVER_FQDN', 'CI_SERVER_HOST', 'CI_SERVER_URL', 'CI_SERVER_VERSION',
]);

/** Prefixes of predefined variables that exist only in some pipelines. */
const CONTEXT_PREFIXES = ['CI_MERGE_REQUEST_', 'CI_COMMIT_TAG', 'CI_EXTERNAL_PULL_REQUEST_'];

export interface PipelineContext {
  kind: PipelineKind;
  vars: ReadonlyMap<string, VarValue>;
  defaultBranch: string;
}

export function pipelineContext(kind: PipelineKind, defaultBranch: string): PipelineContext {
  const value = (text: string): VarValue => ({ kind: 'value', value: text });
  const featureBranch: VarValue = { kind: 'opaque', not: [defaultBranch] };
  const vars = new Map<string, VarValue>([
    ['CI', value('true')],
    ['GITLAB_CI', value('true')],
    ['CI_DEFAULT_BRANCH', value(defaultBranch)],
    ['CI_PIPELINE_TRIGGERED', UNSET],
  ]);
  if (kind === 'mr') {
    vars.set('CI_PIPELINE_SOURCE', value('merge_request_event'));
    vars.set('CI_COMMIT_BRANCH', UNSET);
    vars.set('CI_COMMIT_REF_NAME', featureBranch);
    vars.set('CI_OPEN_MERGE_REQUESTS', { kind: 'opaque' });
    for (const name of ['CI_MERGE_REQUEST_IID', 'CI_MERGE_REQUEST_ID', 'CI_MERGE_REQUEST_PROJECT_PATH', 'CI_MERGE_REQUEST_SOURCE_PROJECT_PATH', 'CI_MERGE_REQUEST_EVENT_TYPE']) {
      vars.set(name, { kind: 'opaque' });
    }
    vars.set('CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', featureBranch);
    // Most MRs target the default branch; an MR to a release branch is not what this question is about.
    vars.set('CI_MERGE_REQUEST_TARGET_BRANCH_NAME', value(defaultBranch));
  } else {
    vars.set('CI_PIPELINE_SOURCE', value('push'));
    const branch = kind === 'default' ? value(defaultBranch) : featureBranch;
    vars.set('CI_COMMIT_BRANCH', branch);
    vars.set('CI_COMMIT_REF_NAME', branch);
    vars.set('CI_OPEN_MERGE_REQUESTS', kind === 'branch' ? { kind: 'opaque' } : UNKNOWN);
  }
  return { kind, vars, defaultBranch };
}

/** Variables as a context sees them: predefined first, then the YAML `variables:` the job inherits. */
export function varLookup(context: PipelineContext | undefined, yamlVars: ReadonlyMap<string, VarValue>): VarLookup {
  return (name) => {
    const predefined = context?.vars.get(name);
    if (predefined) return predefined;
    if (context && CONTEXT_PREFIXES.some((prefix) => name.startsWith(prefix))) return UNSET;
    const defined = yamlVars.get(name);
    if (defined) return defined;
    if (context && ALWAYS_SET.has(name)) return { kind: 'opaque' };
    return UNKNOWN;
  };
}

/** The values of a `variables:` map; a value that refers to other variables is unknown (not expanded). */
export function yamlVariables(node: CiNode | undefined, into = new Map<string, VarValue>()): Map<string, VarValue> {
  if (node?.kind !== 'map') return into;
  for (const [name, entry] of node.entries) {
    const raw = entry.value.kind === 'map' ? entry.value.entries.get('value')?.value : entry.value;
    const text = scalarString(raw);
    into.set(name, text === undefined ? UNKNOWN : text.includes('$') ? UNKNOWN : { kind: 'value', value: text });
  }
  return into;
}

export interface RulesOutcome {
  /** Whether the rules add the job (or let the pipeline run). */
  runs: Tri;
  /** The `when` of every rule that may apply and does not say `never`. */
  whens: Set<string>;
}

/**
 * `rules:` (jobs, `workflow`, `include`): the first rule whose `if`, `changes` and `exists` all hold decides.
 * `changes`/`exists` cannot be decided offline; an undecided rule both may apply and may fall through.
 */
export function evaluateRules(rules: CiNode | undefined, vars: VarLookup, defaultWhen: string): RulesOutcome {
  let mayRun = false;
  let mayNotRun = false;
  const whens = new Set<string>();
  for (const rule of flatItems(rules)) {
    if (rule.kind !== 'map') continue;
    let matched: Tri = true;
    const condition = rule.entries.get('if')?.value;
    if (condition) {
      const text = scalarString(condition);
      matched = text === undefined ? 'unknown' : evaluateExpression(text, vars);
    }
    if (rule.entries.has('changes') || rule.entries.has('exists')) matched = and(matched, 'unknown');
    if (matched === false) continue;
    const when = scalarString(rule.entries.get('when')?.value) ?? defaultWhen;
    if (when === 'never') mayNotRun = true;
    else {
      mayRun = true;
      whens.add(when);
    }
    if (matched === true) return { runs: tri(mayRun, mayNotRun), whens };
  }
  // No rule matched: the job is not added (the pipeline is not created, the file not included).
  return { runs: tri(mayRun, true), whens };
}

function tri(mayRun: boolean, mayNotRun: boolean): Tri {
  if (mayRun && !mayNotRun) return true;
  if (!mayRun) return false;
  return 'unknown';
}

/** Keywords of `only:refs`/`except:refs` and the pipelines they match. */
const REF_KEYWORDS: Readonly<Record<string, readonly PipelineKind[]>> = {
  branches: ['branch', 'default'],
  pushes: ['branch', 'default'],
  merge_requests: ['mr'],
  tags: [],
  api: [],
  chat: [],
  external: [],
  external_pull_requests: [],
  pipelines: [],
  schedules: [],
  triggers: [],
  web: [],
};

function refMatches(pattern: string, context: PipelineContext): Tri {
  const keyword = REF_KEYWORDS[pattern];
  if (keyword) return keyword.includes(context.kind);
  // `group/project@ref`: the project part cannot be checked offline.
  const at = pattern.lastIndexOf('@');
  if (at > 0 && !pattern.startsWith('/')) return and(refMatches(pattern.slice(at + 1), context), 'unknown');
  // An MR pipeline's ref is `refs/merge-requests/<iid>/head`: no branch name or branch regex matches it.
  const ref = context.kind === 'mr' ? 'refs/merge-requests/1/head' : context.kind === 'default' ? context.defaultBranch : undefined;
  const regex = /^\/(.+)\/([a-zA-Z]*)$/.exec(pattern);
  if (regex) {
    if (ref === undefined) return 'unknown';
    return evaluateExpression(`$REF =~ /${regex[1] ?? ''}/${regex[2] ?? ''}`, (name) => (name === 'REF' ? { kind: 'value', value: ref } : UNKNOWN));
  }
  if (ref !== undefined) return pattern === ref;
  return pattern === context.defaultBranch ? false : 'unknown';
}

/** One `only:`/`except:` value in its hash form: each present key a condition. */
function policyConditions(node: CiNode, context: PipelineContext, vars: VarLookup): Tri[] {
  if (node.kind !== 'map') return [anyOf(flatItems(node), (item) => refCondition(item, context))];
  const conditions: Tri[] = [];
  for (const [key, entry] of node.entries) {
    if (key === 'refs') conditions.push(anyOf(flatItems(entry.value), (item) => refCondition(item, context)));
    else if (key === 'variables') conditions.push(anyOf(flatItems(entry.value), (item) => expressionCondition(item, vars)));
    else conditions.push('unknown'); // changes, kubernetes: not decidable offline
  }
  return conditions;
}

function refCondition(item: CiNode, context: PipelineContext): Tri {
  const text = scalarString(item);
  return text === undefined ? false : refMatches(text, context);
}

function expressionCondition(item: CiNode, vars: VarLookup): Tri {
  const text = scalarString(item);
  return text === undefined ? false : evaluateExpression(text, vars);
}

function anyOf(items: CiNode[], test: (item: CiNode) => Tri): Tri {
  let result: Tri = false;
  for (const item of items) result = or(result, test(item));
  return result;
}

/**
 * `only`/`except`: the job is added when every `only` condition holds and no `except` condition does. Without
 * `only`, GitLab's default is `only: [branches, tags]`.
 */
export function evaluateOnlyExcept(job: CiMap, context: PipelineContext, vars: VarLookup): Tri {
  const only = job.entries.get('only')?.value;
  const except = job.entries.get('except')?.value;
  let included: Tri = true;
  const onlyConditions = only && !isNullNode(only) ? policyConditions(only, context, vars) : [refMatchesAny(['branches', 'tags'], context)];
  for (const condition of onlyConditions) included = and(included, condition);
  if (except && !isNullNode(except)) for (const condition of policyConditions(except, context, vars)) included = and(included, not(condition));
  return included;
}

function refMatchesAny(patterns: string[], context: PipelineContext): Tri {
  let result: Tri = false;
  for (const pattern of patterns) result = or(result, refMatches(pattern, context));
  return result;
}

function isNullNode(node: CiNode): boolean {
  return node.kind === 'scalar' && node.value === null;
}

/** The pipeline-level gate: `workflow:rules` (absent: every pipeline runs). */
export function evaluateWorkflow(workflow: CiNode | undefined, vars: VarLookup): Tri {
  const rules = workflow?.kind === 'map' ? workflow.entries.get('rules')?.value : undefined;
  if (!rules || isNullNode(rules)) return true;
  return evaluateRules(rules, vars, 'always').runs;
}

/** True when an include's `rules:` can never match, whatever the pipeline: only then is the file left out. */
export function includeRulesNeverMatch(rules: CiNode): boolean {
  return evaluateRules(rules, () => UNKNOWN, 'always').runs === false;
}

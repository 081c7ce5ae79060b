import picomatch from 'picomatch';
import { and, evaluateExpression, not, or, UNKNOWN, type Tri, type UnknownTrace, type VarLookup, type VarValue } from './expression.js';
import { flatItems, isNull, scalarString, type CiMap, type CiNode } from './node.js';
import type { PipelineContext, PipelineKind } from './pipeline-kinds.js';

/**
 * When does a job run, and does the pipeline run at all? `rules:` (of jobs, `workflow` and `include`),
 * `only`/`except`, evaluated in three-valued logic for one kind of pipeline (pipeline-kinds.ts). What depends on
 * what is not known offline is `unknown`, and the reasons are collected (`$VAR`, `changes`, `exists`, `expression`).
 */

/** What a rule needs besides variables. */
export interface RuleEnv {
  kind: PipelineKind;
  /** Whether a file of the project matches one of the `exists:` globs; undefined when the files are not known. */
  exists?: (patterns: readonly string[]) => boolean | undefined;
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
  /** Whether the rules add the job (or let the pipeline run, or include the file). */
  runs: Tri;
  /** The `when` of every rule that may apply and does not say `never`. */
  whens: Set<string>;
  /** What made the outcome undecidable, when it is. */
  unknown: Set<string>;
  /** The rule that certainly applies (every rule before it certainly does not), when there is one. */
  decided?: CiMap;
}

/** Whether one rule's conditions (`if`, `changes`, `exists`) hold. */
export function ruleMatches(rule: CiMap, vars: VarLookup, env: RuleEnv, trace: UnknownTrace): Tri {
  let matched: Tri = true;
  const condition = rule.entries.get('if')?.value;
  if (condition && !isNull(condition)) {
    const text = scalarString(condition);
    if (text === undefined) {
      trace('expression');
      matched = 'unknown';
    } else matched = evaluateExpression(text, vars, trace);
  }
  if (matched === false) return false;
  if (rule.entries.has('changes')) {
    // GitLab: `changes` is true where no push is compared (tags, schedules); elsewhere the diff decides.
    if (env.kind !== 'tag' && env.kind !== 'schedule') {
      trace('changes');
      matched = and(matched, 'unknown');
    }
  }
  if (rule.entries.has('exists')) matched = and(matched, existsMatches(rule.entries.get('exists')?.value, vars, env, trace));
  return matched;
}

function existsMatches(node: CiNode | undefined, vars: VarLookup, env: RuleEnv, trace: UnknownTrace): Tri {
  // `exists: {paths: [...], project: ..., ref: ...}`: another project's files are not this one's.
  const other = node?.kind === 'map' && (node.entries.has('project') || node.entries.has('ref'));
  // Paths may use variables (GitLab expands them): known ones are expanded, others leave the rule unknown.
  const patterns = flatItems(node?.kind === 'map' ? node.entries.get('paths')?.value : node)
    .map((item) => expandVariables(scalarString(item), vars))
    .filter((pattern): pattern is string | null => pattern !== undefined && pattern !== '');
  const known = patterns.filter((pattern): pattern is string => pattern !== null);
  const found = other || known.length < patterns.length ? undefined : env.exists?.(known);
  if (found === undefined) {
    trace('exists');
    return 'unknown';
  }
  return found;
}

/** `$VAR` and `${VAR}` replaced by their known values; null when one is not known offline. */
function expandVariables(text: string | undefined, vars: VarLookup): string | null | undefined {
  if (text === undefined) return undefined;
  const unknown: string[] = [];
  const out = text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (match, braced: string | undefined, bare: string | undefined) => {
    const value = vars(braced ?? bare ?? '');
    if (value.kind === 'value') return value.value;
    if (value.kind === 'unset') return '';
    unknown.push(match);
    return match;
  });
  return unknown.length > 0 ? null : out;
}

/** A matcher for `exists:` globs over a project's files, as GitLab matches them (`**` across folders, dot files). */
export function existsMatcher(files: readonly string[]): (patterns: readonly string[]) => boolean {
  return (patterns) => {
    const globs = patterns.map((pattern) => pattern.replace(/^\/+/, '')).filter((pattern) => pattern !== '');
    if (globs.length === 0) return false;
    const isMatch = picomatch(globs, { dot: true });
    return files.some((file) => isMatch(file));
  };
}

/**
 * `rules:` (jobs, `workflow`, `include`): the first rule whose `if`, `changes` and `exists` all hold decides.
 * An undecided rule both may apply and may fall through.
 */
export function evaluateRules(rules: CiNode | undefined, vars: VarLookup, defaultWhen: string, env: RuleEnv): RulesOutcome {
  let mayRun = false;
  let mayNotRun = false;
  const whens = new Set<string>();
  const unknown = new Set<string>();
  for (const rule of flatItems(rules)) {
    if (rule.kind !== 'map') continue;
    const reasons = new Set<string>();
    const matched = ruleMatches(rule, vars, env, (reason) => reasons.add(reason));
    if (matched === false) continue;
    const when = scalarString(rule.entries.get('when')?.value) ?? defaultWhen;
    if (when === 'never') mayNotRun = true;
    else {
      mayRun = true;
      whens.add(when);
    }
    if (matched === true) {
      const outcome: RulesOutcome = { runs: tri(mayRun, mayNotRun), whens, unknown };
      if (!mayRun || !mayNotRun) {
        if (unknown.size === 0) outcome.decided = rule;
      }
      return outcome;
    }
    for (const reason of reasons) unknown.add(reason);
  }
  // No rule matched: the job is not added (the pipeline is not created, the file not included).
  return { runs: tri(mayRun, true), whens, unknown };
}

function tri(mayRun: boolean, mayNotRun: boolean): Tri {
  if (mayRun && !mayNotRun) return true;
  if (!mayRun) return false;
  return 'unknown';
}

/**
 * One way `workflow:rules` can go in a pipeline: the rule that applies (certainly, or only perhaps, `certain`), the
 * variables it sets for every job (`workflow:rules:variables`), and whether the pipeline is then created.
 */
export interface WorkflowScenario {
  runs: boolean;
  certain: boolean;
  variables?: CiNode;
  /** What the rules before it, and its own condition, could not decide. */
  unknown: readonly string[];
}

/**
 * The scenarios of `workflow:rules` in one pipeline: one per rule that may apply, in order, up to the first that
 * certainly applies (or "no rule applies": no pipeline). Without rules, one scenario that runs.
 */
export function workflowScenarios(workflow: CiNode | undefined, vars: VarLookup, env: RuleEnv): WorkflowScenario[] {
  const rules = workflow?.kind === 'map' ? workflow.entries.get('rules')?.value : undefined;
  if (!rules || isNull(rules)) return [{ runs: true, certain: true, unknown: [] }];
  const scenarios: WorkflowScenario[] = [];
  const before = new Set<string>();
  for (const rule of flatItems(rules)) {
    if (rule.kind !== 'map') continue;
    const reasons = new Set(before);
    const matched = ruleMatches(rule, vars, env, (reason) => reasons.add(reason));
    if (matched === false) continue;
    const when = scalarString(rule.entries.get('when')?.value) ?? 'always';
    const variables = rule.entries.get('variables')?.value;
    const scenario: WorkflowScenario = { runs: when !== 'never', certain: matched === true && before.size === 0, unknown: [...reasons].sort() };
    if (variables && !isNull(variables)) scenario.variables = variables;
    scenarios.push(scenario);
    if (matched === true) return scenarios;
    for (const reason of reasons) before.add(reason);
  }
  scenarios.push({ runs: false, certain: before.size === 0, unknown: [...before].sort() });
  return scenarios;
}

/** Whether the pipeline is created: true when every scenario creates it, false when none does. */
export function workflowRuns(scenarios: readonly WorkflowScenario[]): Tri {
  const runs = scenarios.some((scenario) => scenario.runs);
  const stops = scenarios.some((scenario) => !scenario.runs);
  return runs && stops ? 'unknown' : runs;
}

/** Keywords of `only:refs`/`except:refs` and the pipelines they match. */
const REF_KEYWORDS: Readonly<Record<string, readonly PipelineKind[]>> = {
  branches: ['branch', 'defaultBranch', 'schedule'],
  pushes: ['branch', 'defaultBranch', 'tag'],
  merge_requests: ['mergeRequest'],
  tags: ['tag'],
  schedules: ['schedule'],
  api: [],
  chat: [],
  external: [],
  external_pull_requests: [],
  pipelines: [],
  triggers: [],
  web: [],
};

function refMatches(pattern: string, context: PipelineContext, trace: UnknownTrace): Tri {
  const keyword = REF_KEYWORDS[pattern];
  if (keyword) return keyword.includes(context.kind) || (context.child === true && pattern === 'pipelines');
  // `group/project@ref`: the project part cannot be checked offline.
  const at = pattern.lastIndexOf('@');
  if (at > 0 && !pattern.startsWith('/')) {
    trace('project');
    return and(refMatches(pattern.slice(at + 1), context, trace), 'unknown');
  }
  // An MR pipeline's ref is `refs/merge-requests/<iid>/head`: no branch name or branch regex matches it.
  const ref = refName(context);
  const regex = /^\/(.+)\/([a-zA-Z]*)$/.exec(pattern);
  if (regex) {
    if (ref === undefined) {
      trace(context.kind === 'tag' ? '$CI_COMMIT_TAG' : '$CI_COMMIT_REF_NAME');
      return 'unknown';
    }
    return evaluateExpression(`$REF =~ /${regex[1] ?? ''}/${regex[2] ?? ''}`, (name) => (name === 'REF' ? { kind: 'value', value: ref } : UNKNOWN), trace);
  }
  if (ref !== undefined) return pattern === ref;
  // A feature branch is not the default branch; nor is a tag named like it.
  if (pattern === context.defaultBranch) return false;
  trace(context.kind === 'tag' ? '$CI_COMMIT_TAG' : '$CI_COMMIT_REF_NAME');
  return 'unknown';
}

function refName(context: PipelineContext): string | undefined {
  switch (context.kind) {
    case 'mergeRequest':
      return 'refs/merge-requests/1/head';
    case 'defaultBranch':
    case 'schedule':
      return context.defaultBranch;
    case 'branch':
    case 'tag':
      return undefined;
  }
}

/** One `only:`/`except:` value in its hash form: each present key a condition. */
function policyConditions(node: CiNode, context: PipelineContext, vars: VarLookup, trace: UnknownTrace): Tri[] {
  if (node.kind !== 'map') return [anyOf(flatItems(node), (item) => refCondition(item, context, trace))];
  const conditions: Tri[] = [];
  for (const [key, entry] of node.entries) {
    if (key === 'refs') conditions.push(anyOf(flatItems(entry.value), (item) => refCondition(item, context, trace)));
    else if (key === 'variables') conditions.push(anyOf(flatItems(entry.value), (item) => expressionCondition(item, vars, trace)));
    else if (key === 'changes' && (context.kind === 'tag' || context.kind === 'schedule')) conditions.push(true);
    else {
      // changes (where a push is compared), kubernetes: not decidable offline
      trace(key);
      conditions.push('unknown');
    }
  }
  return conditions;
}

function refCondition(item: CiNode, context: PipelineContext, trace: UnknownTrace): Tri {
  const text = scalarString(item);
  return text === undefined ? false : refMatches(text, context, trace);
}

function expressionCondition(item: CiNode, vars: VarLookup, trace: UnknownTrace): Tri {
  const text = scalarString(item);
  return text === undefined ? false : evaluateExpression(text, vars, trace);
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
export function evaluateOnlyExcept(job: CiMap, context: PipelineContext, vars: VarLookup, trace: UnknownTrace): Tri {
  const only = job.entries.get('only')?.value;
  const except = job.entries.get('except')?.value;
  let included: Tri = true;
  const onlyConditions = only && !isNull(only) ? policyConditions(only, context, vars, trace) : [defaultOnly(context)];
  for (const condition of onlyConditions) included = and(included, condition);
  if (except && !isNull(except)) for (const condition of policyConditions(except, context, vars, trace)) included = and(included, not(condition));
  return included;
}

/** `only: [branches, tags]`: every pipeline but a merge request's (child pipelines too: GitLab runs them as branch pipelines). */
function defaultOnly(context: PipelineContext): Tri {
  return context.kind !== 'mergeRequest';
}

/** `include:rules`: whether the file is included in this pipeline. */
export function includeRuns(rules: CiNode, vars: VarLookup, env: RuleEnv): RulesOutcome {
  return evaluateRules(rules, vars, 'always', env);
}

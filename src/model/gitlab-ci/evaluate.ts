import type { CiTri } from './types.js';
import type { VarValue } from './expression.js';
import { unknownOf } from './inputs.js';
import { flatItems, isNull, scalarString, type CiEntry, type CiMap, type CiNode } from './node.js';
import { varLookup, type PipelineContext, type PipelineKind } from './pipeline-kinds.js';
import { evaluateOnlyExcept, evaluateRules, yamlVariables, type RuleEnv, type WorkflowScenario } from './rules.js';

/**
 * When a job runs, for each kind of pipeline of a configuration: its `rules` (or `only`/`except`) under every
 * scenario `workflow:rules` can take, with the variables in scope there.
 */

export interface JobOutcome {
  runs: CiTri;
  whens: Set<string>;
  unknown: Set<string>;
  /** Of `unknown`, what the `include:rules` of the job's file read (a variable read there may also be read by its rules). */
  includeUnknown?: readonly string[];
  /** Of `unknown`, what its own rules and the workflow read, when `includeUnknown` is set. */
  rulesUnknown?: ReadonlySet<string>;
  /** Variables its rules read that nothing defines, presumed unset (pipeline-kinds.ts varLookup). */
  assumed?: Set<string>;
  /** The rule that certainly applies in every scenario of the pipeline, if one does. */
  decided?: CiMap;
}

/** A workflow scenario with the variables it sets, read once for every job. */
export interface Scenario extends WorkflowScenario {
  vars: ReadonlyMap<string, VarValue>;
}

/** What every job of a variant is evaluated against. */
export interface JobScope {
  defaults: ReadonlyMap<string, CiEntry>;
  globalVars: ReadonlyMap<string, VarValue>;
  contexts: readonly PipelineContext[];
  scenarios: ReadonlyMap<PipelineKind, readonly Scenario[]>;
  uncertainKeys: ReadonlyMap<string, string[]>;
  pipelineVars: ReadonlyMap<string, VarValue>;
  envOf: (context: PipelineContext) => RuleEnv;
  /** Outcomes of jobs that share their conditions, by the condition nodes, kind and `when` (conditionKey). */
  outcomes: Map<string, JobOutcome>;
}

/** When a job (or one `parallel` instance of it, `name`) runs in each kind of pipeline of the configuration. */
export function jobOutcomes(final: CiMap, name: string, baseName: string, instanceVars: Record<string, string>, scope: JobScope): Map<PipelineKind, JobOutcome> {
  const outcomes = new Map<PipelineKind, JobOutcome>();
  const instance = new Map<string, VarValue>(Object.entries(instanceVars).map(([key, text]) => [key, { kind: 'value', value: text }]));
  // The job's own predefined variable: omnibus-gitlab's `$CI_JOB_NAME =~ $SKIP_JOB_REGEX` reads it.
  const predefined = new Map<string, VarValue>([['CI_JOB_NAME', { kind: 'value', value: name }]]);
  const uncertain = scope.uncertainKeys.get(baseName);
  const own = ownVariables(final);
  const conditions = conditionNodes(final);
  // Jobs that share their conditions (a `.rules` template) and define none of the variables those read share outcomes.
  const shared = own.inherit === true && !conditions.some((node) => [...namesRead(node)].some((read) => own.vars.has(read) || instance.has(read) || predefined.has(read)));
  const when = scalarString(final.entries.get('when')?.value) ?? 'on_success';
  for (const context of scope.contexts) {
    const key = shared ? `${context.kind}\0${when}\0${conditions.map(nodeId).join(',')}` : undefined;
    let outcome = key === undefined ? undefined : scope.outcomes.get(key);
    if (!outcome) {
      outcome = evaluateJob(final, context, own, [predefined, instance], scope);
      if (key !== undefined) scope.outcomes.set(key, outcome);
    }
    if (uncertain && outcome.runs !== false) outcome = { ...outcome, runs: 'unknown', unknown: new Set([...outcome.unknown, ...uncertain]), includeUnknown: uncertain, rulesUnknown: outcome.unknown };
    outcomes.set(context.kind, outcome);
  }
  return outcomes;
}

const nodeIds = new WeakMap<CiNode, number>();
let nextNodeId = 0;

/** A number per node, for cache keys (nodes are shared by every job that extends one `.rules` template). */
function nodeId(node: CiNode): number {
  let id = nodeIds.get(node);
  if (id === undefined) {
    id = nextNodeId++;
    nodeIds.set(node, id);
  }
  return id;
}

/** When a job runs in one kind of pipeline: over the workflow's scenarios. */
function evaluateJob(final: CiMap, context: PipelineContext, own: OwnVariables, [predefined, instance]: readonly [ReadonlyMap<string, VarValue>, ReadonlyMap<string, VarValue>], scope: JobScope): JobOutcome {
  const results: CiTri[] = [];
  const assumed = new Set<string>();
  const outcome: JobOutcome = { runs: false, whens: new Set(), unknown: new Set(), assumed };
  const decided: (CiMap | undefined)[] = [];
  for (const scenario of scope.scenarios.get(context.kind) ?? []) {
    if (!scenario.runs) continue;
    const lookup = varLookup(context, [predefined, ...inherited(own, [scope.globalVars, scenario.vars]), own.vars, instance, scope.pipelineVars], (name) => assumed.add(name));
    const result = jobRuns(final, context, lookup, scope.envOf(context));
    results.push(result.runs);
    for (const when of result.whens) outcome.whens.add(when);
    if (result.runs === 'unknown') for (const reason of result.unknown) outcome.unknown.add(reason);
    if (!scenario.certain) for (const reason of scenario.unknown) outcome.unknown.add(reason);
    decided.push(result.decided);
  }
  outcome.runs = combine(results);
  if (outcome.runs !== 'unknown') outcome.unknown.clear();
  const rule = decided[0];
  if (rule && decided.every((each) => each === rule)) outcome.decided = rule;
  return outcome;
}

/** The nodes that decide when a job runs: `rules`, or `only` and `except`. */
function conditionNodes(job: CiMap): CiNode[] {
  const rules = job.entries.get('rules')?.value;
  if (rules && !isNull(rules)) return [rules];
  return ['only', 'except'].map((key) => job.entries.get(key)?.value).filter((node): node is CiNode => node !== undefined && !isNull(node));
}

const readNames = new WeakMap<CiNode, ReadonlySet<string>>();

/** Every variable name written in a node's strings (`$X`, `${X}`): what its conditions may read. */
function namesRead(node: CiNode): ReadonlySet<string> {
  const known = readNames.get(node);
  if (known) return known;
  const names = new Set<string>();
  const visit = (current: CiNode): void => {
    if (current.kind === 'scalar' && typeof current.value === 'string') for (const match of current.value.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(match[1] ?? '');
    else if (current.kind === 'seq') current.items.forEach(visit);
    else if (current.kind === 'map') for (const entry of current.entries.values()) visit(entry.value);
  };
  visit(node);
  readNames.set(node, names);
  return names;
}

/** Over the scenarios of a pipeline: true when the job runs in every one, false in none. */
function combine(results: readonly CiTri[]): CiTri {
  if (results.length === 0) return false;
  if (results.every((result) => result === true)) return true;
  if (results.every((result) => result === false)) return false;
  return 'unknown';
}

/** A job's own `variables` and which of the pipeline's it inherits (`inherit:variables`: all, none or a list). */
interface OwnVariables {
  vars: ReadonlyMap<string, VarValue>;
  inherit: true | false | ReadonlySet<string>;
}

function ownVariables(job: CiMap): OwnVariables {
  const inherit = job.entries.get('inherit')?.value;
  const setting = inherit?.kind === 'map' ? inherit.entries.get('variables')?.value : undefined;
  const vars = yamlVariables(job.entries.get('variables')?.value);
  if (setting?.kind === 'scalar' && setting.value === false) return { vars, inherit: false };
  if (setting?.kind === 'seq') return { vars, inherit: new Set(flatItems(setting).map(scalarString).filter((name): name is string => name !== undefined)) };
  return { vars, inherit: true };
}

/** The pipeline's variable layers as the job inherits them (global and workflow:rules:variables alike). */
function inherited(own: OwnVariables, layers: readonly ReadonlyMap<string, VarValue>[]): ReadonlyMap<string, VarValue>[] {
  const { inherit } = own;
  if (inherit === true) return [...layers];
  if (inherit === false) return [];
  return layers.map((layer) => new Map([...layer].filter(([name]) => inherit.has(name))));
}

/** The variables a job has: what it inherits, then its own. */
export function jobVariables(job: CiMap, globals: ReadonlyMap<string, VarValue>): Map<string, VarValue> {
  const own = ownVariables(job);
  const vars = new Map<string, VarValue>();
  for (const layer of inherited(own, [globals])) for (const [name, value] of layer) vars.set(name, value);
  for (const [name, value] of own.vars) vars.set(name, value);
  return vars;
}

function jobRuns(job: CiMap, context: PipelineContext, lookup: ReturnType<typeof varLookup>, env: RuleEnv): JobOutcome {
  const when = scalarString(job.entries.get('when')?.value) ?? 'on_success';
  const rules = job.entries.get('rules')?.value;
  // Rules that come from an input not known offline: nothing can be said.
  const unknownRules = unknownOf(rules);
  if (unknownRules !== undefined) return { runs: 'unknown', whens: new Set(), unknown: new Set([unknownRules]) };
  // GitLab rejects rules mixed with only/except; rules are what it would use, so they decide here.
  if (rules && !isNull(rules)) {
    const outcome = evaluateRules(rules, lookup, when, env);
    const result: JobOutcome = { runs: outcome.runs, whens: outcome.whens, unknown: outcome.unknown };
    if (outcome.decided) result.decided = outcome.decided;
    return result;
  }
  const unknown = new Set<string>();
  const runs = evaluateOnlyExcept(job, context, lookup, (reason) => unknown.add(reason));
  return { runs, whens: runs === false ? new Set() : new Set([when]), unknown };
}


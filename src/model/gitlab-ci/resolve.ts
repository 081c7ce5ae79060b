import type { ParsedYamlFile } from '../yaml/parse.js';
import type { CiInclude, CiJob, CiPipeline, CiResolveContext, CiResolveResult, CiRunsIn, CiScan, CiTri, CiTrigger } from './types.js';
import { ExtendsResolver, GLOBAL_KEYWORDS, isJobCandidate } from './extends.js';
import type { VarValue } from './expression.js';
import { IncludeExpander, type IncludeExpansion } from './include.js';
import { unknownOf } from './inputs.js';
import { configDocument, flatItems, isNull, scalarString, specDocument, toFactOrigin, type CiEntry, type CiMap, type CiNode, type NodeOrigin } from './node.js';
import { applyDefaults, DEFAULT_KEYS, DEFAULT_STAGES, LEGACY_GLOBAL_DEFAULTS, normalizeJob, type JobShape } from './normalize.js';
import { matrixCombinations, matrixName, parallelInstances, type JobInstance } from './parallel.js';
import { PIPELINE_KINDS, pipelineContext, varLookup, type PipelineContext, type PipelineKind, type ProjectFacts } from './pipeline-kinds.js';
import { ReferenceResolver } from './reference.js';
import { CiReporter, readTree } from './report.js';
import { mergeRequestGate } from './gating.js';
import { SCANNERS, type ScannerDefinition } from './scanners.js';
import { jobScans } from './scans.js';
import { evaluateOnlyExcept, evaluateRules, existsMatcher, workflowRuns, workflowScenarios, yamlVariables, type RuleEnv, type WorkflowScenario } from './rules.js';
import { validateConfig, validateJob } from './validate.js';

export const CI_FILE = '.gitlab-ci.yml';

/** Child pipelines are resolved one level below the repo's own pipeline. */
const MAX_CHILD_DEPTH = 1;

/** Distinct child pipelines resolved per pipeline: a child that includes the parent's file again costs a whole resolution. */
const MAX_CHILD_PIPELINES = 4;

/**
 * Resolves a repo's `.gitlab-ci.yml` the way GitLab builds a pipeline configuration: inputs, includes (from the
 * fleet), then `extends`, then `!reference`, then `default:`, `parallel` instances; and evaluates, for each kind of
 * pipeline, when each job runs. Synchronous and side-effect free: every file comes parsed from `ctx.lookup`.
 * Problems are findings; it never throws.
 */
export function resolvePipeline(ctx: CiResolveContext): CiResolveResult {
  const reporter = new CiReporter(ctx.repoId);
  const parsed = ctx.lookup(ctx.repoId, CI_FILE, undefined);
  if (parsed === 'missing' || parsed === 'unavailable') return { diagnostics: [] };
  try {
    return { pipeline: build(ctx, reporter, parsed), diagnostics: reporter.diagnostics };
  } catch (error) {
    // A resolver bug must not take the repo's other checks down with it.
    const message = error instanceof Error ? error.message : String(error);
    reporter.diagnostics.push({
      ruleId: 'internal-error',
      severity: 'error',
      message: `The GitLab CI resolver failed: ${message}`,
      repo: ctx.repoId,
      file: CI_FILE,
      subject: 'gitlab-ci-resolver',
    });
    return { diagnostics: reporter.diagnostics };
  }
}

const allKinds = (value: CiTri): CiRunsIn => ({ mergeRequest: value, branch: value, defaultBranch: value, tag: value, schedule: value });

function emptyPipeline(partial: boolean): CiPipeline {
  const pipeline: CiPipeline = {
    file: CI_FILE,
    stages: [...DEFAULT_STAGES],
    stagesDeclared: false,
    includes: [],
    jobs: [],
    workflowAllowsMergeRequests: true,
    runsIn: allKinds(true),
    unresolvedSources: [],
    hiddenJobs: [],
  };
  if (partial) pipeline.partial = true;
  return pipeline;
}

function build(ctx: CiResolveContext, reporter: CiReporter, parsed: ParsedYamlFile): CiPipeline {
  const document = configDocument(parsed);
  // A broken file already has its parse-error findings; its value is not trusted.
  if (!document) return emptyPipeline(false);
  if (document.broken) return emptyPipeline(true);
  const root = readTree(ctx.repoId, document, reporter, false);
  if (!root || isNull(root)) return emptyPipeline(false);
  if (root.kind !== 'map') {
    reporter.report('ci-config', 'error', `${CI_FILE} must be a map of jobs and keywords.`, root.origin, 'ci-root');
    return emptyPipeline(true);
  }
  const headerDocument = specDocument(parsed);
  const header = headerDocument ? readTree(ctx.repoId, headerDocument, reporter, false) : undefined;
  return buildPipeline(ctx, reporter, root, header, { file: CI_FILE, depth: 0, variables: new Map(), children: new Map() });
}

/** Which pipeline is built: the repo's own, or a child pipeline with the variables its trigger job passes. */
interface PipelineScope {
  file: string;
  depth: number;
  variables: ReadonlyMap<string, VarValue>;
  /** Child pipelines resolved so far, by include entry and variables (trigger jobs often share both). */
  children: Map<string, CiPipeline>;
}

/** The kinds of pipeline whose include rules decide alike share one configuration. */
interface Variant {
  contexts: PipelineContext[];
  expansion: IncludeExpansion;
}

function projectFacts(ctx: CiResolveContext): ProjectFacts {
  return {
    defaultBranch: ctx.defaultBranch ?? 'main',
    ...(ctx.projectPath !== undefined ? { projectPath: ctx.projectPath } : {}),
    ...(ctx.serverHost !== undefined ? { serverHost: ctx.serverHost } : {}),
  };
}

function buildPipeline(ctx: CiResolveContext, reporter: CiReporter, root: CiMap, header: CiNode | undefined, scope: PipelineScope): CiPipeline {
  const project = projectFacts(ctx);
  const files = ctx.listFiles?.(ctx.repoId);
  const exists = files ? existsMatcher(files) : undefined;
  const envOf = (context: PipelineContext): RuleEnv => (exists ? { kind: context.kind, exists } : { kind: context.kind });
  const contexts = PIPELINE_KINDS.map((kind) => pipelineContext(kind, project, scope.depth > 0));
  const expand = (context: PipelineContext): IncludeExpansion =>
    new IncludeExpander(ctx, reporter, { vars: varLookup(context, [scope.variables]), env: envOf(context) }).expandRoot(root, scope.file, header);

  // Include rules decide per pipeline; most configurations have none, and every kind shares the first expansion.
  const [firstContext, ...otherContexts] = contexts;
  if (!firstContext) return emptyPipeline(false);
  const first = expand(firstContext);
  const variants: Variant[] = [{ contexts: [firstContext], expansion: first }];
  for (const context of otherContexts) {
    if (first.decisions.length === 0) {
      variants[0]?.contexts.push(context);
      continue;
    }
    const expansion = expand(context);
    const key = expansion.decisions.join('\n');
    const same = variants.find((variant) => variant.expansion.decisions.join('\n') === key);
    if (same) same.contexts.push(context);
    else variants.push({ contexts: [context], expansion });
  }

  const results = variants.map((variant) => resolveVariant(reporter, variant, scope, envOf));
  const main = results[0];
  if (!main) return emptyPipeline(false);
  const resultOf = (kind: PipelineKind): VariantResult | undefined => results.find((result) => result.kinds.includes(kind));
  const representative = resultOf('mergeRequest') ?? main;

  // Jobs: every job any pipeline has; its shape from the merge-request pipeline's configuration when it has it.
  const names = new Set<string>();
  for (const result of results) for (const name of result.jobs.keys()) names.add(name);
  const jobs: CiJob[] = [];
  for (const name of names) {
    const runsIn = allKinds(false);
    const unknown = new Set<string>();
    for (const kind of PIPELINE_KINDS) {
      const built = resultOf(kind)?.jobs.get(name);
      const outcome = built?.outcomes.get(kind);
      if (!outcome) continue;
      runsIn[kind] = outcome.runs;
      if (outcome.runs === 'unknown') for (const reason of outcome.unknown) unknown.add(reason);
    }
    const owner = representative.jobs.has(name) ? representative : results.find((result) => result.jobs.has(name));
    const built = owner?.jobs.get(name);
    if (!owner || !built) continue;
    const trigger = built.map.entries.get('trigger')?.value;
    if (trigger && !isNull(trigger) && Object.values(runsIn).some((runs) => runs !== false)) resolveTrigger(ctx, reporter, built, trigger, owner.scope, scope);
    jobs.push(finishJob(built, runsIn, [...unknown].sort(), representative, resultOf, ctx.scanners ?? SCANNERS));
  }
  jobs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const pipelineRuns = allKinds(true);
  const workflowUnknown = new Set<string>();
  for (const kind of PIPELINE_KINDS) {
    const workflow = resultOf(kind)?.workflow.get(kind);
    if (!workflow) continue;
    pipelineRuns[kind] = workflow.runs;
    if (workflow.runs === 'unknown') for (const reason of workflow.unknown) workflowUnknown.add(reason);
  }
  const pipeline: CiPipeline = {
    file: CI_FILE,
    stages: representative.stages,
    stagesDeclared: representative.stagesDeclared,
    includes: mergeIncludes(variants.map((variant) => variant.expansion.includes)),
    jobs,
    workflowAllowsMergeRequests: pipelineRuns.mergeRequest !== false,
    runsIn: pipelineRuns,
    unresolvedSources: [],
    hiddenJobs: representative.hiddenJobs,
  };
  if (workflowUnknown.size > 0) pipeline.unknownConditions = [...workflowUnknown].sort();
  const sources = new Map<string, CiPipeline['unresolvedSources'][number]>();
  for (const variant of variants) for (const source of variant.expansion.unresolvedSources) sources.set(`${source.origin.file}:${source.origin.line}:${source.target}`, source);
  pipeline.unresolvedSources = [...sources.values()];
  if (variants.some((variant) => variant.expansion.incomplete)) pipeline.partial = true;
  return pipeline;
}

/** The include lists of several expansions as one: an entry is skipped only where every pipeline skips it. */
function mergeIncludes(lists: readonly CiInclude[][]): CiInclude[] {
  const [first = [], ...others] = lists;
  if (others.length === 0) return first;
  const byKey = new Map<string, CiInclude>();
  const key = (include: CiInclude): string => `${include.origin.file}:${include.origin.range.startLine}:${include.origin.range.startColumn}:${include.viaRepo ?? ''}:${include.target}`;
  for (const list of lists) {
    for (const include of list) {
      const known = byKey.get(key(include));
      if (!known) {
        byKey.set(key(include), { ...include });
        continue;
      }
      if (known.skippedByRules && !include.skippedByRules) {
        byKey.set(key(include), { ...include });
        continue;
      }
      if (include.resolved) known.resolved = true;
    }
  }
  return [...byKey.values()];
}

/** What one configuration (a variant) gives: its jobs, evaluated for its kinds of pipeline. */
interface VariantResult {
  kinds: PipelineKind[];
  jobs: Map<string, BuiltJob>;
  workflow: Map<PipelineKind, { runs: CiTri; unknown: readonly string[] }>;
  stages: string[];
  stagesDeclared: boolean;
  hiddenJobs: string[];
  /** Instance names of each `parallel` job, by the job's name. */
  instances: Map<string, JobInstance[]>;
  scope: JobScope;
}

interface JobOutcome {
  runs: CiTri;
  whens: Set<string>;
  unknown: Set<string>;
  /** Variables its rules read that nothing defines, presumed unset (pipeline-kinds.ts varLookup). */
  assumed?: Set<string>;
  /** The rule that certainly applies in every scenario of the pipeline, if one does. */
  decided?: CiMap;
}

interface BuiltJob {
  shape: JobShape;
  map: CiMap;
  outcomes: Map<PipelineKind, JobOutcome>;
  unresolved: string[];
  parallel?: { job: string; variables: Record<string, string> };
  provided?: CiJob['providedBy'];
  providedScan?: CiScan;
  trigger?: CiTrigger;
  triggerScans?: CiScan[];
}

/** A workflow scenario with the variables it sets, read once for every job. */
interface Scenario extends WorkflowScenario {
  vars: ReadonlyMap<string, VarValue>;
}

/** What every job of a variant is evaluated against. */
interface JobScope {
  defaults: ReadonlyMap<string, CiEntry>;
  globalVars: ReadonlyMap<string, VarValue>;
  contexts: readonly PipelineContext[];
  scenarios: ReadonlyMap<PipelineKind, readonly Scenario[]>;
  uncertainKeys: ReadonlyMap<string, string[]>;
  pipelineVars: ReadonlyMap<string, VarValue>;
  envOf: (context: PipelineContext) => RuleEnv;
  /** Outcomes of jobs that share their conditions, by condition node, kind and `when`. */
  outcomes: Map<CiNode, Map<string, JobOutcome>>;
}

function resolveVariant(reporter: CiReporter, variant: Variant, scope: PipelineScope, envOf: (context: PipelineContext) => RuleEnv): VariantResult {
  const { config, incomplete: tolerate } = variant.expansion;
  const candidates = new Map<string, CiMap>();
  for (const [name, entry] of config.entries) {
    if (isJobCandidate(name, entry.value)) candidates.set(name, entry.value);
    else if (!name.startsWith('.') && !GLOBAL_KEYWORDS.has(name) && !isNull(entry.value)) {
      reporter.report('ci-config', 'error', `${name}: a job must be a map of keywords.`, entry.origin, `job-not-map:${name}`);
    }
  }
  const extendsResolver = new ExtendsResolver(candidates, config, reporter, tolerate);
  const extended = extendsResolver.resolveAll();
  const references = new ReferenceResolver((name) => extended.get(name) ?? config.entries.get(name)?.value, reporter, tolerate);
  const resolveTop = (key: string): CiNode | undefined => {
    const node = config.entries.get(key)?.value;
    return node && !isNull(node) ? references.resolve(node, () => undefined) : undefined;
  };
  validateConfig(config, resolveTop, reporter);

  const globalVars = yamlVariables(resolveTop('variables'));
  const workflow = resolveTop('workflow');
  const scenarios = new Map<PipelineKind, Scenario[]>();
  const workflowResult = new Map<PipelineKind, { runs: CiTri; unknown: readonly string[] }>();
  for (const context of variant.contexts) {
    const list = workflowScenarios(workflow, varLookup(context, [globalVars, scope.variables]), envOf(context));
    scenarios.set(context.kind, list.map((scenario) => ({ ...scenario, vars: yamlVariables(scenario.variables) })));
    const runs = workflowRuns(list);
    workflowResult.set(context.kind, { runs, unknown: [...new Set(list.flatMap((scenario) => scenario.unknown))].sort() });
  }
  const jobScope: JobScope = {
    defaults: defaultEntries(config, resolveTop),
    globalVars,
    contexts: variant.contexts,
    scenarios,
    uncertainKeys: variant.expansion.uncertainKeys,
    pipelineVars: scope.variables,
    envOf,
    outcomes: new Map(),
  };

  const jobs = new Map<string, BuiltJob>();
  const instances = new Map<string, JobInstance[]>();
  for (const [name, job] of extended) {
    if (name.startsWith('.')) continue;
    const unresolved = extendsResolver.missingParents(name);
    const resolved = references.resolve(job, (reference) => unresolved.push(reference));
    if (resolved?.kind !== 'map') continue;
    const origin = config.entries.get(name)?.origin ?? job.origin;
    const final = applyDefaults(resolved, jobScope.defaults);
    validateJob(name, final, job, origin, reporter, { partial: tolerate || extendsResolver.brokenChain(name), provided: variant.expansion.providedJobs.has(name) });
    const parallel = parallelInstances(name, final.entries.get('parallel')?.value);
    if (parallel.problem !== undefined) reporter.report('ci-config', 'error', parallel.problem, final.entries.get('parallel')?.origin ?? origin, `parallel:${name}`);
    const provided = variant.expansion.providedJobs.get(name);
    const each = parallel.instances ?? [{ name, variables: {} }];
    if (parallel.instances) instances.set(name, parallel.instances);
    for (const instance of each) {
      const built = buildJob(instance.name, name, final, origin, [...new Set(unresolved)].sort(), instance.variables, jobScope);
      if (parallel.instances) built.parallel = { job: name, variables: instance.variables };
      if (provided) {
        built.provided = { type: provided.provider.type, tool: provided.provider.tool };
        built.providedScan = { category: provided.provider.category, tool: provided.provider.tool, evidence: toFactOrigin(provided.at), nonFailing: false };
      }
      jobs.set(instance.name, built);
    }
  }
  // GitLab resolves every `!reference` of the configuration: a broken one in an unused hidden job fails too.
  for (const [name, entry] of config.entries) {
    if (name.startsWith('.')) references.resolve(extended.get(name) ?? entry.value, () => undefined);
  }
  const { stages, declared } = stagesOf(resolveTop('stages') ?? resolveTop('types'));
  return {
    kinds: variant.contexts.map((context) => context.kind),
    jobs,
    workflow: workflowResult,
    stages,
    stagesDeclared: declared,
    hiddenJobs: [...candidates.keys()].filter((name) => name.startsWith('.')).sort(),
    instances,
    scope: jobScope,
  };
}


/** A job (or one `parallel` instance of it): when it runs in each kind of pipeline of the variant. */
function buildJob(name: string, baseName: string, final: CiMap, origin: NodeOrigin, unresolved: string[], instanceVars: Record<string, string>, scope: JobScope): BuiltJob {
  const outcomes = new Map<PipelineKind, JobOutcome>();
  const instance = new Map<string, VarValue>(Object.entries(instanceVars).map(([key, text]) => [key, { kind: 'value', value: text }]));
  const uncertain = scope.uncertainKeys.get(baseName);
  const own = ownVariables(final);
  const conditions = conditionNodes(final);
  // Jobs that share their conditions (a `.rules` template) and define none of the variables those read share outcomes.
  const shared = own.inherit === true && !conditions.some((node) => [...namesRead(node)].some((read) => own.vars.has(read) || instance.has(read)));
  const when = scalarString(final.entries.get('when')?.value) ?? 'on_success';
  for (const context of scope.contexts) {
    const key = `${context.kind}\0${when}`;
    let outcome = shared ? scope.outcomes.get(conditions[0] ?? NO_CONDITIONS)?.get(key) : undefined;
    if (outcome && conditions.length > 1 && scope.outcomes.get(conditions[1] ?? NO_CONDITIONS)?.get(key) !== outcome) outcome = undefined;
    if (!outcome) {
      outcome = evaluateJob(final, context, own, instance, scope);
      if (shared) {
        for (const node of conditions.length > 0 ? conditions : [NO_CONDITIONS]) {
          const byKey = scope.outcomes.get(node) ?? new Map<string, JobOutcome>();
          byKey.set(key, outcome);
          scope.outcomes.set(node, byKey);
        }
      }
    }
    if (uncertain && outcome.runs !== false) outcome = { ...outcome, runs: 'unknown', unknown: new Set([...outcome.unknown, ...uncertain]) };
    outcomes.set(context.kind, outcome);
  }
  return { shape: normalizeJob(name, final, origin), map: final, outcomes, unresolved };
}

/** When a job runs in one kind of pipeline: over the workflow's scenarios. */
function evaluateJob(final: CiMap, context: PipelineContext, own: OwnVariables, instance: ReadonlyMap<string, VarValue>, scope: JobScope): JobOutcome {
  const results: CiTri[] = [];
  const assumed = new Set<string>();
  const outcome: JobOutcome = { runs: false, whens: new Set(), unknown: new Set(), assumed };
  const decided: (CiMap | undefined)[] = [];
  for (const scenario of scope.scenarios.get(context.kind) ?? []) {
    if (!scenario.runs) continue;
    const lookup = varLookup(context, [...inherited(own, [scope.globalVars, scenario.vars]), own.vars, instance, scope.pipelineVars], (name) => assumed.add(name));
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

/** Stands for "no rules, only or except" in the outcome cache. */
const NO_CONDITIONS: CiNode = { kind: 'scalar', value: null, origin: undefined as unknown as NodeOrigin };

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
function jobVariables(job: CiMap, globals: ReadonlyMap<string, VarValue>): Map<string, VarValue> {
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

/** The CiJob of a built job, with the facts that need the whole pipeline: needs, scans, gating. */
function finishJob(built: BuiltJob, runsIn: CiRunsIn, unknown: string[], result: VariantResult, resultOf: (kind: PipelineKind) => VariantResult | undefined, scanners: readonly ScannerDefinition[]): CiJob {
  const workflowMay = (kind: PipelineKind): boolean => resultOf(kind)?.workflow.get(kind)?.runs !== false;
  const may = (kind: PipelineKind): boolean => workflowMay(kind) && runsIn[kind] !== false;
  const whens = new Set<string>();
  const outcomeIn = (kind: PipelineKind): JobOutcome | undefined => resultOf(kind)?.jobs.get(built.shape.name)?.outcomes.get(kind);
  for (const kind of ['mergeRequest', 'branch', 'defaultBranch'] as const) {
    if (workflowMay(kind)) for (const when of outcomeIn(kind)?.whens ?? []) whens.add(when);
  }
  const assumed = new Set<string>();
  for (const kind of PIPELINE_KINDS) for (const name of outcomeIn(kind)?.assumed ?? []) assumed.add(name);
  const forMergeRequestsOf = (field: 'assumed' | 'unknown'): string[] => [...new Set([...(outcomeIn('mergeRequest')?.[field] ?? []), ...(outcomeIn('branch')?.[field] ?? [])])].sort();
  const hasRules = !isNull(built.map.entries.get('rules')?.value);
  // rules:needs of the rule that certainly applies in merge-request pipelines (else on the default branch) replaces needs.
  const decided = built.outcomes.get('mergeRequest')?.decided ?? built.outcomes.get('defaultBranch')?.decided;
  const needsNode = decided?.entries.get('needs')?.value ?? built.map.entries.get('needs')?.value;
  const needs = needsOf(needsNode, result.instances, built.parallel?.variables);
  const scans = [...jobScans(built.shape.script, scanners), ...(built.providedScan ? [built.providedScan] : []), ...(built.triggerScans ?? [])];
  // See rules.ts: a job gates MRs through the MR pipeline or through the MR branch's own pipeline.
  const forMergeRequests = orTri(workflowMay('mergeRequest') ? runsIn.mergeRequest : false, workflowMay('branch') ? runsIn.branch : false);
  const job: CiJob = {
    ...built.shape,
    needs: needs.names,
    runsIn,
    runsInMergeRequests: may('mergeRequest') || may('branch'),
    runsOnDefaultBranch: may('defaultBranch'),
    ...(hasRules ? { ruleWhen: [...whens].sort() } : {}),
    scans,
    gatesMergeRequests: mergeRequestGate({ when: built.shape.when, ruleWhen: hasRules ? [...whens] : undefined, forMergeRequests, unknown: forMergeRequestsOf('unknown'), assumed: forMergeRequestsOf('assumed') }, workflowMay('mergeRequest')),
  };
  if (assumed.size > 0) job.assumedUnset = [...assumed].sort();
  if (needs.optional.length > 0) job.optionalNeeds = needs.optional;
  if (needs.declared) job.needsDeclared = true;
  if (unknown.length > 0) job.unknownConditions = unknown;
  if (built.unresolved.length > 0) job.unresolved = built.unresolved;
  if (built.provided) job.providedBy = built.provided;
  if (built.parallel) job.parallel = built.parallel;
  if (built.trigger) job.trigger = built.trigger;
  return job;
}

function orTri(a: CiTri, b: CiTri): CiTri {
  if (a === true || b === true) return true;
  return a === false && b === false ? false : 'unknown';
}

/**
 * `needs:` as names of this pipeline's jobs: a job's name, a `parallel:matrix` entry's instances, a matrix job's
 * name as all its instances. Entries of other pipelines (`pipeline:`) and projects (`project:`) are not local.
 */
function needsOf(node: CiNode | undefined, instances: ReadonlyMap<string, JobInstance[]>, instanceVars?: Record<string, string>): { names: string[]; optional: string[]; declared: boolean } {
  const names: string[] = [];
  const optional: string[] = [];
  if (!node || isNull(node)) return { names, optional, declared: false };
  for (const item of flatItems(node)) {
    let name: string | undefined;
    let isOptional = false;
    let expanded: string[] | undefined;
    if (item.kind === 'map') {
      if (item.entries.has('pipeline') || item.entries.has('project')) continue;
      name = scalarString(item.entries.get('job')?.value);
      const optionalNode = item.entries.get('optional')?.value;
      isOptional = optionalNode?.kind === 'scalar' && optionalNode.value === true;
      const parallel = item.entries.get('parallel')?.value;
      const rows = parallel?.kind === 'map' ? parallel.entries.get('matrix')?.value : undefined;
      if (name !== undefined && rows) expanded = matrixNeeds(name, rows, instances.get(name), instanceVars);
    } else name = scalarString(item);
    if (name === undefined || name === '') continue;
    const list = expanded ?? instances.get(name)?.map((instance) => instance.name) ?? [name];
    names.push(...list);
    if (isOptional) optional.push(...list);
  }
  return { names, optional, declared: true };
}

/**
 * The instances a `needs:parallel:matrix` entry names: each row selects the producer's instances whose variables
 * include the row's (all its keys: one instance; some: every instance that has them). `$[[ matrix.X ]]` is the
 * needing instance's own value of X (GitLab's matrix expressions).
 */
function matrixNeeds(name: string, rows: CiNode, producer: readonly JobInstance[] | undefined, instanceVars: Record<string, string> | undefined): string[] {
  const own = (text: string): string => text.replace(/\$\[\[\s*matrix\.([A-Za-z0-9_-]+)\s*\]\]/g, (match, key: string) => instanceVars?.[key] ?? match);
  const out: string[] = [];
  for (const wanted of matrixCombinations(rows)) {
    const values = Object.fromEntries(Object.entries(wanted).map(([key, value]) => [key, own(value)]));
    const matching = (producer ?? []).filter((instance) => Object.entries(values).every(([key, value]) => instance.variables[key] === value));
    if (matching.length > 0) out.push(...matching.map((instance) => instance.name));
    else out.push(matrixName(name, values));
  }
  return [...new Set(out)];
}

/**
 * `trigger:`: another project's pipeline (noted, not resolved), or a child pipeline of `include:` files, resolved
 * as a pipeline of its own with the variables the trigger job passes. Its scans count for the trigger job where
 * they may gate: as blocking scans with `strategy: depend` (the trigger job takes the child's status), else as
 * scans that cannot fail the parent.
 */
function resolveTrigger(ctx: CiResolveContext, reporter: CiReporter, built: BuiltJob, trigger: CiNode, scope: JobScope, parent: PipelineScope): void {
  const text = scalarString(trigger);
  if (text !== undefined && trigger.kind === 'scalar') {
    built.trigger = { kind: 'project', target: text };
    return;
  }
  if (trigger.kind !== 'map') return;
  const strategy = scalarString(trigger.entries.get('strategy')?.value);
  const project = scalarString(trigger.entries.get('project')?.value);
  if (project !== undefined) {
    built.trigger = { kind: 'project', target: project, ...(strategy !== undefined ? { strategy } : {}) };
    return;
  }
  const includeEntry = trigger.entries.get('include');
  if (!includeEntry) return;
  const targets = flatItems(includeEntry.value).map((item) => scalarString(item) ?? scalarString(item.kind === 'map' ? (item.entries.get('local') ?? item.entries.get('file') ?? item.entries.get('template') ?? item.entries.get('artifact'))?.value : undefined) ?? '?');
  const result: CiTrigger = { kind: 'child', target: targets.join(', '), ...(strategy !== undefined ? { strategy } : {}) };
  built.trigger = result;
  // One level: a child's own triggers are recorded, not resolved (a child often includes the parent's file again).
  if (parent.depth >= MAX_CHILD_DEPTH) return;
  const dynamic = flatItems(includeEntry.value).some((item) => item.kind === 'map' && item.entries.has('artifact'));
  if (dynamic) {
    reporter.report('unresolved-include', 'note', `The child pipeline of ${built.shape.name} is generated by a job (include: artifact) and is not checked.`, includeEntry.origin, `trigger-artifact:${built.shape.name}`);
    return;
  }
  // The child gets the trigger job's variables, with those of its rule that applies (in merge requests, else on the
  // default branch): one child pipeline is resolved, not one per kind of pipeline.
  const decided = built.outcomes.get('mergeRequest')?.decided ?? built.outcomes.get('defaultBranch')?.decided;
  const variables = yamlVariables(decided?.entries.get('variables')?.value, jobVariables(built.map, scope.globalVars));
  for (const [key, value] of parent.variables) variables.set(key, value);
  const key = `${includeEntry.origin.source.document.file}:${includeEntry.origin.start}:${JSON.stringify([...variables].sort())}`;
  let child = parent.children.get(key);
  if (!child) {
    if (parent.children.size >= MAX_CHILD_PIPELINES) return;
    const root: CiMap = { kind: 'map', entries: new Map([['include', includeEntry]]), origin: trigger.origin };
    child = buildPipeline(ctx, reporter, root, undefined, { file: `${parent.file}#${built.shape.name}`, depth: parent.depth + 1, variables, children: new Map() });
    parent.children.set(key, child);
  }
  result.pipeline = child;
  built.triggerScans = child.jobs
    .filter((childJob) => childJob.gatesMergeRequests.value !== false)
    .flatMap((childJob) => childJob.scans.map((scan) => ({ ...scan, nonFailing: scan.nonFailing || strategy !== 'depend' || childJob.allowFailure !== false })));
}

function defaultEntries(config: CiMap, resolveTop: (key: string) => CiNode | undefined): Map<string, CiEntry> {
  const entries = new Map<string, CiEntry>();
  for (const key of LEGACY_GLOBAL_DEFAULTS) {
    const entry = config.entries.get(key);
    const node = resolveTop(key);
    if (entry && node) entries.set(key, { value: node, origin: entry.origin });
  }
  const block = resolveTop('default');
  if (block?.kind === 'map') {
    for (const key of DEFAULT_KEYS) {
      const entry = block.entries.get(key);
      if (entry && !isNull(entry.value)) entries.set(key, entry);
    }
  }
  return entries;
}

/** `stages:` (nested lists from `!reference` flattened), with `.pre` first and `.post` last as GitLab injects them. */
function stagesOf(node: CiNode | undefined): { stages: string[]; declared: boolean } {
  if (!node || node.kind !== 'seq') return { stages: [...DEFAULT_STAGES], declared: false };
  const declared = flatItems(node)
    .map(scalarString)
    .filter((stage): stage is string => stage !== undefined && stage !== '.pre' && stage !== '.post');
  return { stages: ['.pre', ...new Set(declared), '.post'], declared: true };
}

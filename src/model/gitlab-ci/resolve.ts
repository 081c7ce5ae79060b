import type { ParsedYamlFile } from '../yaml/parse.js';
import type { CiInclude, CiJob, CiPipeline, CiResolveContext, CiResolveResult, CiRunsIn, CiScan, CiTri, CiTrigger, CiUnknownReasons } from './types.js';
import { ExtendsResolver, GLOBAL_KEYWORDS, isJobCandidate } from './extends.js';
import type { VarValue } from './expression.js';
import { IncludeExpander, type IncludeExpansion } from './include.js';
import { configDocument, flatItems, isNull, scalarString, specDocument, toFactOrigin, type CiEntry, type CiMap, type CiNode } from './node.js';
import { applyDefaults, DEFAULT_KEYS, DEFAULT_STAGES, LEGACY_GLOBAL_DEFAULTS, normalizeJob, type JobShape } from './normalize.js';
import { parallelInstances, type JobInstance } from './parallel.js';
import { jobOutcomes, jobVariables, type JobOutcome, type JobScope, type Scenario } from './evaluate.js';
import { needsOf } from './needs.js';
import { PIPELINE_KINDS, pipelineContext, varLookup, type PipelineContext, type PipelineKind, type ProjectFacts } from './pipeline-kinds.js';
import { ReferenceResolver } from './reference.js';
import { CiReporter, readTree } from './report.js';
import { mergeRequestGate } from './gating.js';
import { SCANNERS, type ScannerDefinition } from './scanners.js';
import { jobScans } from './scans.js';
import { existsMatcher, workflowRuns, workflowScenarios, yamlVariables, type RuleEnv } from './rules.js';
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
  const pipeline = buildPipeline(ctx, reporter, root, header, { file: CI_FILE, depth: 0, variables: new Map(), children: new Map() });
  // After a `spec:` header, the configuration is the file's second document: where edits to it go.
  if (document.index > 0) pipeline.docIndex = document.index;
  return pipeline;
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
    const unknownIn: Partial<Record<PipelineKind, CiUnknownReasons>> = {};
    for (const kind of PIPELINE_KINDS) {
      const built = resultOf(kind)?.jobs.get(name);
      const outcome = built?.outcomes.get(kind);
      if (!outcome) continue;
      runsIn[kind] = outcome.runs;
      if (outcome.runs !== 'unknown') continue;
      for (const reason of outcome.unknown) unknown.add(reason);
      unknownIn[kind] = outcome.includeUnknown
        ? { conditions: [...(outcome.rulesUnknown ?? [])].sort(), include: [...outcome.includeUnknown].sort() }
        : { conditions: [...outcome.unknown].sort() };
    }
    const owner = representative.jobs.has(name) ? representative : results.find((result) => result.jobs.has(name));
    const built = owner?.jobs.get(name);
    if (!owner || !built) continue;
    const trigger = built.map.entries.get('trigger')?.value;
    if (trigger && !isNull(trigger) && Object.values(runsIn).some((runs) => runs !== false)) resolveTrigger(ctx, reporter, built, trigger, owner.scope, scope);
    const job = finishJob(built, runsIn, [...unknown].sort(), representative, resultOf, ctx.scanners ?? SCANNERS);
    if (unknown.size > 0) job.unknownIn = unknownIn;
    jobs.push(job);
  }
  jobs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const pipelineRuns = allKinds(true);
  const workflowUnknown = new Set<string>();
  const workflowUnknownIn: Partial<Record<PipelineKind, CiUnknownReasons>> = {};
  for (const kind of PIPELINE_KINDS) {
    const workflow = resultOf(kind)?.workflow.get(kind);
    if (!workflow) continue;
    pipelineRuns[kind] = workflow.runs;
    if (workflow.runs !== 'unknown') continue;
    for (const reason of workflow.unknown) workflowUnknown.add(reason);
    workflowUnknownIn[kind] = { conditions: [...workflow.unknown].sort() };
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
  if (workflowUnknown.size > 0) {
    pipeline.unknownConditions = [...workflowUnknown].sort();
    pipeline.unknownIn = workflowUnknownIn;
  }
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
      const built: BuiltJob = { shape: normalizeJob(instance.name, final, origin), map: final, outcomes: jobOutcomes(final, instance.name, name, instance.variables, jobScope), unresolved: [...new Set(unresolved)].sort() };
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

import type { CiJob, CiPipeline, CiResolveContext, CiResolveResult } from './types.js';
import { ExtendsResolver, GLOBAL_KEYWORDS, isJobCandidate } from './extends.js';
import type { Tri, VarValue } from './expression.js';
import { IncludeExpander } from './include.js';
import { configDocument, flatItems, isNull, scalarString, type CiEntry, type CiMap, type CiNode, type NodeOrigin } from './node.js';
import { applyDefaults, DEFAULT_KEYS, DEFAULT_STAGES, LEGACY_GLOBAL_DEFAULTS, normalizeJob } from './normalize.js';
import { ReferenceResolver } from './reference.js';
import { CiReporter, readTree } from './report.js';
import { mergeRequestGate } from './gating.js';
import { SCANNERS, type ScannerDefinition } from './scanners.js';
import { jobScans } from './scans.js';
import { evaluateOnlyExcept, evaluateRules, evaluateWorkflow, PIPELINE_KINDS, pipelineContext, varLookup, yamlVariables, type PipelineContext, type PipelineKind } from './rules.js';

export const CI_FILE = '.gitlab-ci.yml';

/**
 * Resolves a repo's `.gitlab-ci.yml` the way GitLab builds a pipeline configuration: includes (from the fleet),
 * then `extends`, then `!reference`, then `default:`; and evaluates when each job runs. Synchronous and
 * side-effect free: every file comes parsed from `ctx.lookup`. Problems are findings; it never throws.
 */
export function resolvePipeline(ctx: CiResolveContext): CiResolveResult {
  const reporter = new CiReporter(ctx.repoId);
  const parsed = ctx.lookup(ctx.repoId, CI_FILE, undefined);
  if (parsed === 'missing' || parsed === 'unavailable') return { diagnostics: [] };
  try {
    return { pipeline: build(ctx, reporter, configDocument(parsed)), diagnostics: reporter.diagnostics };
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

function emptyPipeline(partial: boolean): CiPipeline {
  const pipeline: CiPipeline = { file: CI_FILE, stages: [...DEFAULT_STAGES], stagesDeclared: false, includes: [], jobs: [], workflowAllowsMergeRequests: true, hiddenJobs: [] };
  if (partial) pipeline.partial = true;
  return pipeline;
}

function build(ctx: CiResolveContext, reporter: CiReporter, document: ReturnType<typeof configDocument>): CiPipeline {
  // A broken file already has its parse-error findings; its value is not trusted.
  if (!document) return emptyPipeline(false);
  if (document.broken) return emptyPipeline(true);
  const root = readTree(ctx.repoId, document, reporter, false);
  if (!root || isNull(root)) return emptyPipeline(false);
  if (root.kind !== 'map') {
    reporter.report('ci-config', 'error', `${CI_FILE} must be a map of jobs and keywords.`, root.origin, 'ci-root');
    return emptyPipeline(true);
  }

  const expansion = new IncludeExpander(ctx, reporter).expandRoot(root, CI_FILE);
  const { config } = expansion;
  const tolerate = expansion.incomplete;

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

  const defaultBranch = ctx.defaultBranch ?? 'main';
  const globalVars = yamlVariables(resolveTop('variables'));
  const workflow = resolveTop('workflow');
  const contexts = PIPELINE_KINDS.map((kind) => pipelineContext(kind, defaultBranch));
  const workflowRuns = new Map(contexts.map((context) => [context.kind, evaluateWorkflow(workflow, varLookup(context, globalVars))]));
  const scope: JobScope = {
    defaults: defaultEntries(config, resolveTop),
    globalVars,
    contexts,
    workflowRuns,
    workflowAllowsMergeRequests: workflowRuns.get('mr') !== false,
    scanners: ctx.scanners ?? SCANNERS,
  };

  const jobs: CiJob[] = [];
  for (const [name, job] of extended) {
    if (name.startsWith('.')) continue;
    const unresolved = extendsResolver.missingParents(name);
    const resolved = references.resolve(job, (reference) => unresolved.push(reference));
    if (resolved?.kind !== 'map') continue;
    jobs.push(buildJob(name, resolved, config.entries.get(name)?.origin ?? job.origin, unresolved, scope));
  }
  jobs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // GitLab resolves every `!reference` of the configuration: a broken one in an unused hidden job fails too.
  for (const [name, entry] of config.entries) {
    if (name.startsWith('.')) references.resolve(extended.get(name) ?? entry.value, () => undefined);
  }

  const { stages, declared } = stagesOf(resolveTop('stages') ?? resolveTop('types'));
  const pipeline: CiPipeline = {
    file: CI_FILE,
    stages,
    stagesDeclared: declared,
    includes: expansion.includes,
    jobs,
    workflowAllowsMergeRequests: scope.workflowAllowsMergeRequests,
    hiddenJobs: [...candidates.keys()].filter((name) => name.startsWith('.')).sort(),
  };
  if (expansion.incomplete) pipeline.partial = true;
  return pipeline;
}

/** What every job of the pipeline is evaluated against. */
interface JobScope {
  defaults: ReadonlyMap<string, CiEntry>;
  globalVars: ReadonlyMap<string, VarValue>;
  contexts: readonly PipelineContext[];
  workflowRuns: ReadonlyMap<PipelineKind, Tri>;
  workflowAllowsMergeRequests: boolean;
  scanners: readonly ScannerDefinition[];
}

/** A job after `extends` and `!reference`: `default:` applied, when it runs evaluated, normalized. */
function buildJob(name: string, job: CiMap, origin: NodeOrigin, unresolved: string[], scope: JobScope): CiJob {
  const final = applyDefaults(job, scope.defaults);
  const vars = jobVariables(final, scope.globalVars);
  const outcome = new Map<PipelineKind, Tri>();
  const whens = new Set<string>();
  for (const context of scope.contexts) {
    const result = jobRuns(final, context, vars);
    outcome.set(context.kind, result.runs);
    if (scope.workflowRuns.get(context.kind) !== false) for (const when of result.whens) whens.add(when);
  }
  const may = (kind: PipelineKind): boolean => scope.workflowRuns.get(kind) !== false && outcome.get(kind) !== false;
  const hasRules = !isNull(final.entries.get('rules')?.value);
  const normalized = normalizeJob(name, final, origin, {
    // See rules.ts: a job gates MRs through the MR pipeline or through the MR branch's own pipeline.
    runsInMergeRequests: may('mr') || may('branch'),
    runsOnDefaultBranch: may('default'),
    ...(hasRules ? { ruleWhen: [...whens].sort() } : {}),
    unresolved: [...new Set(unresolved)].sort(),
  });
  return {
    ...normalized,
    scans: jobScans(normalized.script, scope.scanners),
    gatesMergeRequests: mergeRequestGate(normalized, scope.workflowAllowsMergeRequests),
  };
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

function jobVariables(job: CiMap, globals: ReadonlyMap<string, VarValue>): ReadonlyMap<string, VarValue> {
  const inherit = job.entries.get('inherit')?.value;
  const setting = inherit?.kind === 'map' ? inherit.entries.get('variables')?.value : undefined;
  const own = job.entries.get('variables')?.value;
  if (!setting && (!own || isNull(own))) return globals;
  let vars = new Map(globals);
  if (setting?.kind === 'scalar' && setting.value === false) vars = new Map();
  else if (setting?.kind === 'seq') {
    const names = new Set(flatItems(setting).map(scalarString));
    vars = new Map([...globals].filter(([name]) => names.has(name)));
  }
  return yamlVariables(own, vars);
}

function jobRuns(job: CiMap, context: PipelineContext, vars: ReadonlyMap<string, VarValue>): { runs: Tri; whens: Set<string> } {
  const lookup = varLookup(context, vars);
  const when = scalarString(job.entries.get('when')?.value) ?? 'on_success';
  const rules = job.entries.get('rules')?.value;
  // GitLab rejects rules mixed with only/except; rules are what it would use, so they decide here.
  if (rules && !isNull(rules)) return evaluateRules(rules, lookup, when);
  const runs = evaluateOnlyExcept(job, context, lookup);
  return { runs, whens: runs === false ? new Set() : new Set([when]) };
}

/** `stages:` (nested lists from `!reference` flattened), with `.pre` first and `.post` last as GitLab injects them. */
function stagesOf(node: CiNode | undefined): { stages: string[]; declared: boolean } {
  if (!node) return { stages: [...DEFAULT_STAGES], declared: false };
  const declared = flatItems(node)
    .map(scalarString)
    .filter((stage): stage is string => stage !== undefined && stage !== '.pre' && stage !== '.post');
  return { stages: ['.pre', ...new Set(declared), '.post'], declared: true };
}

import path from 'node:path';
import type { Tri, VarLookup } from './expression.js';
import type { CiInclude, CiResolveContext, CiUnresolvedSource } from './types.js';
import { componentFiles, parseComponent, type ComponentAddress } from './component.js';
import { interpolate, inputValues, readSpec, type InputProblem } from './inputs.js';
import { localIncludeMatcher } from './local-glob.js';
import { deepMerge, withoutKeys } from './merge.js';
import { configDocument, emptyMap, flatItems, isNull, scalarString, specDocument, stringList, syntheticNode, toFactOrigin, type CiMap, type CiNode, type NodeOrigin } from './node.js';
import { readTree, type CiReporter } from './report.js';
import { includeRuns, type RuleEnv } from './rules.js';
import { knownProvider, providerRules, type KnownProvider } from './scanners.js';

/** GitLab's limit on included files per pipeline, nested ones and duplicates counted. */
export const MAX_INCLUDES = 150;

/** The file being expanded: local includes in it are relative to its repo, at its ref. */
interface Frame {
  repo: string;
  ref: string | undefined;
  file: string;
  /** Why this file may not be part of the pipeline (an include above it whose rules are undecided). */
  uncertain: readonly string[];
}

/** One file an include entry asks for. */
interface Request {
  include: CiInclude;
  at: NodeOrigin;
  /** Where to read it, when it can be read from the fleet. */
  repo?: string;
  file?: string;
  ref?: string;
  /** The `inputs:` the entry gives the file. */
  inputs?: CiNode;
  /** What the include's rules could not decide: the file may or may not be included. */
  uncertain?: readonly string[];
  /** Jobs GitLab's own template or component defines, known by name (it is not read). */
  provider?: KnownProvider;
}

/** How one pipeline (a kind of pipeline) sees `include:` entries: its variables and files. */
export interface IncludeScope {
  /** Predefined variables only: include rules and paths cannot use the configuration's own. */
  vars: VarLookup;
  env: RuleEnv;
}

export interface IncludeExpansion {
  /** The merged configuration: included files first, in order, then the file itself. */
  config: CiMap;
  includes: CiInclude[];
  /** Some include could not be loaded (unresolvable offline, missing, broken). */
  incomplete: boolean;
  /** Every choice that depended on the pipeline (include rules, variables in paths), in order: equal keys, equal configs. */
  decisions: string[];
  /** Top-level keys defined only by files that may not be included, with why. */
  uncertainKeys: Map<string, string[]>;
  /** Includes that were not read and could add jobs (outside the fleet, variables in the path). */
  unresolvedSources: CiUnresolvedSource[];
  /** Jobs that GitLab's own templates and components define, by job name, with the include entry that adds them. */
  providedJobs: Map<string, ProvidedJob>;
}

export interface ProvidedJob {
  provider: KnownProvider;
  at: NodeOrigin;
}

function frameKey(frame: Frame): string {
  return `${frame.repo}\0${frame.ref ?? ''}\0${frame.file}`;
}

function frameLabel(frame: Frame, rootRepo: string): string {
  const at = frame.ref === undefined ? '' : `@${frame.ref}`;
  return frame.repo === rootRepo && !at ? frame.file : `${frame.repo}${at}:${frame.file}`;
}

/** Variables in an include path: predefined ones are expanded, others (and unknown inputs) make the path unknown offline. */
function expandPath(text: string, vars: VarLookup): string | undefined {
  if (text.includes('$[[')) return undefined;
  const unknown: string[] = [];
  const out = text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (match, braced: string | undefined, bare: string | undefined) => {
    const value = vars(braced ?? bare ?? '');
    if (value.kind === 'value') return value.value;
    unknown.push(match);
    return match;
  });
  return unknown.length === 0 ? out : undefined;
}

/** Expands `include:` recursively, as GitLab's external-file processor does, for one kind of pipeline. */
export class IncludeExpander {
  private readonly includes: CiInclude[] = [];
  private readonly decisions: string[] = [];
  private readonly uncertainKeys = new Map<string, string[]>();
  private readonly certainKeys = new Set<string>();
  private readonly unresolvedSources: CiUnresolvedSource[] = [];
  private readonly providedJobs = new Map<string, ProvidedJob>();
  private count = 0;
  private limitReported = false;
  private incomplete = false;

  constructor(
    private readonly ctx: CiResolveContext,
    private readonly reporter: CiReporter,
    private readonly scope: IncludeScope,
  ) {}

  /** The root file, its `spec:inputs` (the pipeline's inputs: defaults, else unknown) interpolated first. */
  expandRoot(root: CiMap, file: string, header: CiNode | undefined): IncludeExpansion {
    const frame: Frame = { repo: this.ctx.repoId, ref: undefined, file, uncertain: [] };
    const problems: InputProblem[] = [];
    const spec = readSpec(header, problems);
    const values = inputValues(spec, undefined, root.origin, true, problems);
    const interpolated = interpolate(root, { values, vars: this.scope.vars, problems });
    this.reportInputProblems(problems);
    const own = interpolated.kind === 'map' ? interpolated : root;
    const config = this.expand(own, frame, [frame]);
    for (const key of own.entries.keys()) this.certainKeys.add(key);
    for (const key of this.certainKeys) this.uncertainKeys.delete(key);
    return {
      config,
      includes: this.includes,
      incomplete: this.incomplete,
      decisions: this.decisions,
      uncertainKeys: this.uncertainKeys,
      unresolvedSources: this.unresolvedSources,
      providedJobs: this.providedJobs,
    };
  }

  private reportInputProblems(problems: readonly InputProblem[]): void {
    for (const problem of problems) this.reporter.report('ci-config', 'error', problem.message, problem.at, problem.subject);
  }

  private expand(map: CiMap, frame: Frame, chain: readonly Frame[]): CiMap {
    const includeNode = map.entries.get('include')?.value;
    if (!includeNode) return map;
    let merged = emptyMap(map.origin);
    for (const entry of flatItems(includeNode)) {
      for (const request of this.requests(entry, frame)) {
        const loaded = this.load(request, chain, frame);
        if (!loaded) continue;
        const uncertain = [...frame.uncertain, ...(request.uncertain ?? [])];
        for (const key of loaded.entries.keys()) {
          if (uncertain.length === 0) this.certainKeys.add(key);
          else if (!this.certainKeys.has(key)) this.uncertainKeys.set(key, [...new Set([...(this.uncertainKeys.get(key) ?? []), ...uncertain])].sort());
        }
        merged = deepMerge(merged, loaded);
      }
    }
    return deepMerge(merged, withoutKeys(map, ['include']));
  }

  /** Reads, checks and expands one requested file; undefined when it is not part of the pipeline. */
  private load(request: Request, chain: readonly Frame[], parent: Frame): CiMap | undefined {
    const { include, at } = request;
    this.includes.push(include);
    if (include.skippedByRules) return undefined;
    this.count++;
    if (this.count > MAX_INCLUDES) {
      include.problem = `more than ${MAX_INCLUDES} includes`;
      this.incomplete = true;
      if (!this.limitReported) {
        this.limitReported = true;
        this.reporter.report('unresolved-include', 'error', `The pipeline includes more than ${MAX_INCLUDES} files (nested includes and duplicates count); GitLab rejects it.`, at, 'include-limit');
      }
      return undefined;
    }
    if (request.provider) return this.providerJobs(request.provider, at);
    if (include.problem !== undefined || request.repo === undefined || request.file === undefined) {
      if (include.problem !== undefined) this.incomplete = true;
      return undefined;
    }
    const frame: Frame = { repo: request.repo, ref: request.ref, file: request.file, uncertain: [...parent.uncertain, ...(request.uncertain ?? [])] };
    if (chain.some((step) => frameKey(step) === frameKey(frame))) {
      const names = [...chain, frame].map((step) => frameLabel(step, this.ctx.repoId)).join(' → ');
      this.fail(include, at, 'error', 'include loop', `Include loop: ${names}.`, `include-loop:${frameLabel(frame, this.ctx.repoId)}`);
      return undefined;
    }
    const parsed = this.ctx.lookup(frame.repo, frame.file, frame.ref);
    if (parsed === 'unavailable') {
      this.fail(include, at, 'note', 'repo not loaded', `Included file ${include.target} of ${frame.repo} cannot be checked: the repo is not loaded.`, `include:${frame.repo}:${frame.file}`);
      return undefined;
    }
    if (parsed === 'missing') {
      const where = frame.repo === this.ctx.repoId ? 'this repo' : frame.repo;
      const ref = frame.ref === undefined ? '' : ` at ${frame.ref}`;
      this.fail(include, at, 'error', 'file not found', `Included file ${frame.file} does not exist in ${where}${ref}.`, `include:${frame.repo}:${frame.file}`);
      return undefined;
    }
    const document = configDocument(parsed);
    if (document?.broken) {
      this.fail(include, at, 'error', 'YAML errors', `Included file ${frame.file} has YAML errors.`, `include:${frame.repo}:${frame.file}`);
      return undefined;
    }
    // A file of another repo (a template) is included by many repos: its tree is converted once and kept.
    const keep = frame.repo !== this.ctx.repoId;
    const tree = document ? readTree(frame.repo, document, this.reporter, keep) : undefined;
    if (tree && tree.kind !== 'map' && !(tree.kind === 'scalar' && tree.value === null)) {
      this.fail(include, at, 'error', 'not a map', `Included file ${frame.file} is not a YAML map of jobs and keywords.`, `include:${frame.repo}:${frame.file}`);
      return undefined;
    }
    include.resolved = true;
    if (tree?.kind !== 'map') return undefined;
    this.reporter.enter(tree.origin.source, at);
    const header = specDocument(parsed);
    const problems: InputProblem[] = [];
    const spec = header ? readSpec(readTree(frame.repo, header, this.reporter, keep), problems) : undefined;
    const values = inputValues(spec, request.inputs, at, false, problems);
    const body = interpolate(tree, { values, vars: this.scope.vars, problems });
    this.reportInputProblems(problems);
    return this.expand(body.kind === 'map' ? body : tree, frame, [...chain, frame]);
  }

  /** The jobs of a known GitLab template or component, as GitLab defines them (scanners.ts), at the include entry. */
  private providerJobs(provider: KnownProvider, at: NodeOrigin): CiMap {
    const jobs: Record<string, unknown> = {};
    for (const name of provider.jobs) {
      this.providedJobs.set(name, { provider, at });
      jobs[name] = { stage: provider.stage, allow_failure: true, rules: providerRules(provider) };
    }
    return syntheticNode(jobs, at) as CiMap;
  }

  private fail(include: CiInclude, at: NodeOrigin, severity: 'error' | 'note', problem: string, message: string, subject: string): void {
    include.problem = problem;
    this.incomplete = true;
    this.reporter.report('unresolved-include', severity, message, at, subject);
  }

  /** The files one `include:` entry asks for (a `project:` entry may list several). */
  private requests(entry: CiNode, frame: Frame): Request[] {
    const at = entry.origin;
    const make = (type: CiInclude['type'], target: string, extra: Partial<CiInclude> = {}): CiInclude => ({
      type,
      target,
      resolved: false,
      origin: toFactOrigin(at),
      ...(frame.repo === this.ctx.repoId ? {} : { viaRepo: frame.repo }),
      ...extra,
    });
    if (entry.kind === 'scalar' && entry.unknown !== undefined) return [this.offline(make('local', String(entry.value)), at, `Include ${String(entry.value)} (uses ${entry.unknown})`)];
    const text = scalarString(entry);
    if (text !== undefined) {
      // The string form is a remote URL or a local path.
      return /^https?:\/\//.test(text) ? [this.remote(make('remote', text), at)] : this.local(make('local', text), at, frame);
    }
    if (entry.kind !== 'map') {
      this.reporter.report('ci-config', 'error', 'An include entry must be a path, a URL or a map with local, project, remote, template or component.', at, 'include-entry');
      return [];
    }
    const value = (key: string): string | undefined => scalarString(entry.entries.get(key)?.value);
    const rules = entry.entries.get('rules')?.value;
    const decided = rules && !isNull(rules) ? this.decide(rules, at) : undefined;
    const conditional: Partial<CiInclude> = decided ? { conditional: true, ...(decided.runs === false ? { skippedByRules: true } : {}) } : {};
    const inputs = entry.entries.get('inputs')?.value;
    const withExtras = (requests: Request[]): Request[] =>
      requests.map((request) => ({
        ...request,
        ...(inputs && !isNull(inputs) ? { inputs } : {}),
        ...(decided?.runs === 'unknown' ? { uncertain: decided.unknown } : {}),
      }));
    const local = value('local');
    const project = value('project');
    const remote = value('remote');
    const template = value('template');
    const component = value('component');
    if (local !== undefined) return withExtras(this.local(make('local', local, conditional), at, frame));
    if (project !== undefined) return withExtras(this.project(project, entry, at, frame, (target, extra) => make('project', target, { ...conditional, ...extra })));
    if (remote !== undefined) return withExtras([this.remote(make('remote', remote, conditional), at)]);
    if (template !== undefined) return withExtras([this.template(make('template', template, conditional), at)]);
    if (component !== undefined) return withExtras([this.component(make('component', component, conditional), at)]);
    this.reporter.report('ci-config', 'error', 'An include entry must have local, project, remote, template or component.', at, 'include-entry');
    return [];
  }

  /** `include:rules` in this pipeline, recorded as a decision (two pipelines that decide alike share a config). */
  private decide(rules: CiNode, at: NodeOrigin): { runs: Tri; unknown: string[] } {
    const outcome = includeRuns(rules, this.scope.vars, this.scope.env);
    const unknown = [...outcome.unknown].sort();
    this.decisions.push(`${at.source.repo}:${at.source.document.file}:${at.start}=${String(outcome.runs)}`);
    return { runs: outcome.runs, unknown };
  }

  /** Includes that cannot be read offline: noted, not an error, and recorded as a source that may add jobs. */
  private offline(include: CiInclude, at: NodeOrigin, what: string, known?: KnownProvider): Request {
    if (!include.skippedByRules) {
      include.problem = 'not resolvable offline';
      this.incomplete = true;
      const provides = known ? ` (known as GitLab's ${known.tool}: ${known.category} scan, jobs ${known.jobs.join(', ')})` : '';
      this.reporter.report('unresolved-include', 'note', `${what} is not checked: fleetlint resolves only includes from the fleet${provides}.`, at, `include:${include.type}:${include.target}`);
      const source: CiUnresolvedSource = { type: include.type, target: include.target, origin: include.origin };
      if (known) source.provides = [known.category];
      this.unresolvedSources.push(source);
    }
    return known && !include.skippedByRules ? { include, at, provider: known } : { include, at };
  }

  private template(include: CiInclude, at: NodeOrigin): Request {
    const known = knownProvider('template', include.target);
    if (known) include.provides = [known.category];
    // GitLab's own templates are known by name: one that is not a scanner of the table provides no scan.
    const request = this.offline(include, at, `GitLab template ${include.target}`, known);
    const source = this.unresolvedSources.at(-1);
    if (source?.target === include.target && !known) source.provides = [];
    return request;
  }

  private component(include: CiInclude, at: NodeOrigin): Request {
    const address = parseComponent(include.target, this.scope.vars);
    if (!address) {
      if (/[$]/.test(include.target)) return this.offline(include, at, `CI/CD component ${include.target} (uses variables)`);
      include.problem = 'invalid component address';
      this.reporter.report('ci-config', 'error', `Component ${include.target} is not an address of the form <host>/<project path>/<name>@<version>.`, at, `component:${include.target}`);
      return { include, at };
    }
    include.project = address.project;
    include.ref = address.version;
    const repo = this.isFleetHost(address) ? this.ctx.resolveProject(address.project) : undefined;
    if (repo !== undefined) return this.fleetComponent(include, at, address, repo);
    const known = knownProvider('component', `${address.project}/${address.name}`);
    if (known) include.provides = [known.category];
    const request = this.offline(include, at, `CI/CD component ${include.target}`, known);
    const source = this.unresolvedSources.at(-1);
    // GitLab's own components (its `components` group) are known by name, like its templates.
    if (source?.target === include.target && !known && /^components\//.test(address.project)) source.provides = [];
    return request;
  }

  /** The component is on the fleet's GitLab: `$CI_SERVER_FQDN`, or the fleet's host (any host when the fleet names none). */
  private isFleetHost(address: ComponentAddress): boolean {
    const host = this.ctx.serverHost;
    return address.thisInstance || host === undefined || address.host.toLowerCase() === host.toLowerCase();
  }

  /** A component of a fleet project: `templates/<name>.yml` or `templates/<name>/template.yml` of the loaded tree. */
  private fleetComponent(include: CiInclude, at: NodeOrigin, address: ComponentAddress, repo: string): Request {
    include.resolvedRepo = repo;
    const file = componentFiles(address.name).find((candidate) => {
      const found = this.ctx.lookup(repo, candidate, undefined);
      return found !== 'missing';
    });
    if (file === undefined) {
      include.problem = 'file not found';
      this.incomplete = true;
      this.reporter.report('unresolved-include', 'error', `Component ${address.name} of ${repo} does not exist: neither ${componentFiles(address.name).join(' nor ')} is there.`, at, `component:${repo}:${address.name}`);
      return { include, at };
    }
    const pinned = address.version === '$CI_COMMIT_SHA' || address.version === '${CI_COMMIT_SHA}' || address.version === '~latest';
    if (!pinned && !address.sameProject) {
      this.reporter.report('unresolved-include', 'note', `Component ${address.name} is read from the fleet's copy of ${repo}; version ${address.version} is not checked against it.`, at, `component-version:${repo}:${address.name}`);
    }
    return { include, at, repo, file };
  }

  private local(include: CiInclude, at: NodeOrigin, frame: Frame): Request[] {
    const target = include.target;
    if (target.trim() === '') {
      include.problem = 'empty path';
      this.reporter.report('ci-config', 'error', 'include: local must name a file; it is empty.', at, 'include-local-empty');
      return [{ include, at }];
    }
    const expanded = target.includes('$') ? expandPath(target, this.scope.vars) : target;
    if (expanded === undefined) return [this.offline(include, at, `Local include ${target} (uses variables)`)];
    if (expanded !== target) this.decisions.push(`${target}=${expanded}`);
    const file = path.posix.normalize(expanded.replace(/^\/+/, ''));
    if (file.startsWith('..') || file === '.') {
      include.problem = 'invalid path';
      this.reporter.report('unresolved-include', 'error', `Local include ${target} points outside the repo.`, at, `include:local:${target}`);
      return [{ include, at }];
    }
    const ref = frame.ref === undefined ? {} : { ref: frame.ref };
    if (!/[*?[{]/.test(file)) return [{ include, at, repo: frame.repo, file, ...ref }];
    const files = this.ctx.listFiles?.(frame.repo);
    if (!files) return [this.offline(include, at, `Wildcard include ${target}`)];
    const isMatch = localIncludeMatcher(file);
    const matched = files.filter((candidate) => isMatch(candidate) && /\.ya?ml$/.test(candidate)).sort();
    if (matched.length === 0) {
      include.problem = 'no file matches';
      this.reporter.report('unresolved-include', 'error', `No file matches the include pattern ${target}.`, at, `include:local:${target}`);
      return [{ include, at }];
    }
    return matched.map((match) => ({ include: { ...include, target: match }, at, repo: frame.repo, file: match, ...ref }));
  }

  private project(project: string, entry: CiNode & { kind: 'map' }, at: NodeOrigin, frame: Frame, make: (target: string, extra: Partial<CiInclude>) => CiInclude): Request[] {
    const ref = scalarString(entry.entries.get('ref')?.value);
    const files = stringList(entry.entries.get('file')?.value).values;
    const base: Partial<CiInclude> = { project, ...(ref === undefined ? {} : { ref }) };
    if (files.length === 0) {
      this.reporter.report('ci-config', 'error', `include: project ${project} needs a file.`, at, `include:project:${project}`);
      return [];
    }
    // Include paths may use predefined variables; others (project, pipeline variables) are not known offline.
    const projectPath = expandPath(project, this.scope.vars);
    const refText = ref === undefined ? undefined : expandPath(ref, this.scope.vars);
    const variable = projectPath === undefined || (ref !== undefined && refText === undefined);
    const repo = variable ? undefined : this.ctx.resolveProject(projectPath.replace(/^\/+|\/+$/g, ''));
    return files.map((file) => {
      const include = make(file, { ...base, ...(repo === undefined ? {} : { resolvedRepo: repo }) });
      if (variable || file.includes('$')) return this.offline(include, at, `Project include ${project}:${file} (uses variables)`);
      if (repo === undefined) {
        if (include.skippedByRules) return { include, at };
        if (this.isFleetProject(projectPath)) {
          include.problem = 'project not in the fleet';
          this.incomplete = true;
          this.reporter.report('unresolved-include', 'error', `Included project ${project} is not a repo of the fleet.`, at, `include:project:${project}:${file}`);
          return { include, at };
        }
        return this.offline(include, at, `Project include ${project}:${file}`);
      }
      // The same project at the pipeline's own commit is the revision being linted.
      const sameRevision = repo === frame.repo && (refText === '$CI_COMMIT_SHA' || refText === undefined);
      return { include, at, repo, file: path.posix.normalize(file.replace(/^\/+/, '')), ...(ref === undefined || sameRevision ? {} : { ref }) };
    });
  }

  private isFleetProject(project: string): boolean {
    const group = this.ctx.fleetGroup;
    return group !== undefined && group !== '' && project.replace(/^\/+/, '').startsWith(`${group}/`);
  }

  /** A remote URL that is a raw file of a fleet project (`https://host/group/project/-/raw/ref/file`) is read from the fleet. */
  private remote(include: CiInclude, at: NodeOrigin): Request {
    const raw = /^https?:\/\/[^/]+\/(.+?)\/-\/raw\/([^/]+)\/(.+?)(?:\?.*)?$/.exec(include.target);
    const repo = raw?.[1] === undefined ? undefined : this.ctx.resolveProject(raw[1]);
    if (raw && repo !== undefined) {
      include.resolvedRepo = repo;
      include.project = raw[1] ?? '';
      include.ref = raw[2] ?? '';
      return { include, at, repo, file: raw[3] ?? '', ref: raw[2] ?? '' };
    }
    return this.offline(include, at, `Remote include ${include.target}`);
  }
}

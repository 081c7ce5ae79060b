import path from 'node:path';
import picomatch from 'picomatch';
import type { CiInclude, CiResolveContext } from './types.js';
import { deepMerge, withoutKeys } from './merge.js';
import { configDocument, emptyMap, flatItems, scalarString, stringList, toFactOrigin, type CiMap, type CiNode, type NodeOrigin } from './node.js';
import { readTree, type CiReporter } from './report.js';
import { includeRulesNeverMatch } from './rules.js';

/** GitLab's limit on included files per pipeline, nested ones and duplicates counted. */
export const MAX_INCLUDES = 150;

/** The file being expanded: local includes in it are relative to its repo, at its ref. */
interface Frame {
  repo: string;
  ref: string | undefined;
  file: string;
}

/** One file an include entry asks for. */
interface Request {
  include: CiInclude;
  at: NodeOrigin;
  /** Where to read it, when it can be read from the fleet. */
  repo?: string;
  file?: string;
  ref?: string;
}

export interface IncludeExpansion {
  /** The merged configuration: included files first, in order, then the file itself. */
  config: CiMap;
  includes: CiInclude[];
  /** Some include could not be loaded (unresolvable offline, missing, broken). */
  incomplete: boolean;
}

function frameKey(frame: Frame): string {
  return `${frame.repo}\0${frame.ref ?? ''}\0${frame.file}`;
}

function frameLabel(frame: Frame, rootRepo: string): string {
  const at = frame.ref === undefined ? '' : `@${frame.ref}`;
  return frame.repo === rootRepo && !at ? frame.file : `${frame.repo}${at}:${frame.file}`;
}

/** Expands `include:` recursively, as GitLab's external-file processor does. */
export class IncludeExpander {
  private readonly includes: CiInclude[] = [];
  private count = 0;
  private limitReported = false;
  private incomplete = false;

  constructor(
    private readonly ctx: CiResolveContext,
    private readonly reporter: CiReporter,
  ) {}

  expandRoot(root: CiMap, file: string): IncludeExpansion {
    const frame: Frame = { repo: this.ctx.repoId, ref: undefined, file };
    const config = this.expand(root, frame, [frame]);
    return { config, includes: this.includes, incomplete: this.incomplete };
  }

  private expand(map: CiMap, frame: Frame, chain: readonly Frame[]): CiMap {
    const includeNode = map.entries.get('include')?.value;
    if (!includeNode) return map;
    let merged = emptyMap(map.origin);
    for (const entry of flatItems(includeNode)) {
      for (const request of this.requests(entry, frame)) {
        const loaded = this.load(request, chain);
        if (loaded) merged = deepMerge(merged, loaded);
      }
    }
    return deepMerge(merged, withoutKeys(map, ['include']));
  }

  /** Reads, checks and expands one requested file; undefined when it is not part of the pipeline. */
  private load(request: Request, chain: readonly Frame[]): CiMap | undefined {
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
    if (include.problem !== undefined || request.repo === undefined || request.file === undefined) {
      this.incomplete = true;
      return undefined;
    }
    const frame: Frame = { repo: request.repo, ref: request.ref, file: request.file };
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
    const tree = document ? readTree(frame.repo, document, this.reporter, frame.repo !== this.ctx.repoId) : undefined;
    if (tree && tree.kind !== 'map' && !(tree.kind === 'scalar' && tree.value === null)) {
      this.fail(include, at, 'error', 'not a map', `Included file ${frame.file} is not a YAML map of jobs and keywords.`, `include:${frame.repo}:${frame.file}`);
      return undefined;
    }
    include.resolved = true;
    if (tree?.kind !== 'map') return undefined;
    this.reporter.enter(tree.origin.source, at);
    return this.expand(tree, frame, [...chain, frame]);
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
    const conditional: Partial<CiInclude> = rules ? { conditional: true, ...(includeRulesNeverMatch(rules) ? { skippedByRules: true } : {}) } : {};
    const local = value('local');
    const project = value('project');
    const remote = value('remote');
    const template = value('template');
    const component = value('component');
    let requests: Request[];
    if (local !== undefined) requests = this.local(make('local', local, conditional), at, frame);
    else if (project !== undefined) requests = this.project(project, entry, at, (target, extra) => make('project', target, { ...conditional, ...extra }));
    else if (remote !== undefined) requests = [this.remote(make('remote', remote, conditional), at)];
    else if (template !== undefined) requests = [this.offline(make('template', template, conditional), at, `GitLab template ${template}`)];
    else if (component !== undefined) requests = [this.offline(make('component', component, conditional), at, `CI/CD component ${component}`)];
    else {
      this.reporter.report('ci-config', 'error', 'An include entry must have local, project, remote, template or component.', at, 'include-entry');
      return [];
    }
    return requests;
  }

  /** Template, component and non-fleet remote includes cannot be read offline: noted, not an error. */
  private offline(include: CiInclude, at: NodeOrigin, what: string): Request {
    if (!include.skippedByRules) {
      include.problem = 'not resolvable offline';
      this.reporter.report('unresolved-include', 'note', `${what} is not checked: fleetlint resolves only includes from the fleet.`, at, `include:${include.type}:${include.target}`);
    }
    return { include, at };
  }

  private local(include: CiInclude, at: NodeOrigin, frame: Frame): Request[] {
    const target = include.target;
    if (target.includes('$')) return [this.offline(include, at, `Local include ${target} (uses variables)`)];
    const file = path.posix.normalize(target.replace(/^\/+/, ''));
    if (file.startsWith('..') || file === '.') {
      include.problem = 'invalid path';
      this.reporter.report('unresolved-include', 'error', `Local include ${target} points outside the repo.`, at, `include:local:${target}`);
      return [{ include, at }];
    }
    if (!/[*?[{]/.test(file)) return [{ include, at, repo: frame.repo, file, ...(frame.ref === undefined ? {} : { ref: frame.ref }) }];
    const files = this.ctx.listFiles?.(frame.repo);
    if (!files) return [this.offline(include, at, `Wildcard include ${target}`)];
    const isMatch = picomatch(file, { dot: true });
    const matched = files.filter((candidate) => isMatch(candidate) && /\.ya?ml$/.test(candidate)).sort();
    if (matched.length === 0) {
      include.problem = 'no file matches';
      this.reporter.report('unresolved-include', 'error', `No file matches the include pattern ${target}.`, at, `include:local:${target}`);
      return [{ include, at }];
    }
    return matched.map((match) => ({
      include: { ...include, target: match },
      at,
      repo: frame.repo,
      file: match,
      ...(frame.ref === undefined ? {} : { ref: frame.ref }),
    }));
  }

  private project(project: string, entry: CiNode & { kind: 'map' }, at: NodeOrigin, make: (target: string, extra: Partial<CiInclude>) => CiInclude): Request[] {
    const ref = scalarString(entry.entries.get('ref')?.value);
    const files = stringList(entry.entries.get('file')?.value).values;
    const base: Partial<CiInclude> = { project, ...(ref === undefined ? {} : { ref }) };
    if (files.length === 0) {
      this.reporter.report('ci-config', 'error', `include: project ${project} needs a file.`, at, `include:project:${project}`);
      return [];
    }
    // Include paths may use project and pipeline variables, which are not known offline.
    const variable = project.includes('$') || ref?.includes('$') === true;
    const repo = variable ? undefined : this.ctx.resolveProject(project.replace(/^\/+|\/+$/g, ''));
    return files.map((file) => {
      const include = make(file, { ...base, ...(repo === undefined ? {} : { resolvedRepo: repo }) });
      if (variable || file.includes('$')) return this.offline(include, at, `Project include ${project}:${file} (uses variables)`);
      if (repo === undefined) {
        if (include.skippedByRules) return { include, at };
        if (this.isFleetProject(project)) {
          include.problem = 'project not in the fleet';
          this.reporter.report('unresolved-include', 'error', `Included project ${project} is not a repo of the fleet.`, at, `include:project:${project}:${file}`);
          return { include, at };
        }
        return this.offline(include, at, `Project include ${project}:${file}`);
      }
      return { include, at, repo, file: path.posix.normalize(file.replace(/^\/+/, '')), ...(ref === undefined ? {} : { ref }) };
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

import { posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ArgoCluster, Repo, RepoResolver } from '../../types.js';
import { isMap, type PlainMap } from '../../k8s/value.js';
import { renderFastTemplate } from './fast-template.js';
import { goString, renderGoTemplate, sanitizeName, Unevaluated, type GoTemplateOptions } from './go-template.js';
import { pathMatch, pathspecMatch, repoDirectories } from './paths.js';

/** One parameter set: what a template is rendered with. */
export type Params = Record<string, unknown>;

export interface GeneratorEnv {
  goTemplate: boolean;
  options: GoTemplateOptions;
  resolveRepo: RepoResolver;
  repoById: ReadonlyMap<string, Repo>;
  /** The clusters ArgoCD knows; `local` when it is only its own cluster (no cluster secret). */
  clusters: { list: readonly ArgoCluster[]; local: boolean };
}

/** A generator's parameter sets, or why they cannot be known without ArgoCD (a live cluster, an SCM API). */
export type Generated = { ok: true; params: Params[] } | { ok: false; reason: string; kind: GeneratorKind };

export const GENERATOR_KINDS = ['list', 'clusters', 'git', 'matrix', 'merge', 'scmProvider', 'pullRequest', 'clusterDecisionResource', 'plugin'] as const;
export type GeneratorKind = (typeof GENERATOR_KINDS)[number];

const NEEDS_ARGOCD: Partial<Record<GeneratorKind, string>> = {
  scmProvider: 'asks an SCM provider\'s API for repositories',
  pullRequest: 'asks an SCM provider\'s API for pull requests',
  clusterDecisionResource: 'reads a resource in the cluster',
  plugin: 'calls a plugin service',
};

/** Nested matrix and merge generators: ArgoCD allows one level of nesting; a little more costs nothing. */
const MAX_DEPTH = 4;
/** A bound on the parameter sets of one generator (a matrix of two large lists), so that expansion stays cheap. */
const MAX_PARAMS = 5_000;

/** Which kind a generator entry is: its first key that names one. */
export function generatorKind(generator: PlainMap): GeneratorKind | undefined {
  return GENERATOR_KINDS.find((kind) => isMap(generator[kind]));
}

/**
 * The parameter sets of one generator entry (`- list: ...`, `- git: ...`), after its `selector`. `inherited` are
 * the parameters a matrix's first generator gives its second, which may use them (`path: '{{.path.path}}/*'`).
 */
export function generateParams(generator: PlainMap, env: GeneratorEnv, inherited?: Params, depth = 0): Generated {
  const kind = generatorKind(generator);
  if (kind === undefined) return { ok: false, reason: `a generator of a kind ArgoCD does not have (${Object.keys(generator).filter((key) => key !== 'selector').join(', ') || 'empty'})`, kind: 'plugin' };
  const needs = NEEDS_ARGOCD[kind];
  if (needs !== undefined) return { ok: false, reason: `the ${kind} generator ${needs}`, kind };
  let spec = generator[kind] as PlainMap;
  if (inherited && Object.keys(inherited).length > 0) {
    try {
      spec = interpolate(spec, inherited, env) as PlainMap;
    } catch (error) {
      return { ok: false, reason: `the ${kind} generator uses the first generator's parameters in a way fleetlint does not evaluate (${reasonOf(error)})`, kind };
    }
  }
  let result: Generated;
  try {
    result = generateOfKind(kind, spec, env, depth);
  } catch (error) {
    if (!(error instanceof Unevaluated)) throw error;
    result = { ok: false, reason: `the ${kind} generator: ${error.message}`, kind };
  }
  if (!result.ok || !isMap(generator.selector)) return result;
  const selector = generator.selector;
  return { ok: true, params: result.params.filter((params) => selectorMatches(selector, flatten(params))) };
}

function generateOfKind(kind: GeneratorKind, spec: PlainMap, env: GeneratorEnv, depth: number): Generated {
  switch (kind) {
    case 'list':
      return listParams(spec, env);
    case 'clusters':
      return clusterParams(spec, env);
    case 'git':
      return gitParams(spec, env);
    case 'matrix':
      return matrixParams(spec, env, depth);
    case 'merge':
      return mergeParams(spec, env, depth);
    default:
      return { ok: false, reason: `the ${kind} generator is not evaluated`, kind };
  }
}

function listParams(spec: PlainMap, env: GeneratorEnv): Generated {
  const elements = Array.isArray(spec.elements) ? spec.elements : [];
  const params: Params[] = [];
  for (const element of elements) {
    if (!isMap(element)) return { ok: false, reason: 'a list element is not a map', kind: 'list' };
    if (env.goTemplate) {
      params.push({ ...element });
      continue;
    }
    // Without goTemplate ArgoCD takes string values only, and flattens `values`.
    const flat: Params = {};
    for (const [key, value] of Object.entries(element)) {
      if (key === 'values' && isMap(value)) {
        for (const [name, inner] of Object.entries(value)) {
          if (typeof inner !== 'string') return { ok: false, reason: `list element value values.${name} is not a string, which ArgoCD refuses without goTemplate`, kind: 'list' };
          flat[`values.${name}`] = inner;
        }
      } else if (typeof value === 'string') {
        flat[key] = value;
      } else {
        return { ok: false, reason: `list element value ${key} is not a string, which ArgoCD refuses without goTemplate`, kind: 'list' };
      }
    }
    params.push(flat);
  }
  if (typeof spec.elementsYaml === 'string') {
    const parsed: unknown = parseYaml(spec.elementsYaml, { logLevel: 'error' });
    if (!Array.isArray(parsed) || !parsed.every(isMap)) return { ok: false, reason: 'elementsYaml is not a YAML list of maps', kind: 'list' };
    params.push(...parsed);
  }
  return { ok: true, params };
}

function clusterParams(spec: PlainMap, env: GeneratorEnv): Generated {
  const selector = isMap(spec.selector) ? spec.selector : undefined;
  const selecting =
    selector !== undefined && ((isMap(selector.matchLabels) && Object.keys(selector.matchLabels).length > 0) || (Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0));
  const params: Params[] = [];
  for (const cluster of env.clusters.list) {
    // ArgoCD's local cluster has no secret, so no labels: a selector leaves it out.
    if (env.clusters.local && selecting) continue;
    if (selector && !env.clusters.local && !selectorMatches(selector, cluster.labels ?? {})) continue;
    const base: Params = { name: cluster.name, nameNormalized: sanitizeName(cluster.name), server: cluster.server, project: cluster.project ?? '' };
    if (env.goTemplate) {
      base.metadata = { ...(cluster.annotations ? { annotations: cluster.annotations } : {}), ...(cluster.labels ? { labels: cluster.labels } : {}) };
    } else {
      for (const [key, value] of Object.entries(cluster.annotations ?? {})) base[`metadata.annotations.${key}`] = value;
      for (const [key, value] of Object.entries(cluster.labels ?? {})) base[`metadata.labels.${key}`] = value;
    }
    params.push(withValues(base, spec.values, env));
  }
  return { ok: true, params };
}

function gitParams(spec: PlainMap, env: GeneratorEnv): Generated {
  const repoURL = typeof spec.repoURL === 'string' ? spec.repoURL : '';
  const repoId = env.resolveRepo(repoURL);
  const repo = repoId === undefined ? undefined : env.repoById.get(repoId);
  if (!repo) return { ok: false, reason: `the git generator reads ${repoURL || 'a repository'}, which is not a repository of the fleet`, kind: 'git' };
  const prefix = typeof spec.pathParamPrefix === 'string' ? spec.pathParamPrefix : '';
  const entries = (key: string): { path: string; exclude: boolean }[] =>
    (Array.isArray(spec[key]) ? (spec[key] as unknown[]) : []).filter(isMap).flatMap((item) => (typeof item.path === 'string' ? [{ path: item.path, exclude: item.exclude === true }] : []));
  const files = repo.files.map((file) => file.path);

  const directories = entries('directories');
  if (directories.length > 0) {
    const params: Params[] = [];
    for (const dir of repoDirectories(files)) {
      let included = false;
      let excluded = false;
      for (const entry of directories) {
        if (pathMatch(entry.path, dir) !== true) continue;
        if (entry.exclude) excluded = true;
        else included = true;
      }
      if (included && !excluded) params.push(withValues(pathParams(dir, undefined, prefix, env.goTemplate), spec.values, env));
    }
    return { ok: true, params };
  }

  const patterns = entries('files');
  if (patterns.length === 0) return { ok: false, reason: 'the git generator has neither directories nor files', kind: 'git' };
  const matched = files.filter((file) => patterns.some((entry) => !entry.exclude && pathspecMatch(entry.path, file)) && !patterns.some((entry) => entry.exclude && pathspecMatch(entry.path, file)));
  const params: Params[] = [];
  for (const file of matched.sort()) {
    const text = fileText(repo, file);
    if (text === undefined) return { ok: false, reason: `the git generator reads ${file}, which fleetlint could not read`, kind: 'git' };
    let content: unknown;
    try {
      content = parseYaml(text, { logLevel: 'error' });
    } catch {
      return { ok: false, reason: `the git generator reads ${file}, which is not YAML or JSON (ArgoCD fails on it too)`, kind: 'git' };
    }
    const objects = Array.isArray(content) ? content : [content ?? {}];
    if (!objects.every(isMap)) return { ok: false, reason: `the git generator reads ${file}, which is not a map or a list of maps`, kind: 'git' };
    for (const object of objects) {
      const own: Params = env.goTemplate ? { ...object } : Object.fromEntries(Object.entries(flatten(object)));
      params.push(withValues({ ...own, ...pathParams(posix.dirname(file), file, prefix, env.goTemplate) }, spec.values, env));
    }
  }
  return { ok: true, params };
}

const textsByRepo = new WeakMap<Repo, Map<string, string | undefined>>();

/** The text of a repo's file, by path (indexed once per repo). */
export function fileText(repo: Repo, path: string): string | undefined {
  let texts = textsByRepo.get(repo);
  if (!texts) {
    texts = new Map(repo.files.map((file) => [file.path, file.text]));
    textsByRepo.set(repo, texts);
  }
  return texts.get(path);
}

/** `path`, `path.basename`, ... for a folder (and its file, for the files generator), as ArgoCD names them. */
function pathParams(dir: string, file: string | undefined, prefix: string, goTemplate: boolean): Params {
  const basename = posix.basename(dir);
  const filename = file === undefined ? undefined : posix.basename(file);
  if (goTemplate) {
    const path: Params = {
      path: dir,
      basename,
      ...(filename !== undefined ? { filename } : {}),
      basenameNormalized: sanitizeName(basename),
      ...(filename !== undefined ? { filenameNormalized: sanitizeName(filename) } : {}),
      segments: dir.split('/'),
    };
    return prefix === '' ? { path } : { [prefix]: { path } };
  }
  const name = prefix === '' ? 'path' : `${prefix}.path`;
  const params: Params = { [name]: dir, [`${name}.basename`]: basename, [`${name}.basenameNormalized`]: sanitizeName(basename) };
  if (filename !== undefined) {
    params[`${name}.filename`] = filename;
    params[`${name}.filenameNormalized`] = sanitizeName(filename);
  }
  dir.split('/').forEach((segment, index) => {
    if (segment !== '') params[`${name}[${String(index)}]`] = segment;
  });
  return params;
}

/** A generator's `values`, rendered with its parameters, added as `values` (goTemplate) or `values.<key>`. */
function withValues(params: Params, values: unknown, env: GeneratorEnv): Params {
  if (!isMap(values)) return params;
  const rendered: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string') rendered[key] = render(value, params, env);
  }
  if (env.goTemplate) return { ...params, values: rendered };
  return { ...params, ...Object.fromEntries(Object.entries(rendered).map(([key, value]) => [`values.${key}`, value])) };
}

function matrixParams(spec: PlainMap, env: GeneratorEnv, depth: number): Generated {
  const children = Array.isArray(spec.generators) ? spec.generators.filter(isMap) : [];
  if (children.length !== 2) return { ok: false, reason: 'a matrix generator needs exactly two generators', kind: 'matrix' };
  if (depth >= MAX_DEPTH) return { ok: false, reason: 'matrix and merge generators nest too deeply', kind: 'matrix' };
  const [first, second] = children as [PlainMap, PlainMap];
  const left = generateParams(first, env, undefined, depth + 1);
  if (!left.ok) return left;
  const params: Params[] = [];
  for (const a of left.params) {
    const right = generateParams(second, env, a, depth + 1);
    if (!right.ok) return right;
    for (const b of right.params) {
      if (env.goTemplate) {
        params.push(deepMerge(deepMerge({}, b), a));
        continue;
      }
      const conflict = Object.keys(b).find((key) => Object.hasOwn(a, key) && a[key] !== b[key]);
      if (conflict !== undefined) return { ok: false, reason: `both generators of a matrix set ${conflict} to different values (ArgoCD fails on it)`, kind: 'matrix' };
      params.push({ ...a, ...b });
    }
    if (params.length > MAX_PARAMS) return { ok: false, reason: `a matrix generator gives more than ${String(MAX_PARAMS)} parameter sets`, kind: 'matrix' };
  }
  return { ok: true, params };
}

function mergeParams(spec: PlainMap, env: GeneratorEnv, depth: number): Generated {
  const children = Array.isArray(spec.generators) ? spec.generators.filter(isMap) : [];
  const mergeKeys = Array.isArray(spec.mergeKeys) ? [...new Set(spec.mergeKeys.filter((key): key is string => typeof key === 'string'))].sort() : [];
  if (children.length < 2 || mergeKeys.length === 0) return { ok: false, reason: 'a merge generator needs two generators and mergeKeys', kind: 'merge' };
  if (depth >= MAX_DEPTH) return { ok: false, reason: 'matrix and merge generators nest too deeply', kind: 'merge' };
  const sets: Params[][] = [];
  for (const child of children) {
    const generated = generateParams(child, env, undefined, depth + 1);
    if (!generated.ok) return generated;
    sets.push(generated.params);
  }
  const keyOf = (params: Params): string => JSON.stringify(mergeKeys.map((key) => params[key] ?? null));
  const byKey = (params: Params[]): Map<string, Params> | undefined => {
    const map = new Map<string, Params>();
    for (const set of params) {
      const key = keyOf(set);
      if (map.has(key)) return undefined;
      map.set(key, set);
    }
    return map;
  };
  const [baseSets = [], ...overrides] = sets;
  const base = byKey(baseSets);
  if (!base) return { ok: false, reason: 'a merge generator\'s parameter sets repeat a merge key (ArgoCD fails on it)', kind: 'merge' };
  for (const override of overrides) {
    const indexed = byKey(override);
    if (!indexed) return { ok: false, reason: 'a merge generator\'s parameter sets repeat a merge key (ArgoCD fails on it)', kind: 'merge' };
    for (const [key, params] of base) {
      const other = indexed.get(key);
      if (other) base.set(key, env.goTemplate ? deepMerge(params, other) : { ...params, ...other });
    }
  }
  return { ok: true, params: [...base.values()] };
}

/** mergo.Merge with override: maps merge key by key, anything else is replaced. A new object; inputs untouched. */
export function deepMerge(target: PlainMap, source: PlainMap): PlainMap {
  const result: PlainMap = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const current = result[key];
    result[key] = isMap(current) && isMap(value) ? deepMerge(current, value) : value;
  }
  return result;
}

/** A template string rendered with one parameter set, by the ApplicationSet's template engine. Throws Unevaluated. */
export function render(text: string, params: Params, env: Pick<GeneratorEnv, 'goTemplate' | 'options'>): string {
  return env.goTemplate ? renderGoTemplate(text, params, env.options) : renderFastTemplate(text, params);
}

/** Every string of a value (keys too) rendered with `params`. Throws Unevaluated. */
export function interpolate(value: unknown, params: Params, env: Pick<GeneratorEnv, 'goTemplate' | 'options'>): unknown {
  if (typeof value === 'string') return render(value, params, env);
  if (Array.isArray(value)) return value.map((item: unknown) => interpolate(item, params, env));
  if (!isMap(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [render(key, params, env), interpolate(inner, params, env)]));
}

/** jeremywohl/flatten in dot style, with leaves printed as Go prints them: what selectors and fasttemplate see. */
export function flatten(value: PlainMap, prefix = ''): Record<string, string> {
  const flat: Record<string, string> = {};
  const visit = (inner: unknown, key: string): void => {
    if (isMap(inner) && Object.keys(inner).length > 0) {
      for (const [name, child] of Object.entries(inner)) visit(child, key === '' ? name : `${key}.${name}`);
    } else if (Array.isArray(inner) && inner.length > 0) {
      inner.forEach((child: unknown, index) => {
        visit(child, key === '' ? String(index) : `${key}.${String(index)}`);
      });
    } else {
      flat[key] = goString(inner);
    }
  };
  for (const [name, child] of Object.entries(value)) visit(child, prefix === '' ? name : `${prefix}.${name}`);
  return flat;
}

/** A Kubernetes label selector (`matchLabels`, `matchExpressions`: In, NotIn, Exists, DoesNotExist) over labels. */
export function selectorMatches(selector: PlainMap, labels: Readonly<Record<string, string>>): boolean {
  if (isMap(selector.matchLabels)) {
    for (const [key, value] of Object.entries(selector.matchLabels)) if (labels[key] !== String(value)) return false;
  }
  for (const expression of Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isMap) : []) {
    const key = typeof expression.key === 'string' ? expression.key : '';
    const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
    const has = Object.hasOwn(labels, key);
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(labels[key] ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function reasonOf(error: unknown): string {
  if (error instanceof Unevaluated) return error.message;
  throw error;
}

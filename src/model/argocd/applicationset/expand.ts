import { parse as parseYaml } from 'yaml';
import type { DocPath, FindingDraft } from '../../findings.js';
import type { FactOrigin } from '../../origin.js';
import { originAt } from '../../origin.js';
import type { FleetSettings, Repo, RepoResolver } from '../../types.js';
import type { K8sObject } from '../../k8s/types.js';
import { isMap, mapAt, valueAt, type PlainMap } from '../../k8s/value.js';
import { scalarTextAt } from '../../k8s/scalar.js';
import type { ValueLocator } from '../../locator.js';
import { isUnresolvedPlaceholder } from '../../placeholder.js';
import { applicationFromValue } from '../load.js';
import { inlineHelmValues } from '../inline-values.js';
import { makeRepoResolver } from '../repo-url.js';
import type { ArgoApplication } from '../types.js';
import { helmValuesImages } from '../../images/helm.js';
import { imageRefs } from '../../images/extract.js';
import type { ImageCandidate } from '../../images/candidate.js';
import { deepMerge, fileText, generateParams, generatorKind, render, type GeneratorEnv, type Params } from './generators.js';
import { Unevaluated } from './go-template.js';

/** ArgoCD's own cluster, which the cluster generator lists when no cluster secret names it. */
export const IN_CLUSTER = { name: 'in-cluster', server: 'https://kubernetes.default.svc' } as const;

export const UNEXPANDED_RULE = 'unexpanded-applicationset';

/** Applications one ApplicationSet may generate here; more is a mistake or a bomb, and is cut with a note. */
const MAX_APPLICATIONS = 2_000;

/**
 * Expands every ApplicationSet of the fleet into the Applications ArgoCD would generate, from what the fleet's
 * repositories hold: list, git directories and git files generators (against the fleet repo the `repoURL`
 * names), matrix and merge of those, and the cluster generator over `settings.argocdClusters`; fasttemplate or
 * `goTemplate` (see go-template.ts), generator templates, and `templatePatch`.
 *
 * Each generated Application joins its ApplicationSet's repo (`argocd.applications`, with `generatedBy`), its
 * positions in the ApplicationSet's template, and the images of its inline Helm values join the repo's images
 * (once per template line). What cannot be known without ArgoCD (SCM and cluster generators, repos outside the
 * fleet, template functions not evaluated here) is one `unexpanded-applicationset` note, never a guess. A value
 * that cannot be rendered is left as its template text, a placeholder that checks skip.
 *
 * Runs in the fleet-wide phase: git generators read other repos' files. Call it once, before app-of-apps ancestry.
 */
export function expandApplicationSets(repos: readonly Repo[], settings: FleetSettings): void {
  const repoById = new Map(repos.map((repo) => [repo.id, repo]));
  const resolveRepo = makeRepoResolver(settings, new Set(repoById.keys()));
  const clusters = settings.argocdClusters ? { list: settings.argocdClusters, local: false } : { list: [IN_CLUSTER], local: true };
  for (const repo of repos) {
    for (const object of repo.k8s) {
      if (object.kind !== 'ApplicationSet' || !object.apiVersion.startsWith('argoproj.io/') || object.name === undefined) continue;
      expandOne(repo, object, object.name, { resolveRepo, repoById, clusters, settings });
    }
  }
}

interface FleetEnv {
  resolveRepo: RepoResolver;
  repoById: ReadonlyMap<string, Repo>;
  clusters: GeneratorEnv['clusters'];
  settings: FleetSettings;
}

function expandOne(repo: Repo, object: K8sObject, setName: string, fleet: FleetEnv): void {
  const { document } = object;
  const spec = mapAt(document.value, ['spec']) ?? {};
  const goTemplate = spec.goTemplate === true;
  const options = Array.isArray(spec.goTemplateOptions) ? spec.goTemplateOptions : [];
  const env: GeneratorEnv = { goTemplate, options: { missingKeyError: options.includes('missingkey=error') }, resolveRepo: fleet.resolveRepo, repoById: fleet.repoById, clusters: fleet.clusters };
  const notes = new Map<string, FindingDraft>();
  const note = (path: DocPath, message: string): void => {
    const origin = originAt(repo.id, document, path);
    const text = `ApplicationSet ${setName}: ${message}`;
    if (!notes.has(text)) notes.set(text, { ruleId: UNEXPANDED_RULE, severity: 'note', message: text, repo: repo.id, file: origin.file, range: origin.range, ...(origin.docIndex !== undefined ? { docIndex: origin.docIndex } : {}), subject: `${setName}:${message}` });
  };

  const template = mapAt(spec, ['template']) ?? {};
  const generators = Array.isArray(spec.generators) ? spec.generators : [];
  const names = new Set<string>();
  const candidates: ImageCandidate[] = [];
  generators.forEach((generator: unknown, index) => {
    if (!isMap(generator)) return;
    const generatorPath: DocPath = ['spec', 'generators', index];
    const generated = generateParams(generator, env);
    if (!generated.ok) {
      note(generatorPath, `${generated.reason}; the Applications it would generate are not checked`);
      return;
    }
    const kind = generatorKind(generator);
    const ownTemplate = kind === undefined ? undefined : mapAt(generator, [kind, 'template']);
    const merged = ownTemplate ? deepMerge(template, ownTemplate) : template;
    for (const params of generated.params) {
      if (names.size >= MAX_APPLICATIONS) {
        note(generatorPath, `more than ${String(MAX_APPLICATIONS)} Applications; the rest are not checked`);
        return;
      }
      const unevaluated: Unrendered[] = [];
      // With no parameters ArgoCD uses the template as it is.
      let app = Object.keys(params).length === 0 ? merged : (renderLenient(merged, params, env, unevaluated) as PlainMap);
      const patch = typeof spec.templatePatch === 'string' && goTemplate ? spec.templatePatch : undefined;
      if (patch !== undefined) {
        const patched = applyTemplatePatch(app, patch, params, env);
        if (typeof patched === 'string') note(['spec', 'templatePatch'], `templatePatch not applied (${patched}); the Applications are checked without it`);
        else app = patched;
      }
      for (const { path, reason } of unevaluated) note(templatePathOf(path, index, kind, ownTemplate), `a template value is left unknown (${reason})`);
      const name = valueAt(app, ['metadata', 'name']);
      if (typeof name !== 'string' || name === '' || isUnresolvedPlaceholder(name)) {
        note(['spec', 'template', 'metadata', 'name'], 'an Application name cannot be known; that Application is not checked');
        continue;
      }
      if (names.has(name)) {
        note(['spec', 'template', 'metadata', 'name'], `generates two Applications named ${name}, which ArgoCD refuses; the first is checked`);
        continue;
      }
      names.add(name);
      const locator = generatedLocator(repo.id, object, app, index, kind, ownTemplate);
      const namespace = valueAt(app, ['metadata', 'namespace']);
      const application: ArgoApplication = {
        ...applicationFromValue(
          {
            value: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: app.metadata, spec: app.spec },
            name,
            ...(typeof namespace === 'string' ? { namespace } : object.namespace !== undefined ? { namespace: object.namespace } : {}),
            origin: locator.at(['metadata', 'name']),
            locator,
          },
          fleet.resolveRepo,
        ),
        generatedBy: { repo: repo.id, name: setName },
        documentPath: ['spec', 'template'],
      };
      repo.argocd.applications.push(application);
      candidates.push(...inlineValuesOf(repo, object, app, locator));
    }
  });
  addImages(repo, candidates, fleet.settings);
  repo.diagnostics.push(...[...notes.values()].sort((a, b) => (a.range?.startLine ?? 0) - (b.range?.startLine ?? 0)));
}

/** A template string that was not rendered: where it is in the template, and why. */
interface Unrendered {
  path: DocPath;
  reason: string;
}

/** The template with every string rendered; a string that cannot be is kept as written (a `{{ }}` placeholder). */
function renderLenient(value: unknown, params: Params, env: GeneratorEnv, unevaluated: Unrendered[]): unknown {
  const one = (text: string, path: DocPath): string => {
    try {
      return render(text, params, env);
    } catch (error) {
      if (!(error instanceof Unevaluated)) throw error;
      if (!unevaluated.some((other) => other.reason === error.message)) unevaluated.push({ path, reason: error.message });
      return text;
    }
  };
  const walk = (inner: unknown, path: DocPath): unknown => {
    if (typeof inner === 'string') return one(inner, path);
    if (Array.isArray(inner)) return inner.map((item: unknown, index) => walk(item, [...path, index]));
    if (!isMap(inner)) return inner;
    return Object.fromEntries(Object.entries(inner).map(([key, child]) => [one(key, path), walk(child, [...path, key])]));
  };
  return walk(value, []);
}

/** Where a path of the generated Application is written: under the generator's own template when it sets it. */
function templatePathOf(path: DocPath, index: number, kind: string | undefined, ownTemplate: PlainMap | undefined): DocPath {
  return ownTemplate && kind !== undefined && valueAt(ownTemplate, path) !== undefined ? ['spec', 'generators', index, kind, 'template', ...path] : ['spec', 'template', ...path];
}

/**
 * `templatePatch`: a Go template of YAML, rendered and merged onto the Application (ArgoCD's strategic merge patch,
 * which for the Application's fields is a JSON merge patch); a string says why it was not.
 */
function applyTemplatePatch(app: PlainMap, patch: string, params: Params, env: GeneratorEnv): PlainMap | string {
  let text: string;
  try {
    text = render(patch, params, env);
  } catch (error) {
    if (error instanceof Unevaluated) return error.message;
    throw error;
  }
  let value: unknown;
  try {
    value = parseYaml(text, { logLevel: 'error' });
  } catch {
    return 'the rendered patch is not YAML';
  }
  if (value === null || value === undefined) return app;
  if (!isMap(value)) return 'the rendered patch is not a map';
  const patched = mergePatch(app, value);
  // ArgoCD puts the template's project back: a patch cannot change it.
  const project = valueAt(app, ['spec', 'project']);
  if (project === undefined) return patched;
  return { ...patched, spec: { ...(mapAt(patched, ['spec']) ?? {}), project } };
}

/** JSON merge patch (RFC 7386): maps merge, null removes, anything else replaces. */
function mergePatch(target: PlainMap, patch: PlainMap): PlainMap {
  const removed = new Set(Object.keys(patch).filter((key) => patch[key] === null));
  const result: PlainMap = Object.fromEntries(Object.entries(target).filter(([key]) => !removed.has(key)));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) continue;
    const current = result[key];
    result[key] = isMap(current) && isMap(value) ? mergePatch(current, value) : value;
  }
  return result;
}

/**
 * Where a generated Application's parts are: the same path under the generator's own template when it sets it,
 * else under `spec.template` (or its nearest existing ancestor). Texts are the generated values; a number the
 * template writes as is keeps its written form (`1.10`).
 */
function generatedLocator(repo: string, object: K8sObject, app: PlainMap, index: number, kind: string | undefined, ownTemplate: PlainMap | undefined): ValueLocator {
  const { document } = object;
  const templatePath = (path: DocPath): DocPath => templatePathOf(path, index, kind, ownTemplate);
  const at = (path: DocPath): FactOrigin => originAt(repo, document, templatePath(path));
  const text = (path: DocPath): string | undefined => {
    const generated = valueAt(app, path);
    if (typeof generated === 'string') return generated;
    if (typeof generated !== 'number' && typeof generated !== 'boolean') return undefined;
    const written = scalarTextAt(document, templatePath(path));
    return written !== undefined && valueAt(document.value, templatePath(path)) === generated ? written : String(generated);
  };
  return { at, text };
}

/** Image candidates of a generated Application's inline Helm values, at the template's lines. */
function inlineValuesOf(repo: Repo, object: K8sObject, app: PlainMap, locator: ValueLocator): ImageCandidate[] {
  const spec = mapAt(app, ['spec']) ?? {};
  const sourcePaths: DocPath[] = [...(isMap(spec.source) ? [['spec', 'source']] : []), ...(Array.isArray(spec.sources) ? spec.sources.map((_source: unknown, index) => ['spec', 'sources', index]) : [])];
  const candidates: ImageCandidate[] = [];
  for (const sourcePath of sourcePaths) {
    const valuesObject = valueAt(app, [...sourcePath, 'helm', 'valuesObject']);
    if (isMap(valuesObject)) {
      const base = [...sourcePath, 'helm', 'valuesObject'];
      candidates.push(...helmValuesImages(valuesObject, { at: (path) => locator.at([...base, ...path]), text: (path) => locator.text([...base, ...path]) }));
    }
    const values = valueAt(app, [...sourcePath, 'helm', 'values']);
    if (typeof values !== 'string') continue;
    // Values the template writes as they are (nothing rendered in them) point at their own lines.
    const templatePath = ['spec', 'template', ...sourcePath];
    if (valueAt(object.document.value, [...templatePath, 'helm', 'values']) === values) {
      const text = fileText(repo, object.document.file);
      for (const inline of inlineHelmValues(repo.id, object.document, templatePath, text).values) candidates.push(...helmValuesImages(inline.value, inline.locator));
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(values, { logLevel: 'error' });
    } catch {
      continue;
    }
    const key = locator.at([...sourcePath, 'helm', 'values']);
    if (isMap(parsed)) candidates.push(...helmValuesImages(parsed, { at: () => key, text: (path) => scalarText(valueAt(parsed, path)) }));
  }
  return candidates;
}

function scalarText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** Adds images once per place and reference: every Application of a template shares its lines. */
function addImages(repo: Repo, candidates: readonly ImageCandidate[], settings: FleetSettings): void {
  if (candidates.length === 0) return;
  const key = (raw: string, origin: FactOrigin): string => `${raw}\0${origin.file}\0${String(origin.range.startLine)}\0${String(origin.range.startColumn)}`;
  const seen = new Set(repo.images.map((image) => key(image.raw, image.origin)));
  const { images, invalid } = imageRefs(repo.id, candidates, settings);
  for (const image of images) {
    const id = key(image.raw, image.origin);
    if (seen.has(id)) continue;
    seen.add(id);
    repo.images.push(image);
  }
  const seenInvalid = new Set(repo.invalidImages.map((image) => key(image.raw, image.origin)));
  for (const image of invalid) {
    const id = key(image.raw, image.origin);
    if (seenInvalid.has(id)) continue;
    seenInvalid.add(id);
    repo.invalidImages.push(image);
  }
}

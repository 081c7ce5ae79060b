import type { DocPath, FindingDraft } from '../findings.js';
import type { FactOrigin } from '../origin.js';
import { documentLocator, type ValueLocator } from '../locator.js';
import type { RepoResolver } from '../types.js';
import type { K8sObject } from '../k8s/types.js';
import { isMap, mapAt, stringAt, stringsAt, valueAt, type PlainMap } from '../k8s/value.js';
import type { ArgoAppProject, ArgoApplication, ArgoApplicationSet, ArgoFacts, ArgoSource } from './types.js';
import { parseSyncWave } from './wave.js';

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
export const DEPENDS_ON_ANNOTATION = 'fleetlint.dev/depends-on';

/** The fields of the Application CRD's `spec` (argoproj.io/v1alpha1, ArgoCD 2.x/3.x). */
const APPLICATION_SPEC_KEYS: ReadonlySet<string> = new Set([
  'source',
  'sources',
  'destination',
  'project',
  'syncPolicy',
  'ignoreDifferences',
  'info',
  'revisionHistoryLimit',
  'sourceHydrator',
]);

export interface ArgoLoadResult {
  facts: ArgoFacts;
  diagnostics: FindingDraft[];
}

/** ArgoCD's objects among the repo's Kubernetes objects (any file, any document). */
export function loadArgoFacts(repo: string, objects: readonly K8sObject[], resolveRepoUrl: RepoResolver): ArgoLoadResult {
  const facts: ArgoFacts = { applications: [], projects: [], applicationSets: [] };
  const diagnostics: FindingDraft[] = [];
  for (const object of objects) {
    if (!object.apiVersion.startsWith('argoproj.io/')) continue;
    if (object.kind !== 'Application' && object.kind !== 'AppProject' && object.kind !== 'ApplicationSet') continue;
    // A kustomize patch holds only the fields it changes: the object it patches is the fact.
    if (object.kustomizePatch !== undefined) continue;
    if (object.name === undefined) {
      // Kubernetes rejects a nameless object; nothing downstream can refer to it.
      diagnostics.push({
        ruleId: 'parse-error',
        severity: 'warning',
        message: `ArgoCD ${object.kind} has no metadata.name and is ignored`,
        repo,
        file: object.origin.file,
        range: object.origin.range,
        docIndex: object.document.index,
        subject: `${object.kind} without name`,
      });
      continue;
    }
    if (object.kind === 'Application') facts.applications.push(loadApplication(repo, object, object.name, resolveRepoUrl));
    else if (object.kind === 'AppProject') facts.projects.push(loadProject(object, object.name));
    else facts.applicationSets.push(loadApplicationSet(object, object.name));
  }
  return { facts, diagnostics };
}

function loadApplication(repo: string, object: K8sObject, name: string, resolveRepoUrl: RepoResolver): ArgoApplication {
  const { document } = object;
  return applicationFromValue(
    {
      value: document.value,
      name,
      ...(object.namespace !== undefined ? { namespace: object.namespace } : {}),
      origin: object.origin,
      locator: documentLocator(repo, document),
    },
    resolveRepoUrl,
  );
}

/** An Application's object from anywhere: a manifest, or one an ApplicationSet generates (then `locator` maps into its template). */
export interface ApplicationValue {
  value: unknown;
  name: string;
  namespace?: string;
  origin: FactOrigin;
  locator: ValueLocator;
}

/** The facts of an Application object; positions come from its locator. */
export function applicationFromValue({ value, name, namespace, origin, locator }: ApplicationValue, resolveRepoUrl: RepoResolver): ArgoApplication {
  const spec = mapAt(value, ['spec']) ?? {};
  const annotations = mapAt(value, ['metadata', 'annotations']) ?? {};
  const reader: DocumentReader = { at: (path) => locator.at(path), text: (path) => locator.text(path) };
  const { at } = reader;

  const sources: ArgoSource[] = [];
  if (isMap(spec.source)) sources.push(loadSource(spec.source, ['spec', 'source'], reader, resolveRepoUrl));
  if (Array.isArray(spec.sources)) {
    spec.sources.forEach((source: unknown, index) => {
      if (isMap(source)) sources.push(loadSource(source, ['spec', 'sources', index], reader, resolveRepoUrl));
    });
  }

  const wave = parseSyncWave(annotations[SYNC_WAVE_ANNOTATION]);
  const hasWave = SYNC_WAVE_ANNOTATION in annotations;
  const dependsOn = annotations[DEPENDS_ON_ANNOTATION];
  const unknownSpecKeys = Object.keys(spec).filter((key) => !APPLICATION_SPEC_KEYS.has(key));
  const automated = valueAt(spec, ['syncPolicy', 'automated']);
  const project = stringAt(spec, ['project']);
  const syncOptions = valueAt(spec, ['syncPolicy', 'syncOptions']);

  return {
    kind: 'Application',
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(project !== undefined ? { project } : {}),
    sources,
    destination: destinationOf(spec.destination),
    // `automated: {}` enables auto-sync; newer ArgoCD can switch it off with `enabled: false`.
    automatedSync: isMap(automated) && automated.enabled !== false,
    ...(Array.isArray(syncOptions) ? { syncOptions: syncOptions.filter((option): option is string => typeof option === 'string') } : {}),
    wave: wave.wave,
    ...(wave.text !== undefined ? { waveAnnotation: wave.text } : {}),
    waveValid: wave.valid,
    ...(wave.problem !== undefined ? { waveProblem: wave.problem } : {}),
    ...(wave.unknown ? { waveUnknown: true as const } : {}),
    declaredDependsOn: typeof dependsOn === 'string' ? splitNames(dependsOn) : [],
    ...(dependsOn !== undefined ? { dependsOnOrigin: at(['metadata', 'annotations', DEPENDS_ON_ANNOTATION]) } : {}),
    unknownSpecKeys,
    unknownSpecKeyOrigins: unknownSpecKeys.map((key) => at(['spec', key])),
    origin,
    waveOrigin: at(hasWave ? ['metadata', 'annotations', SYNC_WAVE_ANNOTATION] : ['metadata']),
  };
}

interface DocumentReader {
  at: (path: DocPath) => FactOrigin;
  text: (path: DocPath) => string | undefined;
}

function loadSource(source: PlainMap, path: DocPath, { at, text }: DocumentReader, resolveRepoUrl: RepoResolver): ArgoSource {
  const repoURL = stringAt(source, ['repoURL']);
  const sourcePath = stringAt(source, ['path']);
  const chart = stringAt(source, ['chart']);
  const targetRevision = text([...path, 'targetRevision']);
  const ref = stringAt(source, ['ref']);
  const fleetRepo = repoURL !== undefined ? resolveRepoUrl(repoURL) : undefined;
  const hasValuesObject = isMap(valueAt(source, ['helm', 'valuesObject']));
  const recurse = valueAt(source, ['directory', 'recurse']) === true;
  return {
    ...(repoURL !== undefined ? { repoURL } : {}),
    ...(sourcePath !== undefined ? { path: sourcePath } : {}),
    ...(chart !== undefined ? { chart } : {}),
    ...(targetRevision !== undefined ? { targetRevision } : {}),
    helmValueFiles: stringsAt(source, ['helm', 'valueFiles']),
    ...(fleetRepo !== undefined ? { fleetRepo } : {}),
    ...(ref !== undefined ? { ref } : {}),
    ...(hasValuesObject ? { helmValuesObjectPath: [...path, 'helm', 'valuesObject'] } : {}),
    ...(recurse ? { directoryRecurse: true } : {}),
    origin: at(path),
  };
}

function loadProject(object: K8sObject, name: string): ArgoAppProject {
  return projectFromValue(object.document.value, name, object.origin);
}

/** An AppProject's facts from its object's value: a file's, or one a render gives. */
export function projectFromValue(value: unknown, name: string, origin: FactOrigin): ArgoAppProject {
  const destinations = valueAt(value, ['spec', 'destinations']);
  return {
    kind: 'AppProject',
    name,
    sourceRepos: stringsAt(value, ['spec', 'sourceRepos']),
    destinations: Array.isArray(destinations) ? destinations.filter(isMap).map(destinationOf) : [],
    origin,
  };
}

function loadApplicationSet(object: K8sObject, name: string): ArgoApplicationSet {
  return { kind: 'ApplicationSet', name, origin: object.origin };
}

/**
 * A destination's fields. An empty server or name (`name: ''`, as charts and generators often leave one of the
 * two) is absent, as for ArgoCD, which takes whichever is set; an empty namespace stays: it means none.
 */
function destinationOf(value: unknown): { server?: string; name?: string; namespace?: string } {
  const field = (key: string): string | undefined => {
    const text = stringAt(value, [key]);
    return text === '' ? undefined : text;
  };
  const server = field('server');
  const name = field('name');
  const namespace = stringAt(value, ['namespace']);
  return {
    ...(server !== undefined ? { server } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
  };
}

function splitNames(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    ),
  ];
}

import type { DocPath } from '../model/findings.js';
import { isMap, mapAt, stringAt, stringsAt, valueAt, type PlainMap } from '../model/k8s/value.js';

/**
 * The parts of an Application's `spec` that decide what ArgoCD's repo-server generates, read from the plain
 * value of the manifest. Static Applications (the model's) and Applications that rendering produced (an
 * app-of-apps made with Helm or kustomize) are read the same way, so both render alike.
 */
export interface AppSpec {
  name: string;
  /** `destination.namespace`: Helm's release namespace unless `helm.namespace` says otherwise. */
  destinationNamespace?: string;
  project: string;
  sources: AppSourceSpec[];
  /** `spec.sources` (even with one entry): ArgoCD then skips sources that only carry a `ref`. */
  multiSource: boolean;
}

export interface HelmParameter {
  name: string;
  value: string;
  forceString: boolean;
  /** Index in `helm.parameters`, for provenance. */
  index: number;
}

export interface HelmSpec {
  releaseName?: string;
  namespace?: string;
  valueFiles: string[];
  ignoreMissingValueFiles: boolean;
  /** `helm.values` (a YAML string). */
  values?: string;
  /** `helm.valuesObject`; it wins over `values` when both are set, as in ArgoCD. */
  valuesObject?: PlainMap;
  parameters: HelmParameter[];
  fileParameters: { name: string; path: string }[];
  skipCrds: boolean;
  skipSchemaValidation: boolean;
  skipTests: boolean;
  kubeVersion?: string;
  apiVersions: string[];
}

export interface KustomizeSpec {
  namePrefix?: string;
  nameSuffix?: string;
  namespace?: string;
  images: string[];
  replicas: { name: string; count: number }[];
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  commonAnnotationsEnvsubst: boolean;
  forceCommonLabels: boolean;
  forceCommonAnnotations: boolean;
  labelWithoutSelector: boolean;
  labelIncludeTemplates: boolean;
  patches: unknown[];
  components: string[];
  ignoreMissingComponents: boolean;
  kubeVersion?: string;
  apiVersions: string[];
}

export interface DirectorySpec {
  recurse: boolean;
  include?: string;
  exclude?: string;
  /** `jsonnet` settings are present: jsonnet files are not evaluated by fleetlint. */
  jsonnet: boolean;
}

export interface AppSourceSpec {
  /** Index among the Application's sources (0 for `spec.source`). */
  index: number;
  /** The source as written, for `.argocd-source.yaml` overrides. */
  raw: PlainMap;
  /** Where the source is in the Application's document: `['spec','source']` or `['spec','sources',i]`. */
  docPath: DocPath;
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  ref?: string;
  helm?: HelmSpec;
  kustomize?: KustomizeSpec;
  directory?: DirectorySpec;
  /** `plugin:` is set: a Config Management Plugin renders it, which fleetlint cannot run. */
  plugin?: { name?: string };
}

/** Reads an Application's spec from its manifest's value; undefined when it has no name. */
export function readAppSpec(value: unknown): AppSpec | undefined {
  const name = stringAt(value, ['metadata', 'name']);
  if (name === undefined) return undefined;
  const spec = mapAt(value, ['spec']) ?? {};
  const sources: AppSourceSpec[] = [];
  const multiSource = Array.isArray(spec.sources) && spec.sources.length > 0;
  if (multiSource && Array.isArray(spec.sources)) {
    spec.sources.forEach((source: unknown, index) => {
      if (isMap(source)) sources.push(readSource(source, index, ['spec', 'sources', index]));
    });
  } else if (isMap(spec.source)) {
    sources.push(readSource(spec.source, 0, ['spec', 'source']));
  }
  const destinationNamespace = stringAt(spec, ['destination', 'namespace']);
  return {
    name,
    ...(destinationNamespace !== undefined && destinationNamespace !== '' ? { destinationNamespace } : {}),
    project: stringAt(spec, ['project']) ?? 'default',
    sources,
    multiSource,
  };
}

export function readSource(source: PlainMap, index: number, docPath: DocPath): AppSourceSpec {
  const text = (key: string): string | undefined => nonEmpty(scalarText(source[key]));
  const repoURL = text('repoURL');
  const path = text('path');
  const chart = text('chart');
  const targetRevision = text('targetRevision');
  const ref = text('ref');
  return {
    index,
    raw: source,
    docPath,
    ...(repoURL !== undefined ? { repoURL } : {}),
    ...(path !== undefined ? { path } : {}),
    ...(chart !== undefined ? { chart } : {}),
    ...(targetRevision !== undefined ? { targetRevision } : {}),
    ...(ref !== undefined ? { ref } : {}),
    ...(isMap(source.helm) ? { helm: readHelm(source.helm) } : {}),
    ...(isMap(source.kustomize) ? { kustomize: readKustomize(source.kustomize) } : {}),
    ...(isMap(source.directory) ? { directory: readDirectory(source.directory) } : {}),
    ...(isMap(source.plugin) ? { plugin: pluginOf(source.plugin) } : {}),
  };
}

function readHelm(helm: PlainMap): HelmSpec {
  const releaseName = nonEmpty(stringAt(helm, ['releaseName']));
  const namespace = nonEmpty(stringAt(helm, ['namespace']));
  const values = nonEmpty(stringAt(helm, ['values']));
  const valuesObject = mapAt(helm, ['valuesObject']);
  const kubeVersion = nonEmpty(stringAt(helm, ['kubeVersion']));
  const parameters: HelmParameter[] = [];
  const rawParameters = valueAt(helm, ['parameters']);
  if (Array.isArray(rawParameters)) {
    rawParameters.forEach((parameter: unknown, index) => {
      const name = stringAt(parameter, ['name']);
      const value = isMap(parameter) ? scalarText(parameter.value) : undefined;
      if (name !== undefined) parameters.push({ name, value: value ?? '', forceString: valueAt(parameter, ['forceString']) === true, index });
    });
  }
  const fileParameters: { name: string; path: string }[] = [];
  const rawFileParameters = valueAt(helm, ['fileParameters']);
  if (Array.isArray(rawFileParameters)) {
    for (const parameter of rawFileParameters) {
      const name = stringAt(parameter, ['name']);
      const path = stringAt(parameter, ['path']);
      if (name !== undefined && path !== undefined) fileParameters.push({ name, path });
    }
  }
  return {
    ...(releaseName !== undefined ? { releaseName } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    valueFiles: stringsAt(helm, ['valueFiles']),
    ignoreMissingValueFiles: helm.ignoreMissingValueFiles === true,
    ...(values !== undefined ? { values } : {}),
    ...(valuesObject !== undefined ? { valuesObject } : {}),
    parameters,
    fileParameters,
    skipCrds: helm.skipCrds === true,
    skipSchemaValidation: helm.skipSchemaValidation === true,
    skipTests: helm.skipTests === true,
    ...(kubeVersion !== undefined ? { kubeVersion } : {}),
    apiVersions: stringsAt(helm, ['apiVersions']),
  };
}

function readKustomize(kustomize: PlainMap): KustomizeSpec {
  const namePrefix = nonEmpty(stringAt(kustomize, ['namePrefix']));
  const nameSuffix = nonEmpty(stringAt(kustomize, ['nameSuffix']));
  const namespace = nonEmpty(stringAt(kustomize, ['namespace']));
  const kubeVersion = nonEmpty(stringAt(kustomize, ['kubeVersion']));
  const replicas: { name: string; count: number }[] = [];
  const rawReplicas = valueAt(kustomize, ['replicas']);
  if (Array.isArray(rawReplicas)) {
    for (const replica of rawReplicas) {
      const name = stringAt(replica, ['name']);
      const count = valueAt(replica, ['count']);
      const parsed = typeof count === 'number' ? count : typeof count === 'string' ? Number.parseInt(count, 10) : Number.NaN;
      if (name !== undefined && Number.isInteger(parsed)) replicas.push({ name, count: parsed });
    }
  }
  const patches = valueAt(kustomize, ['patches']);
  return {
    ...(namePrefix !== undefined ? { namePrefix } : {}),
    ...(nameSuffix !== undefined ? { nameSuffix } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    images: stringsAt(kustomize, ['images']),
    replicas,
    commonLabels: stringMap(kustomize.commonLabels),
    commonAnnotations: stringMap(kustomize.commonAnnotations),
    commonAnnotationsEnvsubst: kustomize.commonAnnotationsEnvsubst === true,
    forceCommonLabels: kustomize.forceCommonLabels === true,
    forceCommonAnnotations: kustomize.forceCommonAnnotations === true,
    labelWithoutSelector: kustomize.labelWithoutSelector === true,
    labelIncludeTemplates: kustomize.labelIncludeTemplates === true,
    patches: Array.isArray(patches) ? patches : [],
    components: stringsAt(kustomize, ['components']),
    ignoreMissingComponents: kustomize.ignoreMissingComponents === true,
    ...(kubeVersion !== undefined ? { kubeVersion } : {}),
    apiVersions: stringsAt(kustomize, ['apiVersions']),
  };
}

function readDirectory(directory: PlainMap): DirectorySpec {
  const include = nonEmpty(stringAt(directory, ['include']));
  const exclude = nonEmpty(stringAt(directory, ['exclude']));
  return {
    recurse: directory.recurse === true,
    ...(include !== undefined ? { include } : {}),
    ...(exclude !== undefined ? { exclude } : {}),
    jsonnet: isMap(directory.jsonnet) && Object.keys(directory.jsonnet).length > 0,
  };
}

function pluginOf(plugin: PlainMap): { name?: string } {
  const name = nonEmpty(stringAt(plugin, ['name']));
  return name !== undefined ? { name } : {};
}

/** Kubernetes stores these fields as strings; a YAML number or boolean (`targetRevision: 1.2`) means its text. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function stringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isMap(value)) return result;
  for (const [key, item] of Object.entries(value)) {
    const text = scalarText(item);
    if (text !== undefined) result[key] = text;
  }
  return result;
}

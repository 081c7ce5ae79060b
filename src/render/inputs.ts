import { posix } from 'node:path';
import yaml from 'js-yaml';
import { joinInRepo } from '../model/helm/paths.js';
import { isMap, stringAt, valueAt } from '../model/k8s/value.js';
import type { RepoIndex } from './repo-index.js';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The plain value of a YAML file's first document: the model's parse, or the text read here (`Kustomization`). */
export function yamlValue(index: RepoIndex, file: string): unknown {
  const documents = index.documents(file);
  if (documents.length > 0) return documents[0]?.broken === true ? undefined : documents[0]?.value;
  const text = index.text(file);
  if (text === undefined) return undefined;
  try {
    return yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch {
    return undefined;
  }
}

export function kustomizationFileIn(index: RepoIndex, dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    const file = dir === '.' ? name : `${dir}/${name}`;
    if (index.has(file)) return file;
  }
  return undefined;
}

/** What `kustomize build` of a folder reads. */
export interface KustomizeInputs {
  /** Repo files it may read: every file under each kustomization folder it reaches, and files named outside them. */
  files: Set<string>;
  /** The kustomization files reached, the overlay's first. */
  kustomizations: string[];
  /** Patch files (`patches[].path`, `patchesStrategicMerge`, `patchesJson6902[].path`): their lines can set fields. */
  patchFiles: string[];
  /** References kustomize would fetch: git bases, URLs. */
  remote: string[];
  /** Charts kustomizations inflate (`helmCharts`, which needs `--enable-helm`); `vendored` when in `chartHome`. */
  helmCharts: { name: string; version?: string; repo?: string; vendored: boolean }[];
  /** Where inflated charts get values: `valuesFile`s, and `valuesInline` (a path in a kustomization). */
  chartValues: ({ file: string } | { file: string; path: (string | number)[] })[];
}

/** Remote targets as kustomize reads them: URLs, `github.com/org/repo`, scp-like git, `//` subfolders, `?ref=`. */
function isRemoteReference(reference: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(reference) || /^(?:github\.com|gitlab\.com|bitbucket\.org)\//i.test(reference) || /^[\w.-]+@[\w.-]+:/.test(reference) || /\?(?:ref|version|timeout|submodules)=/.test(reference);
}

/**
 * Follows a kustomization through every local folder and file it names (resources, components, patches,
 * generators' files, ...). A folder counts whole, a conservative reading of what kustomize opens.
 */
export function kustomizeInputs(index: RepoIndex, dir: string): KustomizeInputs {
  const inputs: KustomizeInputs = { files: new Set(), kustomizations: [], patchFiles: [], remote: [], helmCharts: [], chartValues: [] };
  const visited = new Set<string>();
  const visit = (folder: string): void => {
    if (visited.has(folder)) return;
    visited.add(folder);
    for (const file of index.filesUnder(folder)) inputs.files.add(file);
    const kustomization = kustomizationFileIn(index, folder);
    if (kustomization === undefined) return;
    inputs.kustomizations.push(kustomization);
    const value = yamlValue(index, kustomization);
    if (!isMap(value)) return;
    const reference = (text: string, kind: 'any' | 'patch'): void => {
      if (text.includes('\n')) return; // inline YAML (a patch or a generator's config), not a path
      if (isRemoteReference(text)) {
        inputs.remote.push(text);
        return;
      }
      const target = joinInRepo(folder, text);
      if (target === undefined) return; // outside the repo: kustomize refuses it and says so
      if (index.isDir(target)) visit(target);
      else if (index.has(target)) {
        inputs.files.add(target);
        if (kind === 'patch') inputs.patchFiles.push(target);
      }
    };
    const strings = (path: (string | number)[], kind: 'any' | 'patch' = 'any'): void => {
      const found = valueAt(value, path);
      if (Array.isArray(found)) for (const item of found) if (typeof item === 'string') reference(item, kind);
    };
    for (const key of ['resources', 'bases', 'components', 'crds', 'configurations', 'generators', 'transformers', 'validators']) strings([key]);
    strings(['patchesStrategicMerge'], 'patch');
    for (const key of ['patches', 'patchesJson6902', 'replacements']) {
      const entries = valueAt(value, [key]);
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        const path = stringAt(entry, ['path']);
        if (path !== undefined) reference(path, key === 'replacements' ? 'any' : 'patch');
      }
    }
    for (const key of ['configMapGenerator', 'secretGenerator']) {
      const generators = valueAt(value, [key]);
      if (!Array.isArray(generators)) continue;
      for (const generator of generators) {
        for (const file of [...stringList(valueAt(generator, ['files'])), ...stringList(valueAt(generator, ['envs']))]) {
          // `files` entries may be `key=path`.
          reference(file.includes('=') ? file.slice(file.indexOf('=') + 1) : file, 'any');
        }
        const env = stringAt(generator, ['env']);
        if (env !== undefined) reference(env, 'any');
      }
    }
    const openapi = stringAt(value, ['openapi', 'path']);
    if (openapi !== undefined) reference(openapi, 'any');
    if (Array.isArray(value.helmCharts) && value.helmCharts.length > 0) {
      const chartHome = stringAt(value, ['helmGlobals', 'chartHome']) ?? 'charts';
      reference(chartHome, 'any');
      const home = joinInRepo(folder, chartHome);
      for (const [position, chart] of value.helmCharts.entries()) {
        if (isMap(valueAt(chart, ['valuesInline']))) inputs.chartValues.push({ file: kustomization, path: ['helmCharts', position, 'valuesInline'] });
        const name = stringAt(chart, ['name']);
        const version = stringAt(chart, ['version']);
        const repo = stringAt(chart, ['repo']);
        if (name !== undefined) {
          // kustomize looks for `<chartHome>/<name>`, or `<chartHome>/<name>-<version>/<name>` when a version is set.
          const vendored = home !== undefined && (index.isDir(`${home}/${name}`) || (version !== undefined && index.isDir(`${home}/${name}-${version}/${name}`)));
          inputs.helmCharts.push({ name, ...(version !== undefined ? { version } : {}), ...(repo !== undefined ? { repo } : {}), vendored });
        }
        for (const valuesFile of [stringAt(chart, ['valuesFile']), ...stringList(valueAt(chart, ['additionalValuesFiles']))]) {
          if (valuesFile === undefined) continue;
          reference(valuesFile, 'any');
          const file = joinInRepo(folder, valuesFile);
          if (file !== undefined && index.has(file)) inputs.chartValues.push({ file });
        }
      }
    }
  };
  visit(dir);
  return inputs;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export interface ChartDependency {
  name: string;
  version?: string;
  repository?: string;
}

/** What `helm template` of a chart folder reads. */
export interface HelmInputs {
  files: Set<string>;
  /** The chart's name (Chart.yaml `name`): Helm's `# Source:` paths start with it. */
  name?: string;
  /** Dependencies that are not in `charts/`: `file://` ones are built offline, others need `renderRemote`. */
  missingDependencies: ChartDependency[];
}

/** The chart folder with its `charts/`, and every `file://` dependency folder, recursively. */
export function helmInputs(index: RepoIndex, chartDir: string): HelmInputs {
  const files = new Set<string>();
  const visited = new Set<string>();
  let name: string | undefined;
  let missingDependencies: ChartDependency[] = [];
  const visit = (dir: string, top: boolean): void => {
    if (visited.has(dir)) return;
    visited.add(dir);
    for (const file of index.filesUnder(dir)) files.add(file);
    const chartFile = dir === '.' ? 'Chart.yaml' : `${dir}/Chart.yaml`;
    const chart = yamlValue(index, chartFile);
    if (top) name = stringAt(chart, ['name']);
    // Helm 2 charts list dependencies in requirements.yaml.
    const listed = valueAt(chart, ['dependencies']) ?? valueAt(yamlValue(index, posix.join(dir, 'requirements.yaml')), ['dependencies']);
    const dependencies = Array.isArray(listed) ? listed.map(dependencyOf).filter((dependency) => dependency !== undefined) : [];
    const missing = dependencies.filter((dependency) => !isVendored(index, dir, dependency.name));
    if (top) missingDependencies = missing;
    for (const dependency of dependencies) {
      const repository = dependency.repository ?? '';
      if (!repository.startsWith('file://')) continue;
      const target = joinInRepo(dir, repository.slice('file://'.length));
      if (target !== undefined) visit(target, false);
    }
  };
  visit(chartDir, true);
  return { files, ...(name !== undefined ? { name } : {}), missingDependencies };
}

function dependencyOf(value: unknown): ChartDependency | undefined {
  const name = stringAt(value, ['name']);
  if (name === undefined) return undefined;
  const version = stringAt(value, ['version']);
  const repository = stringAt(value, ['repository']);
  return { name, ...(version !== undefined ? { version } : {}), ...(repository !== undefined && repository !== '' ? { repository } : {}) };
}

/** `charts/<name>-<version>.tgz` or `charts/<name>/Chart.yaml`, as `helm dependency build` leaves them. */
function isVendored(index: RepoIndex, chartDir: string, name: string): boolean {
  const charts = chartDir === '.' ? 'charts' : `${chartDir}/charts`;
  if (index.has(`${charts}/${name}/Chart.yaml`)) return true;
  return index.filesUnder(charts).some((file) => {
    const base = file.slice(charts.length + 1);
    return !base.includes('/') && base.startsWith(`${name}-`) && base.endsWith('.tgz') && /^\d/.test(base.slice(name.length + 1));
  });
}

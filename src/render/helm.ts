import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import { x as extractTar } from 'tar';
import { joinInRepo } from '../model/helm/paths.js';
import type { AppSourceSpec, AppSpec, HelmSpec } from './app-spec.js';
import type { AppTask, Problem, RenderContext, Setter, SourceFileInfo, ToolJob } from './context.js';
import { sourceAt } from './context.js';
import { argoEnv, envsubst } from './env.js';
import { helmInputs, type ChartDependency } from './inputs.js';
import { parseManifestStream } from './manifests.js';
import { sha256 } from './repo-index.js';
import { toolFailure, type ToolRun } from './run-tool.js';
import type { RenderTool } from './tools.js';
import type { Workspace } from './workspace.js';

/** A values file ArgoCD passes with `--values`. */
type ValueInput = { kind: 'file'; repo: string; file: string } | { kind: 'url'; url: string } | { kind: 'chart-file'; file: string };

/** Where the chart is: a folder of a fleet repo, or a chart pulled from a Helm repository. */
export type ChartLocation = { kind: 'fleet'; repo: string; dir: string } | { kind: 'pulled'; archive: string; name: string; digest: string };

/**
 * `helm.valueFiles` resolved as ArgoCD's repo-server does: `$ref/...` against the root of the source with that
 * `ref` (multi-source only), an absolute path against the repo root, else relative to the chart's path; `ARGOCD_APP_*`
 * substituted; globs (`*`, `?`, `[`) expanded in lexical order; missing files dropped with `ignoreMissingValueFiles`.
 */
export function resolveValueFiles(context: RenderContext, app: AppSpec, source: AppSourceSpec, helm: HelmSpec, chart: ChartLocation): { inputs: ValueInput[] } | Problem {
  const env = argoEnv(app, source);
  const refSources = new Map(app.multiSource ? app.sources.filter((candidate) => candidate.ref !== undefined).map((candidate) => [`$${candidate.ref ?? ''}`, candidate]) : []);
  const inputs: ValueInput[] = [];
  const seen = new Set<string>();
  const add = (input: ValueInput): void => {
    const key = JSON.stringify(input);
    if (seen.has(key)) return;
    seen.add(key);
    inputs.push(input);
  };
  for (const [position, raw] of helm.valueFiles.entries()) {
    const at = sourceAt(source, 'helm', 'valueFiles', position);
    let repo: string;
    let file: string | undefined;
    const refName = raw.startsWith('$') ? raw.split('/')[0] ?? '' : '';
    const refSource = refSources.get(refName);
    if (app.multiSource && raw.startsWith('$') && refSource === undefined) {
      const names = [...refSources.keys()].join(', ');
      const message = refSources.size === 0 ? `source referenced "${refName}", but no source has a 'ref' field defined` : `source referenced "${refName}", which is not one of the available sources (${names})`;
      return { problem: 'error', message, path: at };
    }
    if (refSource !== undefined) {
      if (refSource.chart !== undefined) return { problem: 'error', message: "source has a 'chart' field defined, but Helm charts are not yet not supported for 'ref' sources", path: at };
      const refRepo = refSource.repoURL === undefined ? undefined : context.resolveRepo(refSource.repoURL);
      if (refRepo === undefined) return { problem: 'note', message: `value file ${raw} is in ${refSource.repoURL ?? 'a source without repoURL'}, which is not a repository of the fleet`, path: at };
      repo = refRepo;
      file = joinInRepo('.', envsubst(raw.slice(refName.length), env).replace(/^\/+/, ''));
      if (file === undefined) return { problem: 'error', message: `file '${raw}' resolved to outside repository root`, path: at };
    } else {
      const substituted = envsubst(raw, env);
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(substituted)?.[1];
      if (scheme !== undefined && substituted.includes('://')) {
        if (!/^https?$/i.test(scheme)) return { problem: 'error', message: `the URL scheme '${scheme}' is not allowed`, path: at };
        if (!context.renderRemote) return { problem: 'note', message: `value file ${substituted} is a URL, fetched only with --render-remote`, path: at };
        add({ kind: 'url', url: substituted });
        continue;
      }
      if (chart.kind === 'pulled') {
        // A chart from a Helm repository: relative value files are files of the chart itself.
        const inChart = joinInRepo('.', substituted.replace(/^\/+/, ''));
        if (inChart === undefined) return { problem: 'error', message: `file '${raw}' resolved to outside repository root`, path: at };
        add({ kind: 'chart-file', file: inChart });
        continue;
      }
      repo = chart.repo;
      file = substituted.startsWith('/') ? joinInRepo('.', substituted.slice(1)) : joinInRepo(chart.dir, substituted);
      if (file === undefined) return { problem: 'error', message: `file '${raw}' resolved to outside repository root`, path: at };
    }
    const index = context.indexes.get(repo);
    if (!index) continue;
    if (/[*?[]/.test(file)) {
      const matcher = picomatch(file, { dot: true });
      const matches = index.filesUnder('.').filter((candidate) => matcher(candidate));
      if (matches.length === 0) {
        if (helm.ignoreMissingValueFiles) continue;
        return { problem: 'error', message: `values file glob "${raw}" matched no files`, path: at };
      }
      for (const match of matches) add({ kind: 'file', repo, file: match });
      continue;
    }
    if (!index.has(file) && helm.ignoreMissingValueFiles) continue;
    add({ kind: 'file', repo, file });
  }
  return { inputs };
}

/** The inline values ArgoCD writes to a temporary file and passes last: `valuesObject` wins over `values`. */
function inlineValues(helm: HelmSpec): string | undefined {
  if (helm.valuesObject !== undefined) return JSON.stringify(helm.valuesObject);
  return helm.values;
}

/** Helm's `--set` syntax splits on commas; ArgoCD escapes them unless the value is a `{a,b}` list. */
function cleanSetParameter(value: string): string {
  if (value.startsWith('{') && value.endsWith('}')) return value;
  return value.replace(/(^|[^\\]),/g, (_whole, before: string) => `${before}\\,`);
}

export interface HelmJobInput {
  context: RenderContext;
  task: AppTask;
  source: AppSourceSpec;
  chart: ChartLocation;
  tool: RenderTool;
}

/** The `helm template` job of a chart source, with the setters provenance reads, or the problem that stops it. */
export function planHelm({ context, task, source, chart, tool }: HelmJobInput): { job: ToolJob; setters: Setter[]; notes: Problem[] } | Problem {
  const app = task.spec;
  const helm: HelmSpec = source.helm ?? emptyHelm();
  const resolved = resolveValueFiles(context, app, source, helm, chart);
  if ('problem' in resolved) return resolved;
  const env = argoEnv(app, source);
  const notes: Problem[] = [];
  const inputs = new Map<string, Set<string>>();
  const addInput = (repo: string, file: string): void => {
    let files = inputs.get(repo);
    if (!files) inputs.set(repo, (files = new Set()));
    files.add(file);
  };

  let chartName: string | undefined;
  let missingDependencies: ChartDependency[] = [];
  if (chart.kind === 'fleet') {
    const index = context.indexes.get(chart.repo);
    if (index) {
      const found = helmInputs(index, chart.dir);
      for (const file of found.files) addInput(chart.repo, file);
      chartName = found.name;
      missingDependencies = found.missingDependencies;
    }
  } else {
    chartName = chart.name;
  }
  const remoteDependencies = missingDependencies.filter((dependency) => dependency.repository !== undefined && !dependency.repository.startsWith('file://'));
  if (remoteDependencies.length > 0 && !context.renderRemote) {
    const names = remoteDependencies.map((dependency) => `${dependency.name} ${dependency.version ?? ''} from ${dependency.repository ?? ''}`.replace(/\s+/g, ' ')).join(', ');
    const problem: Problem = { problem: 'note', message: `chart ${chartLabel(chart)} needs ${names}, not vendored in charts/: rendered only with --render-remote`, path: sourceAt(source, 'path'), once: `chart ${chartLabel(chart)}` };
    if (chart.kind === 'fleet') problem.at = { repo: chart.repo, file: chart.dir === '.' ? 'Chart.yaml' : `${chart.dir}/Chart.yaml`, path: ['dependencies'] };
    return problem;
  }
  for (const input of resolved.inputs) if (input.kind === 'file') addInput(input.repo, input.file);

  const fileParameters: { name: string; input: ValueInput }[] = [];
  for (const parameter of helm.fileParameters) {
    const one = resolveValueFiles(context, app, source, { ...helm, valueFiles: [parameter.path], ignoreMissingValueFiles: false }, chart);
    if ('problem' in one) return { ...one, path: sourceAt(source, 'helm', 'fileParameters') };
    const input = one.inputs[0];
    if (!input) continue;
    if (input.kind === 'file') addInput(input.repo, input.file);
    fileParameters.push({ name: parameter.name, input });
  }

  const release = helm.releaseName ?? app.name;
  const namespace = helm.namespace ?? app.destinationNamespace;
  const kubeVersion = helm.kubeVersion ?? context.kubeVersion;
  const apiVersions = helm.apiVersions.length > 0 ? helm.apiVersions : context.apiVersions;
  const extraValues = inlineValues(helm);
  const parameters = helm.parameters.map((parameter) => ({ ...parameter, value: envsubst(parameter.value, env) }));
  const settings = {
    chart: chart.kind === 'fleet' ? { repo: chart.repo, dir: chart.dir } : { pulled: chart.digest },
    release,
    namespace,
    kubeVersion,
    apiVersions,
    values: resolved.inputs,
    extraValues,
    parameters,
    fileParameters,
    flags: { skipCrds: helm.skipCrds, skipSchemaValidation: helm.skipSchemaValidation, skipTests: helm.skipTests },
    dependencies: missingDependencies,
  };

  const job: ToolJob = {
    kind: 'helm',
    tool,
    inputs,
    settings,
    ...(chart.kind === 'pulled' ? { externalDigests: [chart.digest] } : {}),
    run: async (workspace) => {
      let chartDir: string;
      if (chart.kind === 'fleet') {
        chartDir = join(workspace.repoDir(chart.repo), ...chart.dir.split('/'));
      } else {
        const target = join(workspace.root, 'pulled');
        await mkdir(target, { recursive: true });
        await extractTar({ file: chart.archive, cwd: target });
        const [top] = await readdir(target);
        chartDir = join(target, top ?? chart.name);
      }
      const helmEnv = helmEnvironment(workspace.root, context.chartCacheDir, context.renderRemote);
      if (missingDependencies.length > 0) {
        const built = await buildDependencies(context, tool, chartDir, missingDependencies, helmEnv);
        if (built !== undefined) return toolFailure(built, 'helm dependency build', (text) => workspace.redact(text));
      }
      const args = ['template', '.', '--name-template', release];
      if (namespace !== undefined) args.push('--namespace', namespace);
      if (kubeVersion !== undefined) args.push('--kube-version', kubeVersion);
      for (const parameter of parameters) args.push(parameter.forceString ? '--set-string' : '--set', `${parameter.name}=${cleanSetParameter(parameter.value)}`);
      for (const parameter of fileParameters) args.push('--set-file', `${parameter.name}=${cleanSetParameter(valuePath(workspace, chartDir, parameter.input))}`);
      for (const input of resolved.inputs) args.push('--values', valuePath(workspace, chartDir, input));
      if (extraValues !== undefined && extraValues !== '') {
        const file = join(workspace.root, 'argocd-inline-values.yaml');
        await writeFile(file, extraValues);
        args.push('--values', file);
      }
      for (const version of apiVersions) args.push('--api-versions', version);
      if (!helm.skipCrds) args.push('--include-crds');
      if (helm.skipSchemaValidation) args.push('--skip-schema-validation');
      if (helm.skipTests) args.push('--skip-tests');
      const run = await context.exec(tool.path, args, chartDir, helmEnv);
      if (run.code !== 0) return toolFailure(run, 'helm template', (text) => workspace.redact(text));
      try {
        return { ok: true, documents: parseManifestStream(run.stdout) };
      } catch (error) {
        return { ok: false, message: `helm template printed YAML that does not parse: ${(error as Error).message}` };
      }
    },
    provenanceOf: (document) => helmProvenance(context, chart, chartName, document.source),
  };
  for (const input of resolved.inputs) {
    if (input.kind === 'url') notes.push({ problem: 'note', message: `value file ${input.url} is fetched at render time; its lines are not located`, path: sourceAt(source, 'helm', 'valueFiles') });
  }
  return { job, setters: helmSetters(context, task, source, helm, chart, resolved.inputs), notes };
}

function emptyHelm(): HelmSpec {
  return { valueFiles: [], ignoreMissingValueFiles: false, parameters: [], fileParameters: [], skipCrds: false, skipSchemaValidation: false, skipTests: false, apiVersions: [] };
}

function chartLabel(chart: ChartLocation): string {
  return chart.kind === 'fleet' ? `${chart.repo}/${chart.dir}` : chart.name;
}

function valuePath(workspace: Workspace, chartDir: string, input: ValueInput): string {
  if (input.kind === 'url') return input.url;
  if (input.kind === 'chart-file') return join(chartDir, ...input.file.split('/'));
  return join(workspace.repoDir(input.repo), ...input.file.split('/'));
}

/**
 * Helm's folders, away from the user's own repositories and plugins: in the workspace, or with `renderRemote` in
 * the chart cache, where repository indexes and downloaded charts are kept between runs.
 */
function helmEnvironment(workspaceRoot: string, chartCacheDir: string, remote: boolean): NodeJS.ProcessEnv {
  const home = remote ? join(chartCacheDir, 'helm') : join(workspaceRoot, '.helm');
  return {
    ...process.env,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    HELM_PLUGINS: join(home, 'plugins'),
  };
}

/**
 * ArgoCD runs `helm dependency build` when `helm template` reports missing dependencies: `file://` ones are
 * packaged from the fleet's folders; others (only with renderRemote) after `helm repo add` of each repository.
 */
async function buildDependencies(context: RenderContext, tool: RenderTool, chartDir: string, missing: readonly ChartDependency[], env: NodeJS.ProcessEnv): Promise<ToolRun | undefined> {
  const repositories = [...new Set(missing.map((dependency) => dependency.repository ?? '').filter((repository) => /^https?:\/\//i.test(repository)))];
  for (const repository of repositories) {
    const name = `fleetlint-${sha256(repository).slice(0, 12)}`;
    const added = await context.exec(tool.path, ['repo', 'add', '--force-update', name, repository], chartDir, env);
    if (added.code !== 0) return added;
  }
  const remote = missing.some((dependency) => dependency.repository !== undefined && !dependency.repository.startsWith('file://'));
  const built = await context.exec(tool.path, ['dependency', 'build', ...(remote ? [] : ['--skip-refresh'])], chartDir, env);
  return built.code === 0 ? undefined : built;
}

/** Helm's `# Source: <chart name>/templates/x.yaml`, as a file of the fleet when the chart is one of its folders. */
function helmProvenance(context: RenderContext, chart: ChartLocation, chartName: string | undefined, source: string | undefined): SourceFileInfo {
  if (source === undefined) return {};
  if (chart.kind !== 'fleet') return { template: source };
  const slash = source.indexOf('/');
  const inChart = slash === -1 ? undefined : source.slice(slash + 1);
  if (inChart === undefined || (chartName !== undefined && source.slice(0, slash) !== chartName)) return { template: source };
  const file = chart.dir === '.' ? inChart : posix.join(chart.dir, inChart);
  const owned = context.indexes.get(chart.repo)?.has(file) === true;
  return owned ? { file: { repo: chart.repo, file, owned } } : { template: source };
}

function helmSetters(context: RenderContext, task: AppTask, source: AppSourceSpec, helm: HelmSpec, chart: ChartLocation, inputs: readonly ValueInput[]): Setter[] {
  const setters: Setter[] = [];
  if (chart.kind === 'fleet') {
    const defaults = chart.dir === '.' ? 'values.yaml' : `${chart.dir}/values.yaml`;
    if (context.indexes.get(chart.repo)?.has(defaults) === true) setters.push({ kind: 'values-file', repo: chart.repo, file: defaults });
  }
  for (const input of inputs) if (input.kind === 'file') setters.push({ kind: 'values-file', repo: input.repo, file: input.file });
  if (helm.valuesObject !== undefined) setters.push({ kind: 'inline-values', path: sourceAt(source, 'helm', 'valuesObject'), value: helm.valuesObject, task });
  else if (helm.values !== undefined) setters.push({ kind: 'inline-values-text', path: sourceAt(source, 'helm', 'values'), text: helm.values, task });
  for (const parameter of helm.parameters) {
    setters.push({ kind: 'parameter', path: sourceAt(source, 'helm', 'parameters', parameter.index, 'value'), value: parameter.value, name: parameter.name, task });
  }
  return setters;
}

/**
 * A chart from a Helm repository (`chart:` with a repoURL), pulled once into the chart cache with `helm pull`
 * and kept there by repository, chart and version as written.
 */
export async function pullChart(context: RenderContext, tool: RenderTool, source: AppSourceSpec): Promise<ChartLocation | { message: string }> {
  const repoURL = source.repoURL ?? '';
  const chart = source.chart ?? '';
  const version = source.targetRevision ?? '';
  const folder = join(context.chartCacheDir, 'pulled', sha256(JSON.stringify([repoURL, chart, version])).slice(0, 24));
  let archive = await findArchive(folder);
  if (archive === undefined) {
    await mkdir(folder, { recursive: true });
    const oci = repoURL.startsWith('oci://');
    const reference = oci ? `${repoURL.replace(/\/+$/, '')}/${chart}` : chart;
    const args = ['pull', reference, ...(oci ? [] : ['--repo', repoURL]), ...(version !== '' ? ['--version', version] : []), '--destination', folder];
    const run = await context.exec(tool.path, args, folder, helmEnvironment(folder, context.chartCacheDir, true));
    if (run.code !== 0) {
      const text = (run.stderr.trim() || run.stdout.trim() || run.failure || 'no output').split('\n').slice(0, 6).join('\n');
      return { message: `helm pull ${chart} ${version} from ${repoURL} failed: ${text}` };
    }
    archive = await findArchive(folder);
    if (archive === undefined) return { message: `helm pull ${chart} ${version} from ${repoURL} left no chart archive` };
  }
  return { kind: 'pulled', archive, name: chart, digest: sha256(await readFile(archive)) };
}

async function findArchive(folder: string): Promise<string | undefined> {
  try {
    const names = (await readdir(folder)).filter((name) => name.endsWith('.tgz')).sort();
    return names[0] === undefined ? undefined : join(folder, names[0]);
  } catch {
    return undefined;
  }
}

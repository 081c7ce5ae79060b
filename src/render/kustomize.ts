import { readFile, writeFile } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import yaml from 'js-yaml';
import { isMap, type PlainMap } from '../model/k8s/value.js';
import type { AppSourceSpec, KustomizeSpec } from './app-spec.js';
import type { OutputDocument } from './cache.js';
import type { AppTask, Problem, RenderContext, Setter, SourceFileInfo, ToolJob } from './context.js';
import { sourceAt } from './context.js';
import { argoEnv, envsubst } from './env.js';
import { kustomizationFileIn, kustomizeInputs, yamlValue, type KustomizeInputs } from './inputs.js';
import { parseManifestStream } from './manifests.js';
import { toolFailure } from './run-tool.js';
import type { RepoIndex } from './repo-index.js';
import type { RenderTool } from './tools.js';
import type { Workspace } from './workspace.js';

const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin';

export interface KustomizeJobInput {
  context: RenderContext;
  task: AppTask;
  source: AppSourceSpec;
  index: RepoIndex;
  dir: string;
  tool: RenderTool;
}

/**
 * The `kustomize build` job of an overlay: the Application's kustomize options applied with `kustomize edit`
 * in the workspace copy, as ArgoCD does in its checkout, `buildMetadata: [originAnnotations]` added to that copy
 * so that kustomize says where each object came from, then `kustomize build` as ArgoCD runs it. The annotations
 * are read and removed (kept when the user's kustomization asks for them itself).
 */
export function planKustomize({ context, task, source, index, dir, tool }: KustomizeJobInput): { job: ToolJob; setters: Setter[] } | Problem {
  const inputs = kustomizeInputs(index, dir);
  if (inputs.remote.length > 0 && !context.renderRemote) {
    return { problem: 'note', message: `kustomization ${index.id}/${dir} uses remote bases (${inputs.remote.join(', ')}): rendered only with --render-remote`, path: sourceAt(source, 'path') };
  }
  if (inputs.helmCharts.length > 0) {
    const charts = inputs.helmCharts.map((chart) => `${chart.name}${chart.version !== undefined ? ` ${chart.version}` : ''}`).join(', ');
    // ArgoCD builds these only when argocd-cm's kustomize.buildOptions has --enable-helm, which fleetlint reads from
    // the fleet when it is there (detectArgoSettings); otherwise it cannot tell an error from a setting it lacks.
    if (!context.kustomizeBuildOptions.includes('--enable-helm')) {
      return { problem: 'note', message: `kustomization ${index.id}/${dir} inflates Helm charts (${charts}), which ArgoCD builds only with --enable-helm in kustomize.buildOptions; no such setting was found in the fleet or given`, path: sourceAt(source, 'path') };
    }
    if (!context.helm3) {
      return { problem: 'note', message: `kustomization ${index.id}/${dir} inflates Helm charts (${charts}): kustomize ${tool.version} needs a Helm 3 for that (helm3 on PATH), which was not found`, path: sourceAt(source, 'path') };
    }
    const remoteCharts = inputs.helmCharts.filter((chart) => !chart.vendored);
    if (remoteCharts.length > 0 && !context.renderRemote) {
      return { problem: 'note', message: `kustomization ${index.id}/${dir} inflates Helm charts from repositories (${remoteCharts.map((chart) => `${chart.name} from ${chart.repo ?? '?'}`).join(', ')}): rendered only with --render-remote`, path: sourceAt(source, 'path') };
    }
  }
  const options = source.kustomize;
  const env = argoEnv(task.spec, source);
  const edits = options ? kustomizeEdits(options, env) : [];
  const patches = options?.patches ?? [];
  const buildOptions = [...context.kustomizeBuildOptions];
  if (inputs.helmCharts.length > 0 && context.helm3) buildOptions.push('--helm-command', context.helm3.path);
  const kubeVersion = options?.kubeVersion ?? context.kubeVersion;
  const apiVersions = options && options.apiVersions.length > 0 ? options.apiVersions : context.apiVersions;
  // kustomize passes these to Helm only when it inflates charts (kustomize >= 5.3, as ArgoCD checks).
  if (buildOptions.includes('--enable-helm')) {
    if (kubeVersion !== undefined) buildOptions.push('--helm-kube-version', kubeVersion);
    for (const version of apiVersions) buildOptions.push('--helm-api-versions', version);
  }
  const keepOrigin = userAsksForOrigins(yamlValue(index, kustomizationFileIn(index, dir) ?? ''));
  const job: ToolJob = {
    kind: 'kustomize',
    tool,
    inputs: new Map([[index.id, inputs.files]]),
    settings: { dir, edits, patches, buildOptions, keepOrigin },
    run: async (workspace) => {
      const overlay = join(workspace.repoDir(index.id), ...dir.split('/'));
      const toolEnv = { ...process.env, ...env };
      for (const args of edits) {
        const run = await context.exec(tool.path, args, overlay, toolEnv);
        if (run.code !== 0) return toolFailure(run, `kustomize ${args.slice(0, 3).join(' ')}`, (text) => workspace.redact(text));
      }
      if (patches.length > 0) {
        const added = await addPatches(index, dir, overlay, patches);
        if (added !== undefined) return { ok: false, message: added };
      }
      const originsAsked = keepOrigin || (await askForOrigins(overlay, kustomizationFileIn(index, dir)));
      const run = await context.exec(tool.path, ['build', overlay, ...buildOptions], workspace.repoDir(index.id), toolEnv);
      if (run.code !== 0) return toolFailure(run, 'kustomize build', (text) => workspace.redact(text));
      let documents: OutputDocument[];
      try {
        documents = parseManifestStream(run.stdout);
      } catch (error) {
        return { ok: false, message: `kustomize build printed YAML that does not parse: ${(error as Error).message}` };
      }
      return { ok: true, documents: originsAsked ? documents.map((document) => withOrigin(document, workspace, overlay, keepOrigin)) : documents };
    },
    provenanceOf: (document) => kustomizeProvenance(context, document),
  };
  return { job, setters: kustomizeSetters(task, source, index, inputs) };
}

/** The `kustomize edit` commands ArgoCD runs for the Application's options, in its order. */
function kustomizeEdits(options: KustomizeSpec, env: Readonly<Record<string, string>>): string[][] {
  const edits: string[][] = [];
  if (options.namePrefix !== undefined) edits.push(['edit', 'set', 'nameprefix', '--', options.namePrefix]);
  if (options.nameSuffix !== undefined) edits.push(['edit', 'set', 'namesuffix', '--', options.nameSuffix]);
  if (options.images.length > 0) edits.push(['edit', 'set', 'image', ...options.images.map((image) => envsubst(image, env))]);
  if (options.replicas.length > 0) edits.push(['edit', 'set', 'replicas', ...options.replicas.map((replica) => `${replica.name}=${String(replica.count)}`)]);
  const labels = Object.entries(options.commonLabels);
  if (labels.length > 0) {
    const flags = [...(options.forceCommonLabels ? ['--force'] : []), ...(options.labelWithoutSelector ? ['--without-selector'] : []), ...(options.labelIncludeTemplates ? ['--include-templates'] : [])];
    edits.push(['edit', 'add', 'label', ...flags, ...labels.map(([name, value]) => `${name}:${envsubst(value, env)}`)]);
  }
  const annotations = Object.entries(options.commonAnnotations);
  if (annotations.length > 0) {
    edits.push(['edit', 'add', 'annotation', ...(options.forceCommonAnnotations ? ['--force'] : []), ...annotations.map(([name, value]) => `${name}:${options.commonAnnotationsEnvsubst ? envsubst(value, env) : value}`)]);
  }
  if (options.namespace !== undefined) edits.push(['edit', 'set', 'namespace', '--', options.namespace]);
  // Components are added after the patches in ArgoCD; `edit add component` does not touch `patches`, so the order is kept here too.
  return edits;
}

/** ArgoCD appends the Application's `kustomize.patches` to the kustomization's `patches` (there is no edit command for it). */
async function addPatches(index: RepoIndex, dir: string, overlay: string, patches: readonly unknown[]): Promise<string | undefined> {
  const file = kustomizationFileIn(index, dir);
  if (file === undefined) return 'kustomization file not found in the path';
  const path = join(overlay, file.slice(file.lastIndexOf('/') + 1));
  let value: unknown;
  try {
    value = yaml.load(await readFile(path, 'utf8'), { schema: yaml.CORE_SCHEMA });
  } catch (error) {
    return `failed to unmarshal kustomization.yaml: ${(error as Error).message.split('\n')[0] ?? ''}`;
  }
  if (!isMap(value)) return 'expected kustomization.yaml to be a map';
  const existing: unknown = value.patches;
  if (existing !== undefined && !Array.isArray(existing)) return "expected 'patches' field in kustomization.yaml to be a list";
  value.patches = [...((existing as unknown[] | undefined) ?? []), ...patches];
  await writeFile(path, yaml.dump(value, { lineWidth: -1, noRefs: true }));
  return undefined;
}

/**
 * Adds `buildMetadata: [originAnnotations]` to the workspace copy of the overlay's kustomization: appended as a
 * line, so the rest of the file stays byte for byte what the user wrote. An empty kustomization (nothing but
 * apiVersion and kind) is left alone, as kustomize refuses it in ArgoCD too, and so is one that sets `buildMetadata`.
 */
async function askForOrigins(overlay: string, file: string | undefined): Promise<boolean> {
  if (file === undefined) return false;
  const path = join(overlay, posix.basename(file));
  let text: string;
  let value: unknown;
  try {
    text = await readFile(path, 'utf8');
    value = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch {
    return false;
  }
  if (!isMap(value) || 'buildMetadata' in value || text.trimStart().startsWith('{')) return false;
  // kustomize refuses a kustomization with nothing but apiVersion and kind as empty: adding a field would hide that.
  if (Object.keys(value).every((key) => key === 'apiVersion' || key === 'kind')) return false;
  await writeFile(path, `${text}${text.endsWith('\n') ? '' : '\n'}buildMetadata: [originAnnotations]\n`);
  return true;
}

function userAsksForOrigins(kustomization: unknown): boolean {
  const metadata = isMap(kustomization) ? kustomization.buildMetadata : undefined;
  return Array.isArray(metadata) && metadata.includes('originAnnotations');
}

interface Origin {
  path?: string;
  repo?: string;
  configuredIn?: string;
}

/**
 * Reads the origin annotation (paths relative to the overlay) into repo files, and removes it unless the user's
 * own kustomization asks for it. The result no longer depends on the workspace, so it can be cached.
 */
function withOrigin(document: OutputDocument, workspace: Workspace, overlay: string, keep: boolean): OutputDocument {
  const value = document.value;
  if (!isMap(value) || !isMap(value.metadata) || !isMap(value.metadata.annotations)) return document;
  const annotations = value.metadata.annotations;
  const text = annotations[ORIGIN_ANNOTATION];
  if (typeof text !== 'string') return document;
  let origin: Origin = {};
  try {
    const parsed = yaml.load(text, { schema: yaml.CORE_SCHEMA });
    if (isMap(parsed)) {
      origin = {
        ...(typeof parsed.path === 'string' ? { path: parsed.path } : {}),
        ...(typeof parsed.repo === 'string' ? { repo: parsed.repo } : {}),
        ...(typeof parsed.configuredIn === 'string' ? { configuredIn: parsed.configuredIn } : {}),
      };
    }
  } catch {
    // An annotation that does not parse gives no origin.
  }
  if (!keep) {
    const rest = Object.fromEntries(Object.entries(annotations).filter(([key]) => key !== ORIGIN_ANNOTATION));
    const metadata: PlainMap = { ...value.metadata };
    if (Object.keys(rest).length === 0) delete metadata.annotations;
    else metadata.annotations = rest;
    document = { ...document, value: { ...value, metadata } };
  }
  const toRepo = (relative: string | undefined): { repo: string; file: string } | undefined =>
    // Remote bases name their repo; their paths are not files of the fleet.
    relative === undefined || origin.repo !== undefined ? undefined : workspace.repoFileOf(resolve(overlay, relative));
  const file = toRepo(origin.path);
  const configuredIn = toRepo(origin.configuredIn);
  return { ...document, ...(file !== undefined ? { origin: file } : {}), ...(configuredIn !== undefined ? { configuredIn } : {}) };
}

function kustomizeProvenance(context: RenderContext, document: OutputDocument): SourceFileInfo {
  const { origin, configuredIn } = document;
  return {
    ...(origin !== undefined ? { file: { ...origin, owned: context.indexes.get(origin.repo)?.has(origin.file) === true } } : {}),
    ...(configuredIn !== undefined ? { configuredIn } : {}),
  };
}

function kustomizeSetters(task: AppTask, source: AppSourceSpec, index: RepoIndex, inputs: KustomizeInputs): Setter[] {
  const setters: Setter[] = [];
  for (const values of inputs.chartValues) setters.push({ kind: 'values-file', repo: index.id, ...values });
  // The base's first, the overlay's last: an overlay's patch or image wins.
  for (const file of [...inputs.kustomizations].reverse()) setters.push({ kind: 'kustomize-images', repo: index.id, file });
  for (const file of inputs.patchFiles) setters.push({ kind: 'patch-file', repo: index.id, file });
  const images = source.kustomize?.images ?? [];
  if (images.length > 0) setters.push({ kind: 'app-images', path: sourceAt(source, 'kustomize', 'images'), images, task });
  return setters;
}

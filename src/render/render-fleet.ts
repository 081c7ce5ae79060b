import { availableParallelism, tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { isInFleetGroup, makeRepoResolver } from '../model/argocd/repo-url.js';
import type { DocPath, FindingDraft } from '../model/findings.js';
import { isUnder, joinInRepo } from '../model/helm/paths.js';
import { originAt, type FactOrigin } from '../model/origin.js';
import type { Fleet } from '../model/types.js';
import type { YamlDocument } from '../model/yaml/parse.js';
import { readAppSpec, readSource, type AppSourceSpec } from './app-spec.js';
import { RenderCache, type OutputDocument } from './cache.js';
import { sourceAt, type AppTask, type Problem, type RenderContext, type Setter, type SourcePlan, type ToolJob } from './context.js';
import { detectArgoSettings } from './argocd-settings.js';
import { readDirectory } from './directory.js';
import { planHelm, pullChart } from './helm.js';
import { KUSTOMIZATION_FILES, kustomizeInputs } from './inputs.js';
import { planKustomize } from './kustomize.js';
import { applySourceOverrides } from './overrides.js';
import { isApplication, objectHeader, objectsOf } from './manifests.js';
import { Provenancer } from './provenance.js';
import { RepoIndex } from './repo-index.js';
import { runTool } from './run-tool.js';
import { findTools } from './tools.js';
import type { FleetRender, RenderLocation, RenderOptions, RenderStats, RenderedApp, RenderedObject, RenderedSource, SourceKind } from './types.js';
import { Workspace } from './workspace.js';

const DEFAULT_TIMEOUT_MS = 90_000;
const DEFAULT_MAX_DEPTH = 5;
/** A renderer printing more than this is stopped: no real chart comes near it. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/**
 * Computes every Application's desired manifests as ArgoCD's repo-server would: the fleet's own Applications,
 * then the Applications those render (app-of-apps made with Helm or kustomize), level by level down to
 * `maxDepth`, each Application once. Each source is resolved to a fleet repo and folder (the fleet's copy: its
 * `targetRevision` is not checked out), its type detected as ArgoCD does, and rendered with the real helm or
 * kustomize, or read as a plain directory. Never throws on a user's repository: problems become notes and
 * render-error findings at the Application.
 */
export async function renderFleet(fleet: Fleet, options: RenderOptions = {}): Promise<FleetRender> {
  const started = performance.now();
  const timings = options.timings;
  const addTime = (key: string, ms: number): void => {
    if (timings) timings[key] = (timings[key] ?? 0) + ms;
  };
  const cacheDir = options.cacheDir === false ? undefined : resolve(options.cacheDir ?? join('.fleetlint-cache', 'render'));
  const tools =
    options.tools ??
    (await findTools({
      ...(options.helm !== undefined ? { helm: options.helm } : {}),
      ...(options.kustomize !== undefined ? { kustomize: options.kustomize } : {}),
      ...(options.helm3 !== undefined ? { helm3: options.helm3 } : {}),
      ...(cacheDir !== undefined ? { cacheDir } : {}),
    }));
  const detected = options.kustomizeBuildOptions === undefined ? detectArgoSettings(fleet).kustomizeBuildOptions : undefined;
  const kustomizeBuildOptions = options.kustomizeBuildOptions ?? detected?.options ?? [];
  const indexes = new Map(fleet.repos.map((repo) => [repo.id, new RepoIndex(repo)]));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const context: RenderContext = {
    indexes,
    resolveRepo: makeRepoResolver(fleet.settings, new Set(indexes.keys())),
    ...(fleet.settings.gitlabHost !== undefined ? { gitlabHost: fleet.settings.gitlabHost } : {}),
    ...(fleet.settings.group !== undefined ? { group: fleet.settings.group } : {}),
    ...(tools.helm ? { helm: tools.helm } : {}),
    ...(tools.kustomize ? { kustomize: tools.kustomize } : {}),
    ...(tools.helm3 ? { helm3: tools.helm3 } : {}),
    renderRemote: options.renderRemote === true,
    chartCacheDir: resolve(options.chartCacheDir ?? join(cacheDir ?? join(tmpdir(), 'fleetlint-render'), 'charts')),
    ...(options.kubeVersion !== undefined ? { kubeVersion: options.kubeVersion } : {}),
    apiVersions: options.apiVersions ?? [],
    kustomizeBuildOptions,
    timeoutMs,
    exec: async (tool, args, cwd, env) => {
      const begin = performance.now();
      const run = await runTool(tool, args, { cwd, env, timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES });
      addTime('render.tools', performance.now() - begin);
      return run;
    },
  };
  const renderer = new FleetRenderer(context, new RenderCache(cacheDir), new Provenancer(indexes), options, Math.max(1, options.concurrency ?? availableParallelism()));

  const staticTasks: AppTask[] = [];
  const staticApps = new Set<string>();
  for (const repo of fleet.repos) {
    const index = indexes.get(repo.id) as RepoIndex;
    for (const app of repo.argocd.applications) {
      // Facts a render made (renderedBy) are rendered as the children of their app-of-apps, not here.
      if (app.renderedBy) continue;
      const manifest = { repo: repo.id, file: app.origin.file };
      // An Application an ApplicationSet generates has no document of its own: its value and template lines.
      const generated = app.object;
      if (generated) {
        const spec = readAppSpec(generated.value);
        if (!spec) continue;
        staticTasks.push({ ref: { repo: repo.id, name: app.name }, spec, depth: 0, locateInApp: (path) => ({ ...fromOrigin(generated.locator.at(path)), via: 'application' }), manifest, fact: app });
        continue;
      }
      const document = index.documents(app.origin.file)[app.origin.docIndex ?? 0];
      const spec = document ? readAppSpec(document.value) : undefined;
      if (!document || !spec) continue;
      staticApps.add(appKey(repo.id, app.origin.file, app.name));
      staticTasks.push({
        ref: { repo: repo.id, name: app.name },
        spec,
        depth: 0,
        locateInApp: (path) => ({ ...locationIn(repo.id, document, path), via: 'application' }),
        manifest,
        fact: app,
      });
    }
  }

  const apps: RenderedApp[] = [];
  const seen = new Set<string>();
  for (const task of staticTasks) seen.add(taskKey(task));
  const renderLevels = async (first: AppTask[]): Promise<void> => {
    let level = first;
    while (level.length > 0) {
      const rendered = await Promise.all(level.map((task) => renderer.renderApp(task)));
      const next: AppTask[] = [];
      for (const [position, app] of rendered.entries()) {
        apps.push(app);
        const task = level[position] as AppTask;
        for (const child of app.childApplications) {
          const childTask = childTaskOf(renderer.provenancer, task, child);
          if (!childTask) continue;
          // A child read from a plain file of the fleet is one of the fleet's own Applications, rendered already. One
          // that kustomize patched is rendered in its own right, unless its sources came out the same (taskKey).
          const file = child.provenance.file;
          if (file?.docIndex !== undefined && staticApps.has(appKey(file.repo, file.file, childTask.spec.name))) continue;
          const key = taskKey(childTask);
          if (seen.has(key)) continue;
          seen.add(key);
          if (childTask.depth > (options.maxDepth ?? DEFAULT_MAX_DEPTH)) {
            app.notes.push(noteAt(childTask.locateInApp(['metadata', 'name']), `Application ${childTask.spec.name} is deeper than ${String(options.maxDepth ?? DEFAULT_MAX_DEPTH)} app-of-apps levels and is not rendered`, `${childTask.spec.name}:depth`));
            continue;
          }
          next.push(childTask);
        }
      }
      level = next;
    }
  };
  try {
    await renderLevels(staticTasks);
    // Then the kustomizations of Applications that nothing in the fleet deploys: the bootstrap.
    if (options.changedFiles === undefined) await renderLevels(bootstrapTasks(fleet, indexes, renderer.reachedKustomizations, renderer.reachedCharts));
  } finally {
    await renderer.dispose();
  }

  apps.sort((a, b) => compare(a.app.repo, b.app.repo) || compare(a.app.name, b.app.name) || a.depth - b.depth);
  keepFirstOnceNotes(apps, renderer.onceNotes);
  const stats = renderer.stats;
  stats.notes = apps.reduce((sum, app) => sum + app.notes.length, 0);
  stats.apps = apps.length;
  addTime('render.total', performance.now() - started);
  const fallback = fallbackMessage(tools.missing, renderer.fallbackKinds);
  return {
    apps,
    tools: { ...(tools.helm ? { helm: tools.helm } : {}), ...(tools.kustomize ? { kustomize: tools.kustomize } : {}), ...(tools.helm3 ? { helm3: tools.helm3 } : {}) },
    settings: { kustomizeBuildOptions, ...(detected ? { foundIn: { repo: detected.repo, file: detected.file } } : {}) },
    ...(fallback !== undefined ? { fallback } : {}),
    stats,
    locate: (object, path) => renderer.provenancer.locate(object, path),
  };
}

/** Renders Applications' sources, sharing the cache, the tool slots and the provenance of every object made. */
class FleetRenderer {
  readonly stats: RenderStats = { apps: 0, sources: 0, rendered: 0, cached: 0, errors: 0, notes: 0, staticFallback: 0 };
  /** Source kinds left to the static reading for want of their tool. */
  readonly fallbackKinds = new Set<'helm' | 'kustomize'>();
  readonly #slots: Semaphore;
  /** Notes said once per run (per outside URL, per chart): kept at the first Application in sorted order. */
  readonly onceNotes = new WeakMap<FindingDraft, string>();
  /** Kustomization files (`repo\nfile`) an Application's source builds, directly or as a base. */
  readonly reachedKustomizations = new Set<string>();
  /** Chart folders (`repo\ndir`) an Application's source renders. */
  readonly reachedCharts = new Set<string>();
  #workParent: string | undefined;

  constructor(
    private readonly context: RenderContext,
    private readonly cache: RenderCache,
    readonly provenancer: Provenancer,
    private readonly options: RenderOptions,
    concurrency: number,
  ) {
    this.#slots = new Semaphore(concurrency);
  }

  async renderApp(task: AppTask): Promise<RenderedApp> {
    const result: RenderedApp = {
      app: task.ref,
      ...(task.fact ? { fact: task.fact } : {}),
      ...(task.value ? { value: task.value } : {}),
      ...(task.parent ? { parent: task.parent } : {}),
      ...(task.bootstrap ? { bootstrap: task.bootstrap } : {}),
      depth: task.depth,
      sources: [],
      objects: [],
      childApplications: [],
      notes: [],
      errors: [],
    };
    for (const source of task.spec.sources) {
      this.stats.sources++;
      let plan: SourcePlan;
      try {
        plan = await this.#plan(task, source);
      } catch (error) {
        plan = { status: 'error', notes: [], errors: [this.#error(task, source, `fleetlint could not prepare this source: ${(error as Error).message}`)], setters: [] };
      }
      if (plan.status === 'rendered' && !this.#touched(task, plan)) plan = { status: 'unchanged', notes: [], errors: [], setters: [], ...(plan.kind !== undefined ? { kind: plan.kind } : {}), ...(plan.repo !== undefined ? { repo: plan.repo, path: plan.path ?? '.' } : {}) };
      if (plan.status === 'rendered' && plan.job) {
        const outcome = await this.#runJob(plan.job);
        const limitation = 'message' in outcome ? toolLimitation(plan.job, outcome.message) : undefined;
        if (limitation !== undefined) {
          const note = noteAt(task.locateInApp(source.docPath), this.#scrub(`Application ${task.spec.name}: ${limitation}`), `${task.spec.name}:source-${String(source.index)}:tool-limitation`);
          plan = { ...plan, status: 'not-rendered', notes: [...plan.notes, note] };
        } else if ('message' in outcome) {
          plan = { ...plan, status: 'error', errors: [...plan.errors, this.#error(task, source, outcome.message)] };
        } else {
          if (outcome.cached) this.stats.cached++;
          for (const document of outcome.documents) {
            const info = plan.job.provenanceOf(document);
            for (const value of objectsOf(document.value)) {
              this.#addObject(result, task, source, plan, value, {
                ...(info.file ? { file: info.file } : {}),
                ...(info.configuredIn ? { configuredIn: info.configuredIn } : {}),
              });
            }
          }
        }
      }
      for (const object of plan.directoryObjects ?? []) {
        this.#addObject(result, task, source, plan, object.value, { file: { repo: object.repo, file: object.file, docIndex: object.docIndex, owned: true } });
      }
      if (plan.status === 'rendered') this.stats.rendered++;
      const sourceResult: RenderedSource = {
        index: source.index,
        ...(plan.kind !== undefined ? { kind: plan.kind } : {}),
        ...(plan.repo !== undefined ? { repo: plan.repo } : {}),
        ...(plan.path !== undefined ? { path: plan.path } : {}),
        status: plan.status,
      };
      result.sources.push(sourceResult);
      result.notes.push(...plan.notes);
      result.errors.push(...plan.errors);
    }
    if (task.parent) {
      // One Application may be rendered by several app-of-apps (one per cluster): each finding says which.
      const parent = task.parent;
      const name = `Application ${task.spec.name}`;
      const tell = (draft: FindingDraft): FindingDraft => ({
        ...draft,
        message: draft.message.startsWith(name) ? `${name} (from ${parent.name})${draft.message.slice(name.length)}` : draft.message,
        ...(draft.subject !== undefined ? { subject: `${parent.repo}#${parent.name}>${draft.subject}` } : {}),
      });
      result.errors = result.errors.map(tell);
      result.notes = result.notes.map((note) => (this.onceNotes.has(note) ? note : tell(note)));
    }
    if (task.bootstrap) {
      // Not known to be applied at all: what fails to build is said, not reported as ArgoCD's error.
      const what = task.spec.name;
      result.notes.push(...result.errors.map((error) => ({ ...error, ruleId: 'render-skipped', severity: 'note' as const, message: error.message.replace(/^Application [^:]*: /, `${what} writes Applications that no Application of the fleet deploys (the bootstrap, applied by hand or from outside the fleet) and does not render, so its Applications are checked as written: `) })));
      result.errors = [];
    }
    this.stats.errors += result.errors.length;
    return result;
  }

  #addObject(result: RenderedApp, task: AppTask, source: AppSourceSpec, plan: SourcePlan, value: Record<string, unknown>, where: Pick<RenderedObject['provenance'], 'file' | 'configuredIn'>): void {
    const header = objectHeader(value);
    if (!header) return;
    const kind: SourceKind = plan.kind ?? 'directory';
    const object: RenderedObject = { ...header, value, provenance: { app: task.ref, sourceIndex: source.index, kind, ...where } };
    this.provenancer.register(object, { task, source, kind, setters: plan.setters });
    result.objects.push(object);
    if (isApplication(header)) result.childApplications.push(object);
  }

  /** With `changedFiles`, a fleet Application is rendered only when its manifest or an input of the source changed. */
  #touched(task: AppTask, plan: SourcePlan): boolean {
    const changed = this.options.changedFiles;
    if (!changed || task.depth > 0) return true;
    const hit = (repo: string, file: string): boolean => changed.get(repo)?.has(file) === true;
    if (task.manifest && hit(task.manifest.repo, task.manifest.file)) return true;
    for (const [repo, files] of plan.job?.inputs ?? []) for (const file of files) if (hit(repo, file)) return true;
    // A plain directory reads its folder: a file added, changed or removed there counts.
    const { repo, path } = plan;
    return plan.kind === 'directory' && repo !== undefined && path !== undefined && [...(changed.get(repo) ?? [])].some((file) => isUnder(file, path));
  }

  async #plan(task: AppTask, source: AppSourceSpec): Promise<SourcePlan> {
    const plan = (status: SourcePlan['status'], extra: Partial<SourcePlan> = {}): SourcePlan => ({ status, notes: [], errors: [], setters: [], ...extra });
    const note = (message: string, path: DocPath, extra: Partial<SourcePlan> = {}): SourcePlan => plan('not-rendered', { ...extra, notes: [this.#note(task, path, message)] });
    const { context } = this;
    if (task.spec.multiSource && source.path === undefined && source.chart === undefined) return plan('ref-only');
    // A plugin block beside another is ArgoCD's `multiple application sources defined`, found below.
    if (source.plugin !== undefined && !source.helm && !source.kustomize && !source.directory) {
      return note(`Application ${task.spec.name}: source ${String(source.index)} is rendered by the Config Management Plugin${source.plugin.name !== undefined ? ` ${source.plugin.name}` : ''}, which fleetlint does not run`, sourceAt(source, 'plugin'), { kind: 'plugin' });
    }
    if (source.chart !== undefined) {
      if (!context.helm) return this.#fallback('helm', { kind: 'helm' });
      if (!context.renderRemote) {
        const label = `chart ${source.chart} ${source.targetRevision ?? ''} from ${source.repoURL ?? ''}`.replace(/ {2,}/g, ' ');
        const remote = note(`${label} is not rendered: charts from Helm repositories are rendered only with --render-remote`, sourceAt(source, 'chart'), { kind: 'helm' });
        // Once per chart and version, at the first Application that uses it.
        for (const draft of remote.notes) this.onceNotes.set(draft, label);
        return remote;
      }
      const pulled = await pullChart(context, context.helm, source);
      if ('message' in pulled) return note(`Application ${task.spec.name}: ${this.#scrub(pulled.message)}`, sourceAt(source, 'chart'), { kind: 'helm' });
      return this.#fromHelm(task, source, planHelm({ context, task, source, chart: pulled, tool: context.helm }), {});
    }
    if (task.bootstrap) {
      const index = context.indexes.get(task.bootstrap.repo) as RepoIndex;
      return this.#planInFleet(task, source, index, posix.dirname(task.bootstrap.file));
    }
    const repoURL = source.repoURL;
    const repo = repoURL === undefined ? undefined : context.resolveRepo(repoURL);
    if (repo === undefined) {
      // A URL on the fleet's own GitLab that names no repo is argocd-app-source's finding; no note on top.
      if (repoURL === undefined || this.#onFleetHost(repoURL) || this.options.partialFleet === true) return plan('not-rendered');
      // Said once per URL: a fleet of hundreds of Applications on one outside repo would otherwise say it hundreds of times.
      const outside = note(`${repoURL} is not a repository of the fleet: Applications whose sources are there are not rendered`, sourceAt(source, 'repoURL'));
      for (const draft of outside.notes) this.onceNotes.set(draft, `outside:${repoURL}`);
      return outside;
    }
    const index = context.indexes.get(repo) as RepoIndex;
    const rawPath = source.path ?? '.';
    if (posix.isAbsolute(rawPath)) return plan('error', { errors: [this.#error(task, source, `${rawPath}: app path is absolute`)] });
    const dir = joinInRepo('.', rawPath);
    if (dir === undefined) return plan('error', { errors: [this.#error(task, source, `${rawPath}: app path outside root`)] });
    const where = { repo, path: dir };
    if (!index.isDir(dir)) {
      if (index.has(dir)) return plan('error', { ...where, errors: [this.#error(task, source, `${rawPath}: app path is not a directory`)] });
      return plan('missing-path', where);
    }
    const overridden = applySourceOverrides(index, dir, task, source);
    if ('error' in overridden) return plan('error', { ...where, errors: [this.#error(task, source, overridden.error)] });
    return this.#planInFleet(overridden.task, overridden.source, index, dir);
  }

  /** A Git source in a folder of a fleet repo, after its `.argocd-source*.yaml` overrides. */
  #planInFleet(task: AppTask, source: AppSourceSpec, index: RepoIndex, dir: string): SourcePlan {
    const plan = (status: SourcePlan['status'], extra: Partial<SourcePlan> = {}): SourcePlan => ({ status, notes: [], errors: [], setters: [], ...extra });
    const note = (message: string, path: DocPath, extra: Partial<SourcePlan> = {}): SourcePlan => plan('not-rendered', { ...extra, notes: [this.#note(task, path, message)] });
    const { context } = this;
    const repo = index.id;
    const where = { repo, path: dir };
    const kind = detectKind(source, index, dir);
    if (typeof kind !== 'string') return plan('error', { ...where, errors: [this.#error(task, source, kind.error)] });
    if (kind === 'plugin') return note(`Application ${task.spec.name}: source ${String(source.index)} is rendered by a Config Management Plugin, which fleetlint does not run`, sourceAt(source, 'plugin'), { kind, ...where });
    if (kind === 'helm') {
      this.reachedCharts.add(`${repo}\n${dir}`);
      if (!context.helm) return this.#fallback('helm', { kind, ...where });
      if (!index.has(dir === '.' ? 'Chart.yaml' : `${dir}/Chart.yaml`)) {
        // What ArgoCD says (getHelmDependencyRepos), without starting helm: the source asks for Helm, the folder has no chart.
        return plan('error', { kind, ...where, errors: [this.#error(task, source, noChartMessage(index, dir, source, task.spec.multiSource))] });
      }
      return this.#fromHelm(task, source, planHelm({ context, task, source, chart: { kind: 'fleet', repo, dir }, tool: context.helm }), where);
    }
    if (kind === 'kustomize') {
      for (const file of kustomizeInputs(index, dir).kustomizations) this.reachedKustomizations.add(`${repo}\n${file}`);
      if (!context.kustomize) return this.#fallback('kustomize', { kind, ...where });
      const planned = planKustomize({ context, task, source, index, dir, tool: context.kustomize });
      if ('problem' in planned) return this.#problem(task, planned, { kind, ...where });
      return plan('rendered', { kind, ...where, job: planned.job, setters: planned.setters });
    }
    const read = readDirectory(index, dir, source.directory);
    const notes = read.jsonnet.length > 0 ? [this.#note(task, sourceAt(source, 'path'), `Application ${task.spec.name}: jsonnet files are not evaluated by fleetlint: ${read.jsonnet.join(', ')}`)] : [];
    if (read.failure) {
      const hint = isValuesFile(read.failure.file) ? `: ${read.failure.file} is Helm values, not a manifest. ${chartHint([read.failure.file], task.spec.multiSource)}` : '';
      return plan('error', { kind, ...where, notes, errors: [this.#error(task, source, `ArgoCD fails to read ${folderName(repo, dir)} as a plain directory of manifests with: ${read.failure.message}${hint}`)] });
    }
    const errors = read.objects.length === 0 && read.jsonnet.length === 0 ? this.#deploysNothing(task, source, index, dir, read) : [];
    return plan('rendered', { kind, ...where, directoryObjects: read.objects, notes, errors });
  }

  /**
   * A plain directory with no object: ArgoCD syncs the Application and applies nothing. Said when the folder
   * holds YAML that is not a manifest (Helm values, most often: a folder meant for a chart) or manifests in
   * subfolders it does not read; a folder of other files says nothing of what was meant.
   */
  #deploysNothing(task: AppTask, source: AppSourceSpec, index: RepoIndex, dir: string, directory: ReturnType<typeof readDirectory>): FindingDraft[] {
    // In a multi-source Application, values another source reads (`$values/...`) and subfolders another source
    // deploys are meant so: a source that adds nothing is then a harmless leftover, not a mistake.
    const siblings = task.spec.sources.filter((other) => other !== source);
    const valuesRead = new Set(siblings.flatMap((other) => (other.helm?.valueFiles ?? []).filter((file) => file.startsWith('$')).map((file) => file.slice(file.indexOf('/') + 1))));
    const siblingDirs = siblings.flatMap((other) => (other.path !== undefined && other.repoURL !== undefined && this.context.resolveRepo(other.repoURL) === index.id ? [joinInRepo('.', other.path) ?? other.path] : []));
    // Sources that read subfolders of this one one by one: the subfolders left out are left out on purpose.
    const subfoldersChosen = siblingDirs.some((other) => other !== dir && isUnder(other, dir));
    const read = {
      ignored: directory.ignored.filter((file) => !valuesRead.has(file)),
      inSubfolders: subfoldersChosen ? [] : directory.inSubfolders,
    };
    if (read.ignored.length === 0 && read.inSubfolders.length === 0) return [];
    const which = task.spec.sources.length > 1 ? `source ${String(source.index)} (${dir}) deploys nothing` : 'deploys nothing';
    const parts = [`Application ${task.spec.name} ${which}: ArgoCD reads ${folderName(index.id, dir)} as a plain directory of manifests and finds no Kubernetes object in it`];
    const values = read.ignored.filter(isValuesFile);
    if (values.length > 0) parts.push(`${listed(values)} ${values.length === 1 ? 'is' : 'are'} Helm values, which a directory source skips. ${chartHint(values, task.spec.multiSource)}`);
    else if (read.ignored.length > 0) parts.push(`it skips ${listed(read.ignored)}, which ${read.ignored.length === 1 ? 'is not a Kubernetes object' : 'are not Kubernetes objects'}`);
    if (read.inSubfolders.length > 0) parts.push(`the manifests in subfolders (${listed(read.inSubfolders)}) are read only with \`directory.recurse: true\``);
    const at = task.locateInApp(sourceAt(source, 'path'));
    return [{ ...draftAt(at), ruleId: 'render-error', severity: 'warning', message: this.#scrub(parts.join('; ')), subject: `${task.spec.name}:source-${String(source.index)}:deploys-nothing` }];
  }

  #onFleetHost(url: string): boolean {
    return isInFleetGroup(this.context, url);
  }

  #fromHelm(task: AppTask, source: AppSourceSpec, planned: ReturnType<typeof planHelm>, where: { repo?: string; path?: string }): SourcePlan {
    if ('problem' in planned) return this.#problem(task, planned, { kind: 'helm', ...where });
    const notes = planned.notes.map((problem) => this.#note(task, problem.path, `Application ${task.spec.name}: ${problem.message}`));
    return { kind: 'helm', ...where, status: 'rendered', job: planned.job, setters: planned.setters, notes, errors: [] };
  }

  #problem(task: AppTask, problem: Problem, extra: Partial<SourcePlan>): SourcePlan {
    const source = task.spec.sources.find((candidate) => problem.path.length >= candidate.docPath.length && candidate.docPath.every((segment, index) => problem.path[index] === segment));
    if (problem.problem === 'error') {
      return { ...extra, status: 'error', notes: [], setters: [], errors: [source ? this.#error(task, source, problem.message) : this.#note(task, problem.path, problem.message)] };
    }
    // A chart with unvendored dependencies is noted once, at its Chart.yaml, however many Applications use it.
    const located = problem.at ? this.#locateInFleet(problem.at.repo, problem.at.file, problem.at.path) : undefined;
    const note = located ? noteAt(located, this.#scrub(problem.message), problem.once ?? problem.message) : this.#note(task, problem.path, `Application ${task.spec.name}: ${problem.message}`);
    if (problem.once !== undefined) this.onceNotes.set(note, problem.once);
    return { ...extra, status: 'not-rendered', notes: [note], errors: [], setters: [] };
  }

  #locateInFleet(repo: string, file: string, path: DocPath): RenderLocation | undefined {
    const document = this.context.indexes.get(repo)?.documents(file)[0];
    return document ? { ...locationIn(repo, document, path), via: 'manifest' } : undefined;
  }

  #fallback(tool: 'helm' | 'kustomize', extra: Partial<SourcePlan>): SourcePlan {
    this.fallbackKinds.add(tool);
    this.stats.staticFallback++;
    return { ...extra, status: 'static', notes: [], errors: [], setters: [] as Setter[] };
  }

  async #runJob(job: ToolJob): Promise<{ documents: OutputDocument[]; cached: boolean } | { message: string }> {
    const digests: [string, string, string | undefined][] = [];
    for (const [repo, files] of [...job.inputs].sort((a, b) => compare(a[0], b[0]))) {
      const index = this.context.indexes.get(repo);
      if (!index) continue;
      for (const file of [...files].sort(compare)) digests.push([repo, file, await index.digest(file)]);
    }
    const key = RenderCache.key({ tool: `${job.kind} ${job.tool.version}`, inputs: digests, settings: job.settings, external: job.externalDigests ?? [] });
    const hit = await this.cache.get(key);
    if (hit) return hit.ok ? { documents: hit.documents, cached: true } : { message: this.#scrub(hit.message) };
    await this.#slots.acquire();
    let workspace: Workspace | undefined;
    try {
      this.#workParent ??= join(tmpdir(), `fleetlint-render-${String(process.pid)}`);
      workspace = await Workspace.create(this.#workParent);
      for (const [repo, files] of job.inputs) {
        const index = this.context.indexes.get(repo);
        if (index) await workspace.materialize(index, files);
      }
      const result = await job.run(workspace);
      if ('timeout' in result) return { message: `${result.timeout} (time limit ${formatDuration(this.context.timeoutMs)})` };
      await this.cache.set(key, result);
      return result.ok ? { documents: result.documents, cached: false } : { message: this.#scrub(result.message) };
    } finally {
      await workspace?.dispose();
      this.#slots.release();
    }
  }

  #scrub(text: string): string {
    return this.options.scrub ? this.options.scrub(text) : text;
  }

  #error(task: AppTask, source: AppSourceSpec, message: string): FindingDraft {
    const at = task.locateInApp(source.docPath);
    return { ...draftAt(at), ruleId: 'render-error', severity: 'error', message: this.#scrub(`Application ${task.spec.name}: ${message}`), subject: `${task.spec.name}:source-${String(source.index)}:render-error` };
  }

  #note(task: AppTask, path: DocPath, message: string): FindingDraft {
    return noteAt(task.locateInApp(path), this.#scrub(message), `${task.spec.name}:${path.join('.')}`);
  }

  async dispose(): Promise<void> {
    if (this.#workParent !== undefined) await Workspace.removeFolder(this.#workParent);
  }
}

/**
 * The source's type as ArgoCD decides it: one explicit `helm`/`kustomize`/`directory`/`plugin` block (more is
 * an error), else the folder's own files: a kustomization wins over a `Chart.yaml`, else a plain directory.
 */
function detectKind(source: AppSourceSpec, index: RepoIndex, dir: string): SourceKind | { error: string } {
  const explicit: [string, SourceKind][] = [];
  if (source.kustomize) explicit.push(['Kustomize', 'kustomize']);
  if (source.helm) explicit.push(['Helm', 'helm']);
  if (source.directory) explicit.push(['Directory', 'directory']);
  if (source.plugin) explicit.push(['Plugin', 'plugin']);
  if (explicit.length > 1) return { error: `multiple application sources defined: ${explicit.map(([name]) => name).join(',')}` };
  if (explicit[0]) return explicit[0][1];
  const inDir = (file: string): boolean => posix.dirname(file) === dir;
  const files = index.filesUnder(dir).filter(inDir).map((file) => posix.basename(file));
  if (files.some((name) => KUSTOMIZATION_FILES.includes(name))) return 'kustomize';
  if (files.some((name) => name.endsWith('Chart.yaml'))) return 'helm';
  return 'directory';
}

/**
 * ArgoCD's error for a Helm source without a chart, and what to do about it: a folder of values alone is most
 * often meant for a chart from a Helm repository, which a multi-source Application installs with those values.
 */
function noChartMessage(index: RepoIndex, dir: string, source: AppSourceSpec, multiSource: boolean): string {
  const chartFile = dir === '.' ? 'Chart.yaml' : `${dir}/Chart.yaml`;
  const base = `ArgoCD fails to render ${folderName(index.id, dir)} with Helm: error reading helm chart from ${chartFile}: no such file or directory`;
  const values = index.filesUnder(dir).filter((file) => posix.dirname(file) === dir && isValuesFile(file));
  if (values.length === 0) return base;
  const named = source.helm?.valueFiles.map((file) => joinInRepo(dir, file) ?? file) ?? [];
  return `${base}. The folder holds only Helm values. ${chartHint(named.length > 0 ? named : values, multiSource)}`;
}

/** How to install a chart from a Helm repository with values kept in this repository. */
function chartHint(valuesFiles: readonly string[], multiSource: boolean): string {
  const chart = `the chart from its Helm repository with \`helm.valueFiles: [${valuesFiles.map((file) => `$values/${file}`).join(', ')}]\``;
  const install = `To install a chart with ${valuesFiles.length === 1 ? 'these values' : 'them'}`;
  return multiSource ? `${install}, add ${chart} as a source, and make this source \`ref: values\`` : `${install}, make this a multi-source Application: ${chart}, and this repository as a source with \`ref: values\``;
}

function isValuesFile(file: string): boolean {
  return /^values[^/]*\.ya?ml$/.test(posix.basename(file));
}

function folderName(repo: string, dir: string): string {
  return dir === '.' ? `the root of ${repo}` : `${repo}/${dir}`;
}

function listed(files: readonly string[]): string {
  return `${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${String(files.length - 3)} more` : ''}`;
}

/**
 * The app-of-apps that no Application of the fleet renders: kustomizations that hold Applications (resources or
 * patches) and that no source builds, neither as its folder nor as a base, and charts whose templates write
 * Applications and that no source renders. They are the fleet's bootstrap, applied with `kubectl apply -k` or by
 * an Application created by hand (`argocd app create --path ...`). Rendering them (a chart with its default
 * values) gives the Applications in the form they are applied in, so that a base Application its overlay
 * completes, or an Application a chart writes, is checked as applied. Each is one task, named after its folder.
 */
function bootstrapTasks(fleet: Fleet, indexes: ReadonlyMap<string, RepoIndex>, kustomizations: ReadonlySet<string>, charts: ReadonlySet<string>): AppTask[] {
  const tasks: AppTask[] = [];
  const task = (repo: string, kind: 'kustomization' | 'chart', file: string, document: YamlDocument | undefined): AppTask => {
    const dir = posix.dirname(file);
    // Helm wants a release name without spaces: the chart folder's, as `helm install <folder> <folder>/` would be.
    const raw = kind === 'chart' ? { path: dir, helm: { releaseName: posix.basename(dir === '.' ? repo : dir) } } : { path: dir };
    const source = readSource(raw, 0, ['spec', 'source']);
    const name = `${kind} ${dir}`;
    return {
      ref: { repo, name },
      spec: { name, project: 'default', sources: [source], multiSource: false },
      depth: 0,
      bootstrap: { repo, file },
      locateInApp: () => (document ? { ...locationIn(repo, document, []), via: 'manifest' } : { repo, file, range: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 }, via: 'manifest' }),
    };
  };
  for (const repo of fleet.repos) {
    const index = indexes.get(repo.id);
    if (!index) continue;
    const holdsApplications = new Set(repo.k8s.filter((object) => object.kind === 'Application' && object.apiVersion.startsWith('argoproj.io/')).map((object) => object.document.file));
    const paths = repo.files.map((file) => file.path);
    if (holdsApplications.size > 0) {
      const bases = new Set<string>();
      const candidates: string[] = [];
      for (const file of paths.filter((path) => KUSTOMIZATION_FILES.includes(posix.basename(path)))) {
        const inputs = kustomizeInputs(index, posix.dirname(file));
        for (const other of inputs.kustomizations) if (other !== file) bases.add(other);
        if (!kustomizations.has(`${repo.id}\n${file}`) && [...inputs.files].some((input) => holdsApplications.has(input))) candidates.push(file);
      }
      for (const file of candidates) if (!bases.has(file)) tasks.push(task(repo.id, 'kustomization', file, index.documents(file)[0]));
    }
    for (const file of paths.filter((path) => posix.basename(path) === 'Chart.yaml')) {
      const dir = posix.dirname(file);
      // A subchart is rendered with its parent; an example chart of Applications is rendered like any.
      if (charts.has(`${repo.id}\n${dir}`) || /(?:^|\/)charts\//.test(dir)) continue;
      const templates = index.filesUnder(dir === '.' ? 'templates' : `${dir}/templates`);
      if (templates.some((template) => APPLICATION_KIND.test(index.text(template) ?? ''))) tasks.push(task(repo.id, 'chart', file, index.documents(file)[0]));
    }
  }
  return tasks;
}

/** A template that writes an ArgoCD Application (or a set of them). */
const APPLICATION_KIND = /^\s*kind:\s*["']?Application(?:Set)?["']?\s*$/m;

/** A note said once per run stays with the first Application (by repo and name) that has it, whatever the timing. */
function keepFirstOnceNotes(apps: RenderedApp[], onceNotes: WeakMap<FindingDraft, string>): void {
  const said = new Set<string>();
  for (const app of apps) {
    app.notes = app.notes.filter((note) => {
      const key = onceNotes.get(note);
      if (key === undefined) return true;
      if (said.has(key)) return false;
      said.add(key);
      return true;
    });
  }
}

function childTaskOf(provenancer: Provenancer, parent: AppTask, child: RenderedObject): AppTask | undefined {
  const spec = readAppSpec(child.value);
  if (!spec) return undefined;
  const repo = child.provenance.file?.repo ?? parent.ref.repo;
  return {
    ref: { repo, name: spec.name },
    spec,
    depth: parent.depth + 1,
    parent: parent.ref,
    value: child.value,
    locateInApp: (path) => ({ ...provenancer.locate(child, path), via: 'application' }),
  };
}

/** An Application to render by what decides its render; keys sorted, as kustomize may print them in another order. */
function taskKey(task: AppTask): string {
  return JSON.stringify([task.ref.repo, task.spec.name, task.spec.sources], (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    return Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => compare(a, b)));
  });
}

function appKey(repo: string, file: string, name: string): string {
  return `${repo}\n${file}\n${name}`;
}

function locationIn(repo: string, document: Parameters<typeof originAt>[1], path: DocPath): Omit<RenderLocation, 'via'> {
  const found = originAt(repo, document, path);
  return { repo, file: found.file, range: found.range, ...(found.path !== undefined ? { path: found.path } : {}), docIndex: document.index };
}

function fromOrigin(origin: FactOrigin): Omit<RenderLocation, 'via'> {
  return { repo: origin.repo, file: origin.file, range: origin.range, ...(origin.path !== undefined ? { path: origin.path } : {}), ...(origin.docIndex !== undefined ? { docIndex: origin.docIndex } : {}) };
}

function draftAt(location: RenderLocation): Pick<FindingDraft, 'repo' | 'file' | 'range' | 'path' | 'docIndex'> {
  return {
    repo: location.repo,
    file: location.file,
    ...(location.range ? { range: location.range } : {}),
    ...(location.path ? { path: location.path } : {}),
    ...(location.docIndex !== undefined ? { docIndex: location.docIndex } : {}),
  };
}

/**
 * A failure of the pinned tool that the ArgoCD this source was written for would not have: said as a note (the
 * source is read statically), not as the Application's render error. One is known: since kustomize 5.5 the images
 * transformer walks `spec/volumes[]/image/reference` in every kind and fails on a PodSecurityPolicy, whose
 * `spec.volumes` is a list of names; a cluster that still serves PodSecurityPolicy (Kubernetes 1.24 or older) runs
 * an ArgoCD that bundles an older kustomize, which builds the overlay.
 */
function toolLimitation(job: ToolJob, message: string): string | undefined {
  const policy = /considering field 'spec\/volumes\[\]\/image\/reference' of object PodSecurityPolicy\.[\w.]+\/([\w.-]+)/.exec(message);
  if (job.kind !== 'kustomize' || !policy) return undefined;
  return `kustomize ${job.tool.version} cannot build this source: its images transformer (kustomize 5.5 and later) fails on the PodSecurityPolicy ${policy[1] ?? ''}, whose spec.volumes is a list of names. The ArgoCD of a cluster that still serves PodSecurityPolicy (Kubernetes 1.24 or older) bundles an older kustomize, which builds it; read statically, not rendered`;
}

function noteAt(location: RenderLocation, message: string, subject: string): FindingDraft {
  return { ...draftAt(location), ruleId: 'render-skipped', severity: 'note', message, subject };
}

function fallbackMessage(missing: readonly { name: string; reason: string }[], kinds: ReadonlySet<string>): string | undefined {
  const wanted = missing.filter((tool) => kinds.has(tool.name));
  if (wanted.length === 0) return undefined;
  const names = wanted.map((tool) => tool.name).join(' and ');
  return `${wanted.map((tool) => tool.reason).join('; ')}: ${names} sources were read statically, not rendered (install the pinned tools with \`npm run tools\`, or pass ${wanted.map((tool) => `--${tool.name}`).join('/')})`;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${String(ms)} ms` : `${String(Math.round(ms / 100) / 10)} s`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** At most `size` holders at once; the rest wait in order. */
class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolveWait) => this.#waiting.push(resolveWait));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}


/**
 * What a fleet render means for the model: the facts the checks read, made from the rendered objects.
 *
 * - Images in rendered objects of any kind join the images of the repo that owns the line `locate` gives (the
 *   values line that set the image, else the template or manifest line, else the Application), unless the same
 *   image is already a static fact at that line.
 * - Applications and AppProjects that rendering produced (an app-of-apps made with Helm or kustomize, a raw
 *   Application an overlay patches) become facts with `renderedBy`; a rendered form that differs from the raw
 *   document it came from replaces that document's fact (the document is `supersededBy` the render).
 * - The app-of-apps tree as rendered: which Application deploys which.
 * - render-error and render-skipped findings join the diagnostics of the repo they point into.
 */
import { createHash } from 'node:crypto';
import { applicationFromValue, projectFromValue } from '../model/argocd/load.js';
import type { AppRef, ArgoAppProject, ArgoApplication } from '../model/argocd/types.js';
import type { DesiredApplication, DesiredLocation, DesiredObject, DesiredState, SourceStatus } from '../model/desired.js';
import type { DocPath, FindingDraft } from '../model/findings.js';
import { imageRefs } from '../model/images/extract.js';
import { holdsImages, imagesInObject } from '../model/images/k8s.js';
import type { ImageRef } from '../model/images/types.js';
import { isMap, stringAt } from '../model/k8s/value.js';
import { plainLocator } from '../model/locator.js';
import type { FactOrigin } from '../model/origin.js';
import type { FleetSettings, Repo, RepoResolver } from '../model/types.js';
import { posix } from 'node:path';
import { isUnder } from '../model/helm/paths.js';
import { kustomizeFolders, kustomizeImageOverrides } from '../model/argocd/source-files.js';
import { isImageRef, NO_VARIABLES, toImageRef, type ImageCandidate } from '../model/images/candidate.js';
import type { FleetRender, RenderLocation, RenderedApp, RenderedObject } from './types.js';

/** Which Application deploys which, as rendering found it; for `assignAppOfAppsAncestors`. */
export interface RenderedTree {
  /** Parent of each Application fact that an app-of-apps of the fleet applies. */
  parents: Map<ArgoApplication, { repo: string; app: ArgoApplication }>;
  /** Applications whose children rendering knows in full: the static reading of their sources is not needed. */
  covered: Set<ArgoApplication>;
}

/** Why an Application of the fleet's files is deployed by no Application: which app-of-apps leaves it out. */
export interface LooseApplication {
  by: ArgoApplication;
  /** The folder of `by`'s source the Application's file is in. */
  folder: string;
}

/** Source states that leave nothing out: what the render gave is all the Application applies. */
const COMPLETE = new Set(['rendered', 'ref-only', 'missing-path']);
const ARGO_GROUP = 'argoproj.io/';

/**
 * A fleet render turned into model facts, in two steps around app-of-apps ancestry:
 *
 * 1. `applyRender` adds the Applications and AppProjects rendering produced (see the file comment) and gives the
 *    app-of-apps tree as rendered (`tree`), for `assignAppOfAppsAncestors`;
 * 2. once ancestors are known, `looseApplications` finds the Applications an app-of-apps leaves out of a folder it
 *    deploys, and `finish` sets them aside, adds the render findings and the images of the rendered objects, and
 *    gives the desired state.
 */
export class RenderFacts {
  readonly #repoById: ReadonlyMap<string, Repo>;
  readonly #render: FleetRender;
  readonly #settings: FleetSettings;
  readonly #applications: ApplicationFacts;
  readonly #changed = new Map<string, ChangedFacts>();
  readonly #locate: (object: DesiredObject, path: DocPath) => DesiredLocation;
  /** The renders that stand: a superseded raw form's own render is not what ArgoCD applies. */
  #apps: RenderedApp[];

  constructor(repos: readonly Repo[], settings: FleetSettings, render: FleetRender, resolveRepo: RepoResolver) {
    this.#repoById = new Map(repos.map((repo) => [repo.id, repo]));
    this.#render = render;
    this.#settings = settings;
    this.#locate = (object, path) => toDesiredLocation(render.locate(object, path));
    this.#applications = new ApplicationFacts(this.#repoById, this.#locate, resolveRepo, (repoId) => this.#changedIn(repoId));
    this.#applications.read(render.apps);
    // The raw form of a superseded Application is not what ArgoCD applies: its render and its findings go, when
    // the rendered form has a render of its own (it has none when only metadata differ: then both render alike).
    const renderedChildren = new Set(render.apps.flatMap((app) => (app.value ? [applicationKey(app.app.repo, app.app.name, app.value)] : [])));
    const replacedRender = (app: RenderedApp): boolean => {
      const rendered = app.fact ? this.#applications.replacement.get(app.fact) : undefined;
      return rendered?.object !== undefined && renderedChildren.has(applicationKey(app.app.repo, rendered.name, rendered.object.value));
    };
    this.#apps = render.apps.filter((app) => !replacedRender(app));
  }

  get tree(): RenderedTree {
    return this.#applications.tree;
  }

  /**
   * Applications of the fleet's files that no Application deploys, although an app-of-apps of the fleet deploys
   * Applications from the folder they are in (its source's path, read in full by the render): a file left out of
   * that folder's reading on purpose (a `00-disabled/` subfolder without `recurse`, an `exclude`, a file the
   * kustomization does not list). Call once ancestors are assigned. An app-of-apps whose reading finds no
   * Application at all sets nothing aside: that is its own mistake (the root app without `recurse`), not a
   * choice about this file.
   */
  looseApplications(): Map<ArgoApplication, LooseApplication> {
    const readings: { by: ArgoApplication; repo: string; folder: string; files: Set<string> }[] = [];
    for (const app of this.#apps) {
      const by = this.#applications.factOf(app);
      if (!by) continue;
      const deployed = new Set(app.objects.filter((object) => object.kind === 'Application' && object.apiVersion.startsWith(ARGO_GROUP) && object.provenance.file?.owned === true).map((object) => `${object.provenance.file?.repo ?? ''}\n${object.provenance.file?.file ?? ''}`));
      if (deployed.size === 0) continue;
      for (const source of app.sources) {
        if (source.status !== 'rendered' || source.repo === undefined || source.path === undefined) continue;
        readings.push({ by, repo: source.repo, folder: source.path, files: deployed });
      }
    }
    const loose = new Map<ArgoApplication, LooseApplication>();
    if (readings.length === 0) return loose;
    for (const repo of this.#repoById.values()) {
      for (const app of repo.argocd.applications) {
        if (app.ancestors !== undefined || app.renderedBy !== undefined || app.generatedBy !== undefined) continue;
        const key = `${repo.id}\n${app.origin.file}`;
        const reading = readings.find((candidate) => candidate.repo === repo.id && candidate.by !== app && isUnder(app.origin.file, candidate.folder) && !candidate.files.has(key) && !(candidate.by.ancestors ?? []).some((ancestor) => ancestor.repo === repo.id && ancestor.name === app.name));
        if (reading) loose.set(app, { by: reading.by, folder: reading.folder });
      }
    }
    return loose;
  }

  /**
   * Sets the loose Applications aside (no fact, no render, no images of their own inline values: only their
   * file is checked, and a note says so), adds the render findings to the repos they point into and the images
   * of the rendered objects, and gives the desired state.
   */
  finish(loose: ReadonlyMap<ArgoApplication, LooseApplication>): { desired: DesiredState; fleetDiagnostics: FindingDraft[] } {
    for (const [app, reason] of loose) {
      const repo = this.#repoById.get(app.origin.repo);
      if (!repo) continue;
      repo.argocd.applications = repo.argocd.applications.filter((fact) => fact !== app);
      const inDocument = (origin: FactOrigin): boolean => origin.file === app.origin.file && origin.docIndex === app.origin.docIndex;
      repo.images = repo.images.filter((image) => !inDocument(image.origin));
      repo.invalidImages = repo.invalidImages.filter((image) => !inDocument(image.origin));
      repo.diagnostics.push({
        ruleId: 'render-skipped',
        severity: 'note',
        message: `Application ${app.name} is deployed by no Application: ${reason.by.name} deploys the Applications in ${reason.folder} but not this file, so it is checked as a file only`,
        repo: repo.id,
        file: app.origin.file,
        range: app.origin.range,
        ...(app.origin.docIndex !== undefined ? { docIndex: app.origin.docIndex } : {}),
        subject: `${app.name}:not-deployed`,
      });
      this.#changedIn(repo.id).superseded.push(`${app.origin.file}#${String(app.origin.docIndex ?? 0)}:loose`);
    }
    // A loose app-of-apps takes its rendered children with it.
    const gone = new Set<string>();
    const apps: RenderedApp[] = [];
    for (const app of [...this.#apps].sort((a, b) => a.depth - b.depth)) {
      if ((app.fact && loose.has(app.fact)) || (app.parent && gone.has(`${app.parent.repo}\n${app.parent.name}`))) gone.add(`${app.app.repo}\n${app.app.name}`);
      else apps.push(app);
    }
    apps.sort((a, b) => this.#apps.indexOf(a) - this.#apps.indexOf(b));
    const removed = new Set<ArgoApplication>(loose.keys());
    for (const repo of this.#repoById.values()) {
      repo.argocd.applications = repo.argocd.applications.filter((fact) => {
        const keep = !(fact.renderedBy && gone.has(`${fact.renderedBy.repo}\n${fact.renderedBy.name}`));
        if (!keep) removed.add(fact);
        return keep;
      });
    }
    for (const [child, link] of this.tree.parents) if (removed.has(child) || removed.has(link.app)) this.tree.parents.delete(child);
    const fleetDiagnostics: FindingDraft[] = [];
    for (const app of apps) {
      for (const draft of [...app.errors, ...app.notes]) {
        const repo = this.#repoById.get(draft.repo);
        if (repo) repo.diagnostics.push(draft);
        else fleetDiagnostics.push(draft);
      }
    }
    addImages(apps, this.#repoById, this.#settings, this.#locate, (repoId) => this.#changedIn(repoId));
    for (const [repoId, facts] of this.#changed) {
      const repo = this.#repoById.get(repoId);
      if (repo) repo.renderDigest = digestOf(facts);
    }
    // A bootstrap kustomization is no Application: its Applications are roots.
    const bootstraps = new Set(apps.filter((app) => app.bootstrap).map((app) => `${app.app.repo}\n${app.app.name}`));
    const desired: DesiredState = {
      rendering: { ran: true, ...(this.#render.fallback !== undefined ? { fallback: this.#render.fallback } : {}) },
      apps: apps.filter((app) => !app.bootstrap).map((app): DesiredApplication => ({
        app: app.app,
        ...(app.parent && !bootstraps.has(`${app.parent.repo}\n${app.parent.name}`) ? { parent: app.parent } : {}),
        depth: app.depth,
        sources: app.sources,
        objects: app.objects,
        complete: app.sources.every((source) => COMPLETE.has(source.status)),
      })),
      locate: this.#locate,
    };
    return { desired, fleetDiagnostics };
  }

  #changedIn(repoId: string): ChangedFacts {
    let facts = this.#changed.get(repoId);
    if (!facts) this.#changed.set(repoId, (facts = { images: [], invalid: 0, applications: [], projects: [], superseded: [] }));
    return facts;
  }
}

/** What rendering added to one repo's facts, for its digest. */
interface ChangedFacts {
  images: ImageRef[];
  invalid: number;
  applications: ArgoApplication[];
  projects: ArgoAppProject[];
  superseded: string[];
}

/** The Application and AppProject facts of a render, and the app-of-apps tree. */
class ApplicationFacts {
  readonly tree: RenderedTree = { parents: new Map(), covered: new Set() };
  /** Raw facts replaced, and the rendered fact that replaced each. */
  readonly replacement = new Map<ArgoApplication, ArgoApplication>();
  /** The fact each rendered Application stands for, by repo, name and sources (one name may be in several clusters' trees). */
  readonly #byKey = new Map<string, ArgoApplication>();
  /** Raw documents that an app-of-apps also applies as they are (a plain directory): never superseded. */
  readonly #appliedRaw = new Set<ArgoApplication>();
  readonly #projectKeys = new Set<string>();

  constructor(
    private readonly repoById: ReadonlyMap<string, Repo>,
    private readonly locate: (object: DesiredObject, path: DocPath) => DesiredLocation,
    private readonly resolveRepo: RepoResolver,
    private readonly changedIn: (repoId: string) => ChangedFacts,
  ) {}

  read(apps: readonly RenderedApp[]): void {
    // Level by level: a child's fact exists before it is the parent of the next level.
    const levels = [...apps].sort((a, b) => a.depth - b.depth || compare(a.app.repo, b.app.repo) || compare(a.app.name, b.app.name));
    const pending: { raw: ArgoApplication; rendered: ArgoApplication; object: RenderedObject }[] = [];
    for (const app of levels) {
      const parent = this.factOf(app);
      if (parent && app.sources.every((source) => COMPLETE.has(source.status))) this.tree.covered.add(parent);
      for (const object of app.objects) {
        if (!object.apiVersion.startsWith(ARGO_GROUP)) continue;
        if (object.kind === 'Application') this.#child(app, parent, object, pending);
        else if (object.kind === 'AppProject') this.#project(app, object);
      }
    }
    for (const { raw, rendered } of pending) {
      if (this.#appliedRaw.has(raw) || this.replacement.has(raw)) continue;
      this.#supersede(raw, rendered);
    }
  }

  /** The fact for a rendered Application: the model's for one of the fleet's files, else the one made from its object. */
  factOf(app: RenderedApp): ArgoApplication | undefined {
    if (app.fact) return this.replacement.get(app.fact) ?? app.fact;
    return app.value ? this.#byKey.get(applicationKey(app.app.repo, app.app.name, app.value)) : undefined;
  }

  #child(app: RenderedApp, parent: ArgoApplication | undefined, object: RenderedObject, pending: { raw: ArgoApplication; rendered: ArgoApplication; object: RenderedObject }[]): void {
    const name = object.name;
    if (name === undefined) return;
    const file = object.provenance.file;
    const raw = file?.owned === true ? this.#rawFact(file.repo, file.file, file.docIndex, name) : undefined;
    if (raw && (file?.docIndex !== undefined || sameApplication(raw, object.value))) {
      // The fleet's own document, applied as it is written (a plain directory, or a kustomization that changes nothing that matters).
      if (file?.docIndex !== undefined) this.#appliedRaw.add(raw);
      this.#link(raw, app, parent);
      return;
    }
    const repoId = file?.repo ?? app.app.repo;
    const key = applicationKey(repoId, name, object.value);
    let fact = this.#byKey.get(key);
    if (!fact) {
      fact = this.#renderedApplication(object, app.app);
      this.#byKey.set(key, fact);
      const repo = this.repoById.get(repoId);
      if (repo) {
        repo.argocd.applications.push(fact);
        this.changedIn(repoId).applications.push(fact);
      }
      if (raw) pending.push({ raw, rendered: fact, object });
    }
    this.#link(fact, app, parent);
  }

  #link(child: ArgoApplication, app: RenderedApp, parent: ArgoApplication | undefined): void {
    if (!parent || child === parent || this.tree.parents.has(child)) return;
    // The parent's repo: the one that holds its fact (a rendered Application's, where it was written).
    this.tree.parents.set(child, { repo: app.app.repo, app: parent });
  }

  /** The fact of a raw Application document of the fleet: by document when known, else by name in the file. */
  #rawFact(repoId: string, file: string, docIndex: number | undefined, name: string): ArgoApplication | undefined {
    const inFile = (this.repoById.get(repoId)?.argocd.applications ?? []).filter((fact) => fact.renderedBy === undefined && fact.generatedBy === undefined && fact.origin.file === file);
    if (docIndex !== undefined) return inFile.find((fact) => fact.origin.docIndex === docIndex);
    // kustomize's namePrefix and nameSuffix keep the written name inside the rendered one.
    return inFile.find((fact) => fact.name === name) ?? (inFile.length === 1 ? inFile.filter((fact) => name.includes(fact.name))[0] : undefined);
  }

  #renderedApplication(object: RenderedObject, by: AppRef): ArgoApplication {
    const at = (path: DocPath): FactOrigin => this.locate(object, path);
    const locator = plainLocator(object.value, at);
    return {
      ...applicationFromValue({ value: object.value, name: object.name ?? '', ...(object.namespace !== undefined ? { namespace: object.namespace } : {}), origin: at(['metadata', 'name']), locator }, this.resolveRepo),
      renderedBy: by,
      object: { value: object.value, locator },
    };
  }

  /** The raw fact goes; its document says which Application applies it instead; its children follow the rendered fact. */
  #supersede(raw: ArgoApplication, rendered: ArgoApplication): void {
    const repo = this.repoById.get(raw.origin.repo);
    if (!repo) return;
    this.replacement.set(raw, rendered);
    repo.argocd.applications = repo.argocd.applications.filter((fact) => fact !== raw);
    const document = repo.k8s.find((object) => object.document.file === raw.origin.file && object.document.index === raw.origin.docIndex);
    if (document && rendered.renderedBy) document.supersededBy = rendered.renderedBy;
    this.changedIn(repo.id).superseded.push(`${raw.origin.file}#${String(raw.origin.docIndex ?? 0)}`);
    const parent = this.tree.parents.get(raw);
    this.tree.parents.delete(raw);
    if (parent && !this.tree.parents.has(rendered)) this.tree.parents.set(rendered, parent);
    for (const [child, link] of this.tree.parents) if (link.app === raw) this.tree.parents.set(child, { ...link, app: rendered });
    if (this.tree.covered.delete(raw)) this.tree.covered.add(rendered);
  }

  #project(app: RenderedApp, object: RenderedObject): void {
    const name = object.name;
    const file = object.provenance.file;
    // A plain directory's AppProject is the model's fact already.
    if (name === undefined || file?.docIndex !== undefined) return;
    const repoId = file?.repo ?? app.app.repo;
    const repo = this.repoById.get(repoId);
    if (!repo) return;
    const raw = file?.owned === true ? repo.argocd.projects.find((project) => project.renderedBy === undefined && project.origin.file === file.file && project.name === name) : undefined;
    const key = `${repoId}\n${name}\n${JSON.stringify(object.value.spec ?? null)}`;
    if (this.#projectKeys.has(key)) return;
    this.#projectKeys.add(key);
    const at = (path: DocPath): FactOrigin => this.locate(object, path);
    const project: ArgoAppProject = {
      ...projectFromValue(object.value, name, at(['metadata', 'name'])),
      renderedBy: app.app,
      object: { value: object.value, locator: plainLocator(object.value, at) },
    };
    if (raw && sameProject(raw, project)) return;
    if (raw) {
      repo.argocd.projects = repo.argocd.projects.filter((candidate) => candidate !== raw);
      const document = repo.k8s.find((candidate) => candidate.document.file === raw.origin.file && candidate.document.index === raw.origin.docIndex);
      if (document) document.supersededBy = app.app;
      this.changedIn(repoId).superseded.push(`${raw.origin.file}#${String(raw.origin.docIndex ?? 0)}`);
    }
    repo.argocd.projects.push(project);
    this.changedIn(repoId).projects.push(project);
  }
}

/** A rendered Application by what decides its render: repo, name and sources, keys sorted. */
function applicationKey(repo: string, name: string, value: Record<string, unknown>): string {
  const spec = isMap(value.spec) ? value.spec : {};
  return stableJson([repo, name, spec.source ?? null, spec.sources ?? null]);
}

/** Whether a rendered Application is its raw document's Application: the same name, annotations and spec. */
function sameApplication(raw: ArgoApplication, value: Record<string, unknown>): boolean {
  const rendered = applicationFromValue({ value, name: stringAt(value, ['metadata', 'name']) ?? '', origin: raw.origin, locator: plainLocator(value, () => raw.origin) }, () => undefined);
  const essence = (app: ArgoApplication): string =>
    stableJson([app.name, app.project ?? null, app.destination, app.wave, app.waveAnnotation ?? null, app.declaredDependsOn, app.automatedSync, app.unknownSpecKeys, app.sources.map((source) => [source.repoURL ?? null, source.path ?? null, source.chart ?? null, source.targetRevision ?? null, source.helmValueFiles, source.ref ?? null])]);
  return essence(raw) === essence(rendered);
}

function sameProject(raw: ArgoAppProject, rendered: ArgoAppProject): boolean {
  return stableJson([raw.sourceRepos, raw.destinations]) === stableJson([rendered.sourceRepos, rendered.destinations]);
}

/**
 * Images of the rendered objects, with the place `locate` gives, in the repo of that place. An image that is a
 * static fact at the same line (a plain manifest, a values file the chart reads) is not added twice; nor is one
 * that two Applications render from the same line. Static images of three kinds of files stand only where a
 * render confirms them (the same image rendered from their line), since what runs is the rendered image: a
 * kustomize resource file that overlays render and no plain directory applies as written (a base on `latest`
 * that every overlay pins with `images:` runs the pinned one), a kustomize patch whose objects a render located
 * there, and the `values.yaml` of a chart Applications render (its defaults run only where no Application's
 * values override them).
 */
function addImages(apps: readonly RenderedApp[], repoById: ReadonlyMap<string, Repo>, settings: FleetSettings, locate: (object: DesiredObject, path: DocPath) => DesiredLocation, changedIn: (repoId: string) => ChangedFacts): void {
  const built = new Set<string>();
  const applied = new Set<string>();
  const chartDefaults = new Set<string>();
  /** Kustomization folders a render built, as an overlay or a base: their patches' objects were rendered. */
  const kustomized = new Set<string>();
  const byRepo = new Map<string, ImageCandidate[]>();
  for (const app of apps) {
    for (const source of app.sources) {
      if (source.status !== 'rendered' || source.repo === undefined || source.path === undefined) continue;
      if (source.kind === 'helm') chartDefaults.add(`${source.repo}\n${source.path === '.' ? '' : `${source.path}/`}values.yaml`);
      const repo = repoById.get(source.repo);
      if (source.kind === 'kustomize' && repo && !kustomized.has(`${source.repo}\n${source.path}`)) for (const folder of kustomizeFolders(repo, source.path)) kustomized.add(`${source.repo}\n${folder}`);
    }
    for (const object of app.objects) {
      const file = object.provenance.file;
      if (file?.owned === true && object.provenance.kind === 'kustomize' && file.docIndex === undefined) built.add(`${file.repo}\n${file.file}`);
      else if (file?.owned === true && object.provenance.kind === 'directory') applied.add(`${file.repo}\n${file.file}`);
      if (!holdsImages(object.apiVersion, object.kind)) continue;
      for (const candidate of imagesInObject(object.value, plainLocator(object.value, (path) => locate(object, path)))) {
        const list = byRepo.get(candidate.origin.repo) ?? [];
        list.push(candidate);
        byRepo.set(candidate.origin.repo, list);
      }
    }
  }
  const rendered = new Map([...byRepo].map(([repoId, candidates]) => [repoId, imageRefs(repoId, candidates, settings)]));
  for (const repo of repoById.values()) {
    const confirmed = new Set((rendered.get(repo.id)?.images ?? []).map((image) => imageKey(image.origin, image)));
    // A kustomize patch's image is what the render of its kustomization made of it (often re-tagged by `images:`).
    const builtPatches = new Set(repo.k8s.filter((object) => object.kustomizePatch !== undefined && kustomized.has(`${repo.id}\n${posix.dirname(object.kustomizePatch)}`)).map((object) => object.document.file));
    const overridable = (image: ImageRef): boolean => {
      const file = `${repo.id}\n${image.origin.file}`;
      if (image.context === 'k8s-container' || image.context === 'k8s-field') return (built.has(file) && !applied.has(file)) || builtPatches.has(image.origin.file);
      return (image.context === 'helm-map' || image.context === 'helm-string') && chartDefaults.has(file);
    };
    const kept = repo.images.filter((image) => !overridable(image) || confirmed.has(imageKey(image.origin, image)) || (image.tagOrigin !== undefined && confirmed.has(imageKey(image.tagOrigin, image))));
    if (kept.length === repo.images.length) continue;
    changedIn(repo.id).superseded.push(...repo.images.filter((image) => !kept.includes(image)).map((image) => `image:${image.origin.file}:${String(image.origin.line)}`));
    repo.images = kept;
  }
  retagUnrendered(apps, repoById, settings, changedIn);
  for (const [repoId, { images, invalid }] of [...rendered].sort(([a], [b]) => compare(a, b))) {
    const repo = repoById.get(repoId);
    if (!repo) continue;
    const places = new Set<string>();
    for (const image of repo.images) {
      places.add(imageKey(image.origin, image));
      if (image.tagOrigin) places.add(imageKey(image.tagOrigin, image));
    }
    for (const image of images) {
      const key = imageKey(image.tagOrigin ?? image.origin, image);
      if (places.has(key) || places.has(imageKey(image.origin, image))) continue;
      places.add(key);
      repo.images.push(image);
      changedIn(repoId).images.push(image);
    }
    const invalidPlaces = new Set(repo.invalidImages.map((image) => `${image.origin.file}:${String(image.origin.line)}:${image.raw}`));
    for (const image of invalid) {
      const key = `${image.origin.file}:${String(image.origin.line)}:${image.raw}`;
      if (invalidPlaces.has(key)) continue;
      invalidPlaces.add(key);
      repo.invalidImages.push(image);
      changedIn(repoId).invalid++;
    }
  }
}

/** A kustomize source in these states was read statically: its tool failed, is missing, or cannot build it. */
const UNRENDERED: ReadonlySet<SourceStatus> = new Set(['error', 'static', 'not-rendered']);

/**
 * For a kustomize source that did not render (its tool failed or is missing), the static images of the files its
 * kustomizations reach, with the tag their `images:` entries give (the overlay's first): a base on `latest` that the
 * overlay pins runs the pinned image, located at the entry's `newTag` line, whether or not the tool could show it.
 */
function retagUnrendered(apps: readonly RenderedApp[], repoById: ReadonlyMap<string, Repo>, settings: FleetSettings, changedIn: (repoId: string) => ChangedFacts): void {
  const registries = new Set(settings.registries.map((registry) => registry.toLowerCase()));
  const done = new Set<ImageRef>();
  for (const app of apps) {
    for (const source of app.sources) {
      if (source.kind !== 'kustomize' || !UNRENDERED.has(source.status) || source.repo === undefined || source.path === undefined) continue;
      const repo = repoById.get(source.repo);
      if (!repo) continue;
      const folders = kustomizeFolders(repo, source.path);
      const overrides = kustomizeImageOverrides(repo, folders);
      if (overrides.size === 0) continue;
      repo.images = repo.images.map((image) => {
        if (done.has(image) || (image.context !== 'k8s-container' && image.context !== 'k8s-field') || !folders.some((folder) => isUnder(image.origin.file, folder))) return image;
        const { name, tag } = splitReference(image.raw);
        const override = overrides.get(name);
        if (!override) return image;
        const written = `${override.newName ?? name}${override.digest !== undefined ? `@${override.digest}` : (override.newTag ?? tag) !== undefined ? `:${override.newTag ?? tag ?? ''}` : ''}`;
        const retagged = toImageRef(repo.id, { written, context: image.context, origin: image.origin, tagOrigin: override.origin, lookup: NO_VARIABLES }, registries);
        if (!isImageRef(retagged)) return image;
        done.add(retagged);
        changedIn(repo.id).images.push(retagged);
        return retagged;
      });
    }
  }
}

/** An image reference as written: its name, and its tag when it has one (a digest is dropped). */
function splitReference(raw: string): { name: string; tag?: string } {
  const name = raw.replace(/@.*$/, '');
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? { name: name.slice(0, colon), tag: name.slice(colon + 1) } : { name };
}

/** An image at a line: the same reference there is the same fact, however it was found. */
function imageKey(origin: FactOrigin, image: Pick<ImageRef, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  return `${origin.file}:${String(origin.line)}:${image.registry}/${image.repository}:${image.tag ?? ''}@${image.digest ?? ''}`;
}

function toDesiredLocation(location: RenderLocation): DesiredLocation {
  const range = location.range ?? { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };
  return {
    repo: location.repo,
    file: location.file,
    range,
    line: range.startLine,
    ...(location.path !== undefined ? { path: location.path } : {}),
    ...(location.docIndex !== undefined ? { docIndex: location.docIndex } : {}),
    via: location.via,
  };
}

function digestOf(facts: ChangedFacts): string {
  const plain = {
    images: facts.images,
    invalid: facts.invalid,
    applications: facts.applications.map(({ object, ...fact }) => ({ ...fact, value: object?.value ?? null })),
    projects: facts.projects.map(({ object, ...fact }) => ({ ...fact, value: object?.value ?? null })),
    superseded: facts.superseded,
  };
  return createHash('sha256').update(stableJson(plain)).digest('hex').slice(0, 32);
}

/** JSON with object keys sorted: equal facts give equal text whatever order their keys were set in. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    return Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => compare(a, b)));
  });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { posix } from 'node:path';
import type { ArgoApplication } from '../argocd/types.js';
import type { FactOrigin } from '../origin.js';
import type { Repo } from '../types.js';
import type { DesiredApplication, DesiredState } from '../desired.js';
import { stringAt } from '../k8s/value.js';
import type { AppDependency, DependencyEvidence, DuplicateApplication, ProviderRule, UnprovidedReference } from './types.js';
import { CAPABILITIES } from './capabilities.js';
import { fleetInstances, type ArgoInstanceSetting } from './instances.js';
import { ProviderIndex } from './providers.js';
import { deployedScope, type DeployedScope } from './scope.js';
import { objectProvisions, objectSignals, objectUses, treeSignals, type Signal } from './signals.js';
import { manifestProvisions, manifestSignals, valuesSignals, type LocatedSignal } from './located-signals.js';

const ARGO_GROUP = 'argoproj.io/';

interface FleetApp {
  repo: Repo;
  app: ArgoApplication;
  /** The ArgoCD instance that syncs it (see `fleetInstances`). */
  instance: string;
  scope: DeployedScope;
}

/** A use or a provision found in what an Application deploys, with its place. */
interface Found {
  signal: Signal;
  origin: FactOrigin;
  /** The object carries `SkipDryRunOnMissingResource=true`: ArgoCD applies it even before its CRD exists. */
  skipDryRun?: true;
}

/** An object an Application provides to others, by instance, capability and value: the first one found. */
interface Provider {
  app: FleetApp;
  evidence: DependencyEvidence;
}

export interface DependencyFacts {
  dependencies: AppDependency[];
  unprovided: UnprovidedReference[];
  /** Applications that share instance, namespace and name: ArgoCD keeps only one of them. */
  duplicates: DuplicateApplication[];
}

export interface DependencyOptions {
  /** What each Application would apply (the render phase): its rendered objects stand for its static manifests. */
  desired?: DesiredState;
  /** The fleet's ArgoCD instances (fleet.yaml `argocd.instances`); without them, one instance for everything. */
  instances?: readonly ArgoInstanceSetting[];
}

const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
const SKIP_DRY_RUN = 'SkipDryRunOnMissingResource=true';
const CREATE_NAMESPACE = 'CreateNamespace=true';

/**
 * Application-to-Application dependencies across the fleet: for every Application, what the objects it deploys
 * use and which Application of the same ArgoCD instance provides that, plus `fleetlint.dev/depends-on`. What an
 * Application deploys is its rendered objects when the render phase rendered it (and its static files besides when
 * the render is partial), else its static files (see `deployedScope`). Providers are indexed by instance,
 * capability and value (a CRD's group and kind, a StorageClass's name): one pass over every object for the index,
 * one for the uses, no pairwise scans. `providers` is the provider table (sync-wave-order's `providers` option):
 * a rule gives the Application of its name in the user's instance.
 */
export function inferDependencies(repos: readonly Repo[], providers: readonly ProviderRule[], options: DependencyOptions = {}): AppDependency[] {
  return inferDependencyFacts(repos, providers, options).dependencies;
}

/** The dependencies, the named things no Application provides, and the duplicate Applications. */
export function inferDependencyFacts(repos: readonly Repo[], providers: readonly ProviderRule[], options: DependencyOptions = {}): DependencyFacts {
  const sortedRepos = [...repos].sort((a, b) => compare(a.id, b.id));
  const reposById = new Map(sortedRepos.map((repo) => [repo.id, repo]));
  const instanceOf = fleetInstances(sortedRepos, options.instances).application;
  const apps: FleetApp[] = sortedRepos.flatMap((repo) =>
    repo.argocd.applications.map((app) => ({ repo, app, instance: instanceOf(repo.id, app), scope: deployedScope(app, repo, reposById) })),
  );
  const byName = appsByName(apps);
  const rendered = renderedApps(options.desired);

  // First pass: what each app uses and provides; the provisions indexed by instance, capability and value.
  const uses = new Map<FleetApp, Found[]>();
  const provided = new Map<string, Provider>();
  /** `repo\0app\0key` of every provision: an app that provides what it uses needs no other (a CRD and its CR). */
  const selfProvided = new Set<string>();
  const providedNames = new Map<string, Set<string>>();
  for (const from of apps) {
    const found = deployed(from, rendered.get(`${from.repo.id}\0${from.app.name}`), options.desired);
    uses.set(from, found.uses);
    for (const { signal: provision, origin } of found.provides) {
      const signal = inDestination(provision, from.app);
      if (!signal) continue;
      const key = [from.instance, signal.capability, signal.value].join('\0');
      if (!provided.has(key)) provided.set(key, { app: from, evidence: { description: signal.description, origin } });
      selfProvided.add(`${from.repo.id}\0${from.app.name}\0${key}`);
      const namesKey = `${from.instance}\0${signal.capability}`;
      const names = providedNames.get(namesKey) ?? new Set<string>();
      names.add(signal.value);
      providedNames.set(namesKey, names);
    }
  }
  const index = new ProviderIndex(providers, (instance, name) => byName.get(`${instance}\0${name}`) !== undefined, providedNames);

  const dependencies = new Map<string, AppDependency>();
  const unprovided: UnprovidedReference[] = [];
  const add = (from: FleetApp, to: FleetApp | undefined, capability: string, evidence: DependencyEvidence): void => {
    if (!to || (to.repo === from.repo && to.app.name === from.app.name)) return;
    const key = [from.repo.id, from.app.name, to.repo.id, to.app.name].join('\0');
    const existing = dependencies.get(key);
    if (!existing) {
      dependencies.set(key, { fromRepo: from.repo.id, from: from.app.name, toRepo: to.repo.id, to: to.app.name, capability, evidence: [evidence] });
      return;
    }
    if (!existing.capability.split(', ').includes(capability)) existing.capability += `, ${capability}`;
    existing.evidence.push(evidence);
  };
  /** A usage signal: a dependency on its provider, and an unprovided reference when it names an unknown object. */
  const use = (from: FleetApp, { signal, origin, skipDryRun }: Found): void => {
    const evidence: DependencyEvidence = { description: signal.description, origin, ...(skipDryRun ? { skipDryRun } : {}) };
    const known = index.unknownName(from.instance, signal.capability, signal.value);
    if (known) unprovided.push({ fromRepo: from.repo.id, from: from.app.name, capability: signal.capability, value: signal.value, known, evidence });
    const dependency = CAPABILITIES[signal.capability].dependency(signal.value);
    // An exact rule of the table, then an object of the instance, then a wildcard rule.
    const exact = index.exactRule(from.instance, signal.capability, signal.value);
    if (exact !== undefined) {
      add(from, byName.get(`${from.instance}\0${exact}`), dependency, evidence);
      return;
    }
    const key = [from.instance, signal.capability, signal.value].join('\0');
    // ArgoCD applies CRDs and Namespaces of one Application before its other objects: nothing to order.
    if (selfProvided.has(`${from.repo.id}\0${from.app.name}\0${key}`)) return;
    const provider = provided.get(key);
    if (provider) {
      add(from, provider.app, dependency, { ...evidence, provider: provider.evidence });
      return;
    }
    // An unknown issuer still needs cert-manager (a wildcard provider): the dependency on the controller stays.
    const wildcard = index.wildcardRule(from.instance, signal.capability, signal.value);
    if (wildcard !== undefined) add(from, byName.get(`${from.instance}\0${wildcard}`), dependency, evidence);
  };

  for (const from of apps) {
    for (const found of uses.get(from) ?? []) use(from, found);
    for (const image of deployedImages(from, reposById)) {
      const host = image.registry.toLowerCase();
      const provider = host === '' ? undefined : (index.exactRule(from.instance, 'registry', host) ?? index.wildcardRule(from.instance, 'registry', host));
      if (provider !== undefined) add(from, byName.get(`${from.instance}\0${provider}`), CAPABILITIES.registry.dependency(host), { description: `image ${image.raw} from registry ${host}`, origin: image.origin });
    }
    const declared = from.app.dependsOnOrigin;
    if (declared) {
      for (const name of from.app.declaredDependsOn) {
        add(from, byName.get(`${from.instance}\0${name}`), 'declared dependency', { description: `annotation fleetlint.dev/depends-on: ${from.app.declaredDependsOn.join(',')}`, origin: declared });
      }
    }
  }
  return {
    dependencies: [...dependencies.values()]
      .map((dependency) => {
        const evidence = uniqueEvidence(dependency.evidence);
        // ArgoCD applies a resource that skips the dry run before its CRD exists, and retries it: no wave is needed.
        return { ...dependency, evidence, ...(evidence.every((item) => item.skipDryRun === true) ? { skipDryRun: true as const } : {}) };
      })
      .sort((a, b) => compare(a.fromRepo, b.fromRepo) || compare(a.from, b.from) || compare(a.toRepo, b.toRepo) || compare(a.to, b.to)),
    unprovided: uniqueUnprovided(unprovided),
    duplicates: duplicateApplications(apps),
  };
}

/**
 * A Service written without `metadata.namespace` is in the Application's destination namespace; with no
 * destination namespace either, where it lands is unknown and it provides nothing.
 */
function inDestination(provision: Signal, app: ArgoApplication): Signal | undefined {
  if (provision.capability !== 'service' || !provision.value.startsWith('/')) return provision;
  const namespace = app.destination.namespace;
  if (namespace === undefined || namespace === '') return undefined;
  const value = `${namespace}${provision.value}`;
  return { ...provision, value, description: `Service ${value}` };
}

/** The rendered Applications by repo and name (the first of a name). */
function renderedApps(desired: DesiredState | undefined): Map<string, DesiredApplication> {
  const byKey = new Map<string, DesiredApplication>();
  for (const app of desired?.apps ?? []) {
    const key = `${app.app.repo}\0${app.app.name}`;
    if (!byKey.has(key)) byKey.set(key, app);
  }
  return byKey;
}

/**
 * What an Application uses and provides: its rendered objects, located by the render's provenance; and, when
 * nothing was rendered or the render is partial, its static values files and manifests.
 */
function deployed(from: FleetApp, rendered: DesiredApplication | undefined, desired: DesiredState | undefined): { uses: Found[]; provides: Found[] } {
  const uses: Found[] = [];
  const provides: Found[] = [];
  const syncOptions = from.app.syncOptions ?? [];
  const appSkipsDryRun = syncOptions.includes(SKIP_DRY_RUN);
  // ArgoCD creates the destination namespace itself: objects there need no other Application's Namespace.
  const createdNamespace = syncOptions.includes(CREATE_NAMESPACE) ? from.app.destination.namespace : undefined;
  // The namespace ArgoCD itself runs in (the Application's own) exists before any Application syncs.
  const keep = (signal: Signal): boolean => !(signal.capability === 'namespace' && (signal.value === createdNamespace || signal.value === from.app.namespace));
  const skips = (value: unknown): boolean => appSkipsDryRun || (stringAt(value, ['metadata', 'annotations', SYNC_OPTIONS_ANNOTATION]) ?? '').includes(SKIP_DRY_RUN);
  const found = (signal: LocatedSignal | Signal, origin: FactOrigin, value: unknown): Found => ({
    signal,
    origin,
    ...(signal.capability === 'crd' && skips(value) ? { skipDryRun: true as const } : {}),
  });

  if (rendered && desired && rendered.objects.length > 0) {
    for (const object of rendered.objects) {
      if (object.apiVersion.startsWith(ARGO_GROUP)) continue;
      const like = { apiVersion: object.apiVersion, kind: object.kind, ...(object.name !== undefined ? { name: object.name } : {}), ...(object.namespace !== undefined ? { namespace: object.namespace } : {}), value: object.value };
      const used = [...(object.kind === 'CustomResourceDefinition' ? [] : treeSignals(object.value, [])), ...objectSignals(like), ...objectUses(like)];
      for (const signal of used) if (keep(signal)) uses.push(found(signal, desired.locate(object, signal.path), object.value));
      for (const provision of objectProvisions(like)) provides.push({ signal: provision, origin: desired.locate(object, provision.path) });
    }
    if (rendered.complete) return { uses, provides };
  }
  for (const values of from.scope.values) {
    for (const signal of valuesSignals(values.repo, values.document, values.basePath)) uses.push(found(signal, signal.origin, undefined));
  }
  for (const { repo, object } of from.scope.objects) {
    for (const signal of manifestSignals(repo, object)) if (keep(signal)) uses.push(found(signal, signal.origin, object.document.value));
    for (const provision of manifestProvisions(repo, object)) provides.push({ signal: provision, origin: provision.origin });
  }
  return { uses, provides };
}

/**
 * Applications of one instance with the same namespace and name that one reading applies together: one folder
 * holds both, and the same app-of-apps (or none) deploys them. ArgoCD keeps one of them. Same-named
 * Applications in sibling folders (`overlays/prod/`, `overlays/lab/`) are each cluster's own, unless the fleet says
 * they share an instance's reading; an ApplicationSet's repeated names have a note of their own.
 */
function duplicateApplications(apps: readonly FleetApp[]): DuplicateApplication[] {
  const byKey = new Map<string, FleetApp[]>();
  for (const entry of apps) {
    const { app } = entry;
    if (app.generatedBy) continue;
    // The parent is named by repo and name, which several clusters' roots can share: the folder tells them apart.
    const parent = app.ancestors?.[0];
    const key = [entry.instance, app.namespace ?? '', app.name, parent ? `${parent.repo}\0${parent.name}` : '', entry.repo.id, posix.dirname(app.origin.file)].join('\0');
    const same = byKey.get(key);
    if (same) same.push(entry);
    else byKey.set(key, [entry]);
  }
  return [...byKey.values()]
    .filter((same) => same.length > 1)
    .map((same) => ({
      instance: same[0]?.instance ?? '',
      name: same[0]?.app.name ?? '',
      ...(same[0]?.app.namespace !== undefined ? { namespace: same[0].app.namespace } : {}),
      apps: same.map(({ repo, app }) => ({ repo: repo.id, origin: app.origin })),
    }));
}

/** One reference per app, capability, name and place (the same values file can be deployed by two sources). */
function uniqueUnprovided(references: readonly UnprovidedReference[]): UnprovidedReference[] {
  const byKey = new Map<string, UnprovidedReference>();
  for (const reference of references) {
    const { origin } = reference.evidence;
    byKey.set([reference.fromRepo, reference.from, reference.capability, reference.value, origin.repo, origin.file, origin.line].join('\0'), reference);
  }
  return [...byKey.values()].sort(
    (a, b) => compare(a.fromRepo, b.fromRepo) || compare(a.from, b.from) || compare(a.evidence.origin.file, b.evidence.origin.file) || a.evidence.origin.line - b.evidence.origin.line,
  );
}

/**
 * The fleet's Applications by instance and name. When several share a name in an instance (an app-of-apps copy
 * and the service's own), the one in a repo named after it is the provider, else the first by repo id.
 */
function appsByName(apps: readonly FleetApp[]): Map<string, FleetApp> {
  const byName = new Map<string, FleetApp>();
  for (const entry of apps) {
    const key = `${entry.instance}\0${entry.app.name}`;
    const current = byName.get(key);
    const ownRepo = entry.repo.id.split('/').pop() === entry.app.name;
    const currentOwnRepo = current?.repo.id.split('/').pop() === entry.app.name;
    if (!current || (ownRepo && !currentOwnRepo)) byName.set(key, entry);
  }
  return byName;
}

/**
 * Images written in the documents the app deploys (Helm values and manifests; not CI or Dockerfiles). Documents,
 * not files: an app-of-apps file holds several Applications, each with its own inline values.
 */
function deployedImages(from: FleetApp, reposById: ReadonlyMap<string, Repo>): Repo['images'] {
  const documentKey = (repo: string, file: string, docIndex: number | undefined): string => `${repo}\0${file}\0${String(docIndex ?? 0)}`;
  const documents = new Set([
    ...from.scope.values.map((values) => documentKey(values.repo, values.file, values.document.index)),
    ...from.scope.objects.map(({ repo, object }) => documentKey(repo, object.origin.file, object.document.index)),
  ]);
  const repoIds = new Set([...from.scope.values.map((values) => values.repo), ...from.scope.objects.map(({ repo }) => repo)]);
  return [...repoIds].flatMap((id) =>
    (reposById.get(id)?.images ?? []).filter(
      (image) =>
        (image.context === 'helm-map' || image.context === 'helm-string' || image.context === 'k8s-container' || image.context === 'k8s-field') &&
        documents.has(documentKey(image.origin.repo, image.origin.file, image.origin.docIndex)),
    ),
  );
}

function uniqueEvidence(evidence: readonly DependencyEvidence[]): DependencyEvidence[] {
  const seen = new Map<string, DependencyEvidence>();
  for (const item of evidence) {
    const key = [item.description, item.origin.repo, item.origin.file, originKey(item.origin)].join('\0');
    if (!seen.has(key)) seen.set(key, item);
  }
  return [...seen.values()].sort(
    (a, b) => compare(a.origin.repo, b.origin.repo) || compare(a.origin.file, b.origin.file) || a.origin.line - b.origin.line || a.origin.range.startColumn - b.origin.range.startColumn || compare(a.description, b.description),
  );
}

function originKey(origin: FactOrigin): string {
  return `${String(origin.docIndex ?? 0)}:${String(origin.line)}:${String(origin.range.startColumn)}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import type { ArgoApplication } from '../argocd/types.js';
import type { FactOrigin } from '../origin.js';
import type { Repo } from '../types.js';
import type { AppDependency, DependencyEvidence, ProviderRule, UnprovidedReference } from './types.js';
import { CAPABILITIES, PROVIDED_KINDS } from './capabilities.js';
import { ProviderIndex, type DerivedProvider } from './providers.js';
import { deployedScope, type DeployedScope } from './scope.js';
import type { Signal } from './signals.js';
import { manifestSignals, valuesSignals } from './located-signals.js';

interface FleetApp {
  repo: Repo;
  app: ArgoApplication;
  scope: DeployedScope;
}

/**
 * Application-to-Application dependencies across the fleet: for every Application, what the files it deploys
 * use (see `deployedScope`) and which Application provides that, plus `fleetlint.dev/depends-on`. Providers are
 * found by Application name in the fleet; a provider that is not in the fleet, or the app itself, gives nothing.
 * `providers` is the provider table (sync-wave-order's `providers` option); the model has no defaults of its own.
 */
export function inferDependencies(repos: readonly Repo[], providers: readonly ProviderRule[]): AppDependency[] {
  return inferDependencyFacts(repos, providers).dependencies;
}

/** The dependencies, and the named things Applications use that no Application of the fleet provides. */
export function inferDependencyFacts(
  repos: readonly Repo[],
  providers: readonly ProviderRule[],
): { dependencies: AppDependency[]; unprovided: UnprovidedReference[] } {
  const sortedRepos = [...repos].sort((a, b) => compare(a.id, b.id));
  const reposById = new Map(sortedRepos.map((repo) => [repo.id, repo]));
  const apps: FleetApp[] = sortedRepos.flatMap((repo) => repo.argocd.applications.map((app) => ({ repo, app, scope: deployedScope(app, repo, reposById) })));
  const byName = appsByName(apps);
  // A rule naming an Application the fleet does not have provides nothing, and names nothing the fleet provides:
  // a table written for another fleet (or the generic defaults) must not make a name look known, or hide an object
  // the fleet does deploy behind an exact rule for an absent app.
  const index = new ProviderIndex(
    providers.filter((rule) => byName.has(rule.app)),
    derivedProviders(apps),
  );

  const dependencies = new Map<string, AppDependency>();
  const unprovided: UnprovidedReference[] = [];
  /** A usage signal: a dependency on its provider, and an unprovided reference when it names an unknown object. */
  const use = (from: FleetApp, signal: Signal, origin: FactOrigin): void => {
    const evidence = { description: signal.description, origin };
    const known = index.unknownName(signal.capability, signal.value);
    if (known) unprovided.push({ fromRepo: from.repo.id, from: from.app.name, capability: signal.capability, value: signal.value, known, evidence });
    // An unknown issuer still needs cert-manager (a wildcard provider): the dependency on the controller stays.
    const provider = index.find(signal.capability, signal.value);
    if (provider !== undefined) add(from, provider, CAPABILITIES[signal.capability].dependency(signal.value), evidence);
  };
  const add = (from: FleetApp, toName: string, capability: string, evidence: DependencyEvidence): void => {
    if (toName === from.app.name) return;
    const to = byName.get(toName);
    if (!to) return;
    const key = [from.repo.id, from.app.name, to.repo.id, to.app.name].join('\0');
    const existing = dependencies.get(key);
    if (!existing) {
      dependencies.set(key, { fromRepo: from.repo.id, from: from.app.name, toRepo: to.repo.id, to: to.app.name, capability, evidence: [evidence] });
      return;
    }
    if (!existing.capability.split(', ').includes(capability)) existing.capability += `, ${capability}`;
    existing.evidence.push(evidence);
  };

  for (const from of apps) {
    for (const values of from.scope.values) {
      for (const signal of valuesSignals(values.repo, values.document, values.basePath)) use(from, signal, signal.origin);
    }
    for (const { repo, object } of from.scope.objects) {
      for (const signal of manifestSignals(repo, object)) use(from, signal, signal.origin);
    }
    for (const image of deployedImages(from, reposById)) {
      const host = image.registry.toLowerCase();
      const provider = host === '' ? undefined : index.find('registry', host);
      if (provider !== undefined) add(from, provider, CAPABILITIES.registry.dependency(host), { description: `image ${image.raw} from registry ${host}`, origin: image.origin });
    }
    const declared = from.app.dependsOnOrigin;
    if (declared) {
      for (const name of from.app.declaredDependsOn) {
        add(from, name, 'declared dependency', { description: `annotation fleetlint.dev/depends-on: ${from.app.declaredDependsOn.join(',')}`, origin: declared });
      }
    }
  }
  return {
    dependencies: [...dependencies.values()]
      .map((dependency) => ({ ...dependency, evidence: uniqueEvidence(dependency.evidence) }))
      .sort((a, b) => compare(a.fromRepo, b.fromRepo) || compare(a.from, b.from) || compare(a.toRepo, b.toRepo) || compare(a.to, b.to)),
    unprovided: uniqueUnprovided(unprovided),
  };
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
 * The fleet's Applications by name. When several share a name (an app-of-apps copy and the service's own),
 * the one in a repo named after it is the provider, else the first by repo id.
 */
function appsByName(apps: readonly FleetApp[]): Map<string, FleetApp> {
  const byName = new Map<string, FleetApp>();
  for (const entry of apps) {
    const current = byName.get(entry.app.name);
    const ownRepo = entry.repo.id.split('/').pop() === entry.app.name;
    const currentOwnRepo = current?.repo.id.split('/').pop() === entry.app.name;
    if (!current || (ownRepo && !currentOwnRepo)) byName.set(entry.app.name, entry);
  }
  return byName;
}

function derivedProviders(apps: readonly FleetApp[]): DerivedProvider[] {
  const derived: DerivedProvider[] = [];
  for (const { app, scope } of apps) {
    for (const { object } of scope.objects) {
      const capability = PROVIDED_KINDS.get(object.kind);
      if (capability !== undefined && object.name !== undefined) derived.push({ capability, value: object.name, app: app.name });
    }
  }
  return derived;
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

import type { DocPath } from '../findings.js';
import type { K8sObject } from '../k8s/types.js';
import { valueAt } from '../k8s/value.js';
import { originAt, type FactOrigin } from '../origin.js';
import type { Repo } from '../types.js';
import type { YamlDocument } from '../yaml/parse.js';
import { objectProvisions, objectSignals, objectUses, treeSignals, type ObjectLike, type Signal } from './signals.js';

/** A usage signal with the place it was found. */
export interface LocatedSignal extends Signal {
  origin: FactOrigin;
}

/** Per document, per base path (joined): its signals, located while the document's nodes were at hand. */
const memo = new WeakMap<YamlDocument, Map<string, LocatedSignal[]>>();

function remembered(document: YamlDocument, key: string, compute: () => LocatedSignal[]): LocatedSignal[] {
  let byKey = memo.get(document);
  if (!byKey) memo.set(document, (byKey = new Map<string, LocatedSignal[]>()));
  let signals = byKey.get(key);
  if (!signals) byKey.set(key, (signals = compute()));
  return signals;
}

/** What was found and located in a document, by base path key: for handing a built repo to another thread. */
export function locatedSignalsOf(document: YamlDocument): [string, LocatedSignal[]][] {
  return [...(memo.get(document) ?? [])];
}

/** Takes the signals another thread found in a document. */
export function rememberLocatedSignals(document: YamlDocument, entries: readonly [string, LocatedSignal[]][]): void {
  if (entries.length > 0) memo.set(document, new Map(entries));
}

/** The signals of a tree of Helm values: a values file (`basePath` []) or an inline `helm.valuesObject`. */
export function valuesSignals(repo: string, document: YamlDocument, basePath: DocPath): LocatedSignal[] {
  return remembered(document, `values\0${basePath.join('\0')}`, () =>
    treeSignals(valueAt(document.value, basePath), basePath).map((signal) => ({ ...signal, origin: originAt(repo, document, signal.path) })),
  );
}

/** The signals of a Kubernetes object: what its tree uses (a CRD's schema only names fields) and its kind implies. */
export function manifestSignals(repo: string, object: K8sObject): LocatedSignal[] {
  const { document } = object;
  return remembered(document, 'object', () => {
    const used = object.kind === 'CustomResourceDefinition' ? [] : treeSignals(document.value, []);
    return [...used, ...objectSignals(staticObject(object)), ...objectUses(staticObject(object))].map((signal) => ({ ...signal, origin: originAt(repo, document, signal.path) }));
  });
}

/** What a Kubernetes object provides to other Applications (a CRD's kind, a StorageClass), located. */
export function manifestProvisions(repo: string, object: K8sObject): LocatedSignal[] {
  return remembered(object.document, 'provides', () => objectProvisions(staticObject(object)).map((provision) => ({ ...provision, origin: originAt(repo, object.document, provision.path) })));
}

function staticObject(object: K8sObject): ObjectLike {
  return { apiVersion: object.apiVersion, kind: object.kind, ...(object.name !== undefined ? { name: object.name } : {}), ...(object.namespace !== undefined ? { namespace: object.namespace } : {}), value: object.document.value };
}

/**
 * Finds and locates the signals of a repo's values files, manifests and inline values while its YAML trees
 * are still parsed: the fleet-wide inference runs after every repo's trees were released, and locating a
 * signal then would parse its file again.
 */
export function locateRepoSignals(repo: Pick<Repo, 'id' | 'helm' | 'k8s' | 'argocd' | 'yaml'>): void {
  for (const values of repo.helm.values) {
    const document = values.document;
    if (!document.broken) valuesSignals(repo.id, document, []);
  }
  for (const object of repo.k8s) {
    manifestSignals(repo.id, object);
    manifestProvisions(repo.id, object);
  }
  for (const app of repo.argocd.applications) {
    const document = repo.yaml.get(app.origin.file)?.documents[app.origin.docIndex ?? 0];
    if (!document || document.broken) continue;
    for (const source of app.sources) if (source.helmValuesObjectPath) valuesSignals(repo.id, document, source.helmValuesObjectPath);
  }
}

import type { DocPath } from '../findings.js';
import type { K8sObject } from '../k8s/types.js';
import { isMap, type PlainMap } from '../k8s/value.js';
import { NO_VARIABLES, type ImageCandidate } from './candidate.js';
import { helmValuesImages, imageMap, isImageKey } from './helm.js';
import { documentLocator, type ValueLocator } from '../locator.js';

/** Kinds whose content describes schemas or other objects rather than running containers. */
const NOT_WORKLOADS: ReadonlySet<string> = new Set(['CustomResourceDefinition', 'Application', 'ApplicationSet', 'AppProject']);
/** API groups of policy engines, whose `containers[].image` are patterns (`harbor.local/* | docker.io/*`). */
const POLICY_GROUPS: ReadonlySet<string> = new Set(['kyverno.io', 'wgpolicyk8s.io', 'templates.gatekeeper.sh', 'constraints.gatekeeper.sh', 'mutations.gatekeeper.sh']);

/**
 * Lists of container specs (Pods, and the CRDs that embed pod specs: Argo Rollouts, Argo Workflows `sidecars`),
 * and single container specs (Argo Workflows' `container` and `script` templates, Tekton `steps`).
 */
const CONTAINER_LISTS: ReadonlySet<string> = new Set(['containers', 'initContainers', 'ephemeralContainers', 'sidecars', 'steps']);
const CONTAINER_MAPS: ReadonlySet<string> = new Set(['container', 'script']);

/**
 * Keys ending in `Image` that do not hold a container image: VM and machine images (KubeVirt, Cluster API,
 * Crossplane providers), OS images of nodes.
 */
const NOT_IMAGE_KEYS: ReadonlySet<string> = new Set(['osImage', 'vmImage', 'bootImage', 'diskImage', 'machineImage', 'nodeImage', 'cloudImage', 'amiImage', 'sourceImage', 'baseImage']);
/** Keys whose subtree holds Helm values: Flux's HelmRelease `values`, ArgoCD's `valuesObject`. */
const VALUES_KEYS: ReadonlySet<string> = new Set(['values', 'valuesObject']);

/**
 * Every image of every Kubernetes object of a repo (static manifests), custom resources included; see
 * imagesInObject. Not the ArgoCD objects (their inline values are read as Helm values), CRD schemas, or
 * policy engines' patterns.
 */
export function k8sImageCandidates(repo: string, objects: readonly K8sObject[]): ImageCandidate[] {
  const candidates: ImageCandidate[] = [];
  for (const object of objects) {
    if (!holdsImages(object.apiVersion, object.kind)) continue;
    candidates.push(...imagesInObject(object.document.value, documentLocator(repo, object.document)));
  }
  return candidates;
}

/** Whether an object's images are images it runs: not an ArgoCD object, a CRD's schema, or a policy engine's patterns. */
export function holdsImages(apiVersion: string, kind: string): boolean {
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
  return !NOT_WORKLOADS.has(kind) && !POLICY_GROUPS.has(group);
}

/**
 * The images of one object of any kind (a manifest, a custom resource, a rendered object), by their shape
 * rather than by the kind's schema:
 *
 * - `image` of a container spec (an item of `containers`, `initContainers`, `ephemeralContainers`, `sidecars`,
 *   `steps`, or the map under `container`/`script`): context `k8s-container`, where no tag means latest;
 * - any other `image` or `<name>Image` string (an operator's `spec.image`), and image maps
 *   (`image: {repository, tag}`, `{registry, repository, tag}`, `{name, tag}` under an image key, or a map with
 *   `repository` and a `tag`, `digest` or `registry`): context `k8s-field`, where the operator may default the tag;
 * - Helm values under `values`/`valuesObject` (Flux HelmRelease, ArgoCD): read as Helm values.
 *
 * `metadata` and `status` are skipped, and so are keys named like images that are not (NOT_IMAGE_KEYS).
 */
export function imagesInObject(value: unknown, locator: ValueLocator): ImageCandidate[] {
  const candidates: ImageCandidate[] = [];
  if (!isMap(value)) return candidates;
  for (const [key, child] of Object.entries(value)) {
    if (key !== 'metadata' && key !== 'status') walk(locator, child, [key], candidates);
  }
  return candidates;
}

function walk(locator: ValueLocator, value: unknown, path: DocPath, out: ImageCandidate[]): void {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      walk(locator, item, [...path, index], out);
    });
    return;
  }
  if (!isMap(value)) return;
  const key = path[path.length - 1];
  const parentKey = typeof key === 'number' ? path[path.length - 2] : key;
  const isContainer = typeof parentKey === 'string' && (typeof key === 'number' ? CONTAINER_LISTS.has(parentKey) : CONTAINER_MAPS.has(parentKey));
  const mapImage = isContainer ? undefined : imageMapAt(locator, value, path);
  if (mapImage) out.push(mapImage);
  for (const [childKey, child] of Object.entries(value)) {
    const childPath = [...path, childKey];
    if (mapImage && (childKey === 'image' || childKey === 'repository')) continue;
    if (VALUES_KEYS.has(childKey) && isMap(child)) {
      out.push(...helmValuesImages(child, { at: (at) => locator.at([...childPath, ...at]), text: (at) => locator.text([...childPath, ...at]) }));
    } else if (typeof child === 'string' && isImageKey(childKey) && !NOT_IMAGE_KEYS.has(childKey)) {
      const written = child.trim();
      if (written === '') continue;
      const context = isContainer && childKey === 'image' ? 'k8s-container' : 'k8s-field';
      out.push({ written, context, origin: locator.at(childPath), lookup: NO_VARIABLES });
    } else {
      walk(locator, child, childPath, out);
    }
  }
}

/** A map that is an image written in parts, under an image key or with `repository` and a version part. */
function imageMapAt(locator: ValueLocator, map: PlainMap, path: DocPath): ImageCandidate | undefined {
  const key = path[path.length - 1];
  const underImageKey = typeof key === 'string' && isImageKey(key) && !NOT_IMAGE_KEYS.has(key);
  if (!underImageKey && !(typeof map.repository === 'string' && ('tag' in map || 'digest' in map || 'registry' in map))) return undefined;
  return imageMap(locator, map, path, underImageKey, 'k8s-field');
}

import type { DocPath } from '../findings.js';
import type { K8sObject } from '../k8s/types.js';
import { originAt } from '../origin.js';
import { isMap } from '../k8s/value.js';
import { NO_VARIABLES, type ImageCandidate } from './candidate.js';

const CONTAINER_LISTS: ReadonlySet<string> = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** Kinds whose content describes schemas or other objects rather than running containers. */
const NOT_WORKLOADS: ReadonlySet<string> = new Set(['CustomResourceDefinition', 'Application', 'ApplicationSet', 'AppProject']);
/** API groups of policy engines, whose `containers[].image` are patterns (`harbor.local/* | docker.io/*`). */
const POLICY_GROUPS: ReadonlySet<string> = new Set(['kyverno.io', 'wgpolicyk8s.io', 'templates.gatekeeper.sh', 'constraints.gatekeeper.sh', 'mutations.gatekeeper.sh']);

/**
 * `image` of every container, init container and ephemeral container of an object: Pods, Deployments,
 * StatefulSets, DaemonSets, Jobs, CronJobs, and the custom resources (Argo Rollouts, ...) that embed pod specs.
 */
export function k8sImageCandidates(repo: string, objects: readonly K8sObject[]): ImageCandidate[] {
  const candidates: ImageCandidate[] = [];
  for (const object of objects) {
    const group = object.apiVersion.includes('/') ? (object.apiVersion.split('/')[0] ?? '') : '';
    if (NOT_WORKLOADS.has(object.kind) || POLICY_GROUPS.has(group) || !isMap(object.document.value)) continue;
    for (const [key, child] of Object.entries(object.document.value)) {
      if (key !== 'metadata' && key !== 'status') walk(repo, object, child, [key], candidates);
    }
  }
  return candidates;
}

function walk(repo: string, object: K8sObject, value: unknown, path: DocPath, out: ImageCandidate[]): void {
  if (Array.isArray(value)) {
    const key = path[path.length - 1];
    const isContainerList = typeof key === 'string' && CONTAINER_LISTS.has(key);
    value.forEach((item: unknown, index) => {
      if (isContainerList && isMap(item) && typeof item.image === 'string' && item.image.trim() !== '') {
        out.push({ written: item.image.trim(), context: 'k8s-container', origin: originAt(repo, object.document, [...path, index, 'image']), lookup: NO_VARIABLES });
      }
      walk(repo, object, item, [...path, index], out);
    });
    return;
  }
  if (!isMap(value)) return;
  for (const [key, child] of Object.entries(value)) walk(repo, object, child, [...path, key], out);
}

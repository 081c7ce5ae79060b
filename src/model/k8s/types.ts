import type { AppRef } from '../argocd/types.js';
import type { FactOrigin } from '../origin.js';
import type { YamlDocument } from '../yaml/parse.js';

/** Any Kubernetes object found in a YAML document (apiVersion + kind), ArgoCD's included. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  document: YamlDocument;
  origin: FactOrigin;
  /**
   * The kustomization that names this document's file as a patch (`patchesStrategicMerge`, `patches[].path`):
   * the document is part of another object, so it makes no ArgoCD fact and is not validated as an object.
   */
  kustomizePatch?: string;
  /**
   * The Application whose render applies this document in another form (a kustomize resource that an overlay
   * patches): checks of ArgoCD objects read the rendered form (`ArgoApplication.renderedBy`) instead. Set by
   * the render phase.
   */
  supersededBy?: AppRef;
}

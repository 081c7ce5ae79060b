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
}

import type { FactOrigin } from '../origin.js';
import type { ProviderCapability } from './capabilities.js';

/** One reason to believe an Application depends on another: what was seen, and where. */
export interface DependencyEvidence {
  /** e.g. "uses storageClass longhorn", "annotation cert-manager.io/cluster-issuer". */
  description: string;
  origin: FactOrigin;
  /** What provides it, and where: the CRD, StorageClass or Namespace object of the other Application. */
  provider?: { description: string; origin: FactOrigin };
  /** The using object (or its Application) has `SkipDryRunOnMissingResource=true`: ArgoCD applies it before its CRD. */
  skipDryRun?: true;
}

/** Applications of one ArgoCD instance with one namespace and name: ArgoCD keeps only one of them. */
export interface DuplicateApplication {
  instance: string;
  namespace?: string;
  name: string;
  apps: { repo: string; origin: FactOrigin }[];
}

/** `from` (an Application) needs `to` (another Application) to be deployed first. */
export interface AppDependency {
  fromRepo: string;
  from: string;
  toRepo: string;
  to: string;
  /** What `to` provides that `from` uses: "StorageClass longhorn", "ingress controller traefik". */
  capability: string;
  evidence: DependencyEvidence[];
  /** Every piece of evidence skips the dry run (`SkipDryRunOnMissingResource=true`): no wave has to order it. */
  skipDryRun?: true;
}

export type { ProviderCapability } from './capabilities.js';

/** An Application uses a named thing (a StorageClass, an IngressClass, an issuer) that nothing in the fleet provides. */
export interface UnprovidedReference {
  fromRepo: string;
  from: string;
  capability: ProviderCapability;
  /** The name it uses. */
  value: string;
  /** The names the fleet does provide for that capability. */
  known: string[];
  evidence: DependencyEvidence;
}

/** Which Application provides a capability: an entry of sync-wave-order's `providers` option, passed to the model. */
export interface ProviderRule {
  capability: ProviderCapability;
  /** The value that selects the provider (a StorageClass name, an ingress class, a registry host); `*` for any. */
  value: string;
  /** The Application name that provides it. */
  app: string;
}

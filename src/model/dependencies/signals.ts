import type { DocPath } from '../findings.js';
import type { K8sObject } from '../k8s/types.js';
import { isMap, stringAt, valueAt } from '../k8s/value.js';
import type { ProviderRule } from './types.js';

/** Something a deployed file uses that an Application may provide. `path` is inside the file's document. */
export interface Signal {
  capability: ProviderRule['capability'];
  /** What selects the provider: a StorageClass name, an ingress class, an issuer, a registry host. */
  value: string;
  description: string;
  path: DocPath;
}

const MONITOR_TOGGLES: ReadonlySet<string> = new Set(['serviceMonitor', 'podMonitor', 'prometheusRule']);

/**
 * Usage signals in a tree of values or a manifest: storage classes, ingress classes and controller-specific
 * annotations, cert-manager issuers, MetalLB annotations and LoadBalancer services, external-dns annotations,
 * External Secrets store references, and Prometheus Operator monitors switched on in values. Subtrees with
 * `enabled: false` are skipped.
 */
export function treeSignals(value: unknown, basePath: DocPath): Signal[] {
  const signals: Signal[] = [];
  walk(value, basePath, false, signals);
  return signals;
}

function walk(value: unknown, path: DocPath, underIngress: boolean, out: Signal[]): void {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      walk(item, [...path, index], underIngress, out);
    });
    return;
  }
  // Charts switch features off with `enabled: false`; what is inside is not deployed.
  if (!isMap(value) || value.enabled === false) return;
  for (const [key, child] of Object.entries(value)) {
    const at = [...path, key];
    const text = typeof child === 'string' ? child.trim() : undefined;
    const signal = (capability: Signal['capability'], selector: string, description: string): void => {
      out.push({ capability, value: selector, description, path: at });
    };
    if ((key === 'storageClass' || key === 'storageClassName') && text !== undefined && text !== '' && text !== '-') {
      signal('storageClass', text, `${key}: ${text}`);
    } else if ((key === 'ingressClassName' || key === 'ingressClass' || (key === 'className' && underIngress)) && text !== undefined && text !== '') {
      signal('ingressClass', text, `${key}: ${text}`);
    } else if (key === 'kubernetes.io/ingress.class' && text !== undefined && text !== '') {
      signal('ingressClass', text, `annotation ${key}: ${text}`);
    } else if (key.startsWith('traefik.ingress.kubernetes.io/')) {
      signal('ingressClass', 'traefik', `annotation ${key}`);
    } else if ((key === 'cert-manager.io/cluster-issuer' || key === 'cert-manager.io/issuer') && text !== undefined && text !== '') {
      signal('certIssuer', text, `annotation ${key}: ${text}`);
    } else if ((key === 'metallb.universe.tf/address-pool' || key === 'metallb.io/address-pool') && text !== undefined && text !== '') {
      signal('addressPool', text, `annotation ${key}: ${text}`);
    } else if (key.startsWith('metallb.universe.tf/') || key.startsWith('metallb.io/')) {
      signal('loadBalancer', key, `annotation ${key}`);
    } else if (key === 'type' && text === 'LoadBalancer') {
      signal('loadBalancer', 'LoadBalancer', 'service type LoadBalancer');
    } else if (key.startsWith('external-dns.alpha.kubernetes.io/')) {
      signal('externalDns', key, `annotation ${key}`);
    } else if (key === 'secretStoreRef' && isMap(child)) {
      const name = stringAt(child, ['name']) ?? '';
      signal('externalSecrets', name, `secretStoreRef ${name}`.trim());
    } else if (MONITOR_TOGGLES.has(key) && isMap(child) && child.enabled === true) {
      signal('monitoringCrds', key, `${key}.enabled: true`);
    }
    walk(child, at, underIngress || /ingress/i.test(key), out);
  }
}

/** API groups whose objects need another Application's CRDs (and controller) to be installed first. */
const GROUP_CAPABILITIES: readonly { group: string; capability: Signal['capability']; label: string }[] = [
  { group: 'traefik.io', capability: 'ingressClass', label: 'Traefik' },
  { group: 'traefik.containo.us', capability: 'ingressClass', label: 'Traefik' },
  { group: 'cert-manager.io', capability: 'certIssuer', label: 'cert-manager' },
  { group: 'metallb.io', capability: 'loadBalancer', label: 'MetalLB' },
  { group: 'external-secrets.io', capability: 'externalSecrets', label: 'External Secrets' },
  { group: 'bitnami.com', capability: 'sealedSecrets', label: 'Sealed Secrets' },
  { group: 'monitoring.coreos.com', capability: 'monitoringCrds', label: 'Prometheus Operator' },
];

/** CSI provisioners whose StorageClasses only work once the named storage class provider runs. */
const PROVISIONER_STORAGE_CLASSES: Readonly<Record<string, string>> = { 'driver.longhorn.io': 'longhorn' };

/**
 * A custom resource of a provider's API group: the object itself is the evidence (at its `kind`). Its value
 * selects the CRDs' owner (`''` matches only wildcard rules), except that a Certificate needs its issuer.
 */
export function objectSignals(object: K8sObject): Signal[] {
  const group = object.apiVersion.split('/')[0] ?? '';
  const name = object.name ?? '';
  if (group === 'storage.k8s.io' && object.kind === 'StorageClass') {
    const provisioner = stringAt(object.document.value, ['provisioner']) ?? '';
    const storageClass = PROVISIONER_STORAGE_CLASSES[provisioner];
    return storageClass === undefined ? [] : [{ capability: 'storageClass', value: storageClass, description: `provisioner ${provisioner}`, path: ['provisioner'] }];
  }
  const match = GROUP_CAPABILITIES.find((candidate) => candidate.group === group);
  if (!match) return [];
  const value = match.capability === 'ingressClass' ? 'traefik' : (certIssuerOf(object) ?? '');
  return [{ capability: match.capability, value, description: `${match.label} ${object.kind} ${name}`.trim(), path: ['kind'] }, ...secretsBackendOf(object)];
}

/** A SecretStore reads one backend, named by the single key under `spec.provider` (`vault`, `aws`, `gcpsm`). */
function secretsBackendOf(object: K8sObject): Signal[] {
  if (object.kind !== 'SecretStore' && object.kind !== 'ClusterSecretStore') return [];
  const provider = valueAt(object.document.value, ['spec', 'provider']);
  if (!isMap(provider)) return [];
  return Object.keys(provider).map((backend) => ({
    capability: 'secretsBackend',
    value: backend,
    description: `${object.kind} ${object.name ?? ''} reads ${backend}`.replace('  ', ' '),
    path: ['spec', 'provider', backend],
  }));
}

/** A Certificate names its issuer. */
function certIssuerOf(object: K8sObject): string | undefined {
  if (object.kind !== 'Certificate' && object.kind !== 'CertificateRequest') return undefined;
  return stringAt(object.document.value, ['spec', 'issuerRef', 'name']);
}

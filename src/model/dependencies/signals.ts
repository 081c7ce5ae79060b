import type { DocPath } from '../findings.js';
import { isMap, stringAt, valueAt } from '../k8s/value.js';
import type { ProviderRule } from './types.js';
import { PROVIDED_KINDS } from './capabilities.js';

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
    } else if (key === 'priorityClassName' && text !== undefined && text !== '') {
      signal('priorityClass', text, `${key}: ${text}`);
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
export function objectSignals(object: ObjectLike): Signal[] {
  const group = object.apiVersion.split('/')[0] ?? '';
  const name = object.name ?? '';
  if (group === 'storage.k8s.io' && object.kind === 'StorageClass') {
    const provisioner = stringAt(object.value, ['provisioner']) ?? '';
    const storageClass = PROVISIONER_STORAGE_CLASSES[provisioner];
    return storageClass === undefined ? [] : [{ capability: 'storageClass', value: storageClass, description: `provisioner ${provisioner}`, path: ['provisioner'] }];
  }
  const match = GROUP_CAPABILITIES.find((candidate) => candidate.group === group);
  if (!match) return [];
  const value = match.capability === 'ingressClass' ? 'traefik' : (certIssuerOf(object) ?? '');
  return [{ capability: match.capability, value, description: `${match.label} ${object.kind} ${name}`.trim(), path: ['kind'] }, ...secretsBackendOf(object)];
}

/** A SecretStore reads one backend, named by the single key under `spec.provider` (`vault`, `aws`, `gcpsm`). */
function secretsBackendOf(object: ObjectLike): Signal[] {
  if (object.kind !== 'SecretStore' && object.kind !== 'ClusterSecretStore') return [];
  const provider = valueAt(object.value, ['spec', 'provider']);
  if (!isMap(provider)) return [];
  return Object.keys(provider).map((backend) => ({
    capability: 'secretsBackend',
    value: backend,
    description: `${object.kind} ${object.name ?? ''} reads ${backend}`.replace('  ', ' '),
    path: ['spec', 'provider', backend],
  }));
}

/** A Certificate names its issuer. */
function certIssuerOf(object: ObjectLike): string | undefined {
  if (object.kind !== 'Certificate' && object.kind !== 'CertificateRequest') return undefined;
  return stringAt(object.value, ['spec', 'issuerRef', 'name']);
}

/** An object as dependency inference reads it: a static manifest or a rendered object alike. */
export interface ObjectLike {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  value: unknown;
}

/** Something an object provides to other Applications by a key: a CRD's kind, a StorageClass's name. `path` is where. */
export interface Provision {
  capability: ProviderRule['capability'];
  value: string;
  description: string;
  path: DocPath;
}

const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

/** A CRD's key: its group and kind, as a custom resource names them (`monitoring.coreos.com/ServiceMonitor`). */
export function crdKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/**
 * A Service's key: `namespace/name`. A Service without `metadata.namespace` has `/name` here: the Application that
 * deploys it puts it in its destination namespace (see `inferDependencyFacts`).
 */
export function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

const WEBHOOK_CONFIGURATIONS: ReadonlySet<string> = new Set(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);

/**
 * What an object provides: a CRD its kind; a Service its namespace and name; a StorageClass, IngressClass, issuer, address pool, Namespace or
 * PriorityClass its name; a StorageClass marked default the default class.
 */
export function objectProvisions(object: ObjectLike): Provision[] {
  const { kind, name } = object;
  if (kind === 'CustomResourceDefinition' && object.apiVersion.startsWith('apiextensions.k8s.io/')) {
    const group = stringAt(object.value, ['spec', 'group']);
    const crdKind = stringAt(object.value, ['spec', 'names', 'kind']);
    return group === undefined || crdKind === undefined ? [] : [{ capability: 'crd', value: crdKey(group, crdKind), description: `CustomResourceDefinition ${name ?? crdKind}`, path: ['metadata', 'name'] }];
  }
  if (kind === 'Service' && object.apiVersion === 'v1' && name !== undefined) {
    const key = serviceKey(object.namespace ?? '', name);
    return [{ capability: 'service', value: key, description: `Service ${object.namespace === undefined ? name : key}`, path: ['metadata', 'name'] }];
  }
  const capability = PROVIDED_KINDS.get(kind);
  if (capability === undefined || name === undefined) return [];
  const provided: Provision[] = [{ capability, value: name, description: `${kind} ${name}`, path: ['metadata', 'name'] }];
  if (kind === 'StorageClass' && stringAt(object.value, ['metadata', 'annotations', DEFAULT_CLASS_ANNOTATION]) === 'true') {
    provided.push({ capability: 'defaultStorageClass', value: '', description: `StorageClass ${name} (default)`, path: ['metadata', 'annotations', DEFAULT_CLASS_ANNOTATION] });
  }
  return provided;
}

/** Kinds of the core API that live outside namespaces: their `metadata.namespace`, if written, means nothing. */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'IngressClass', 'PriorityClass', 'RuntimeClass', 'CSIDriver',
  'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService', 'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration', 'ClusterIssuer', 'ClusterSecretStore', 'ClusterPolicy',
]);

/** Namespaces every cluster has: an Application that writes a Namespace object for one only labels it. */
const BUILT_IN_NAMESPACES: ReadonlySet<string> = new Set(['', 'default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * What an object uses by key besides its fields' names (`treeSignals`): the CRD of its kind (any API group with a
 * dot; only a CRD of the fleet can match, so built-in groups never do), the default StorageClass for a claim
 * without `storageClassName`, a webhook configuration's Services, and its namespace.
 */
export function objectUses(object: ObjectLike): Signal[] {
  const uses: Signal[] = [];
  const slash = object.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : object.apiVersion.slice(0, slash);
  if (group.includes('.') && !group.endsWith('argoproj.io') && object.kind !== 'CustomResourceDefinition') {
    uses.push({ capability: 'crd', value: crdKey(group, object.kind), description: `${[object.kind, object.name].filter((part) => part !== undefined).join(' ')} (${group})`, path: ['kind'] });
  }
  if (object.kind === 'PersistentVolumeClaim' && valueAt(object.value, ['spec', 'storageClassName']) === undefined) {
    uses.push({ capability: 'defaultStorageClass', value: '', description: `PersistentVolumeClaim ${object.name ?? ''} without storageClassName`, path: ['spec'] });
  }
  const templates = valueAt(object.value, ['spec', 'volumeClaimTemplates']);
  if (Array.isArray(templates)) {
    templates.forEach((template: unknown, index) => {
      if (isMap(template) && valueAt(template, ['spec', 'storageClassName']) === undefined) {
        uses.push({ capability: 'defaultStorageClass', value: '', description: `volumeClaimTemplates ${stringAt(template, ['metadata', 'name']) ?? String(index)} without storageClassName`, path: ['spec', 'volumeClaimTemplates', index] });
      }
    });
  }
  if (WEBHOOK_CONFIGURATIONS.has(object.kind) && group === 'admissionregistration.k8s.io') uses.push(...webhookServices(object));
  if (object.namespace !== undefined && !BUILT_IN_NAMESPACES.has(object.namespace) && !CLUSTER_SCOPED.has(object.kind)) {
    // At the object's name: a kustomization's `namespace:` sets the field in no line of the object's own.
    uses.push({ capability: 'namespace', value: object.namespace, description: `${object.kind} ${object.name ?? ''} in namespace ${object.namespace}`, path: ['metadata', 'name'] });
  }
  return uses;
}

/**
 * The Services a webhook configuration calls (`webhooks[].clientConfig.service`, whose namespace and name the API
 * requires): until the Service exists, every request the webhook matches fails or skips it (its failurePolicy).
 */
function webhookServices(object: ObjectLike): Signal[] {
  const webhooks = valueAt(object.value, ['webhooks']);
  if (!Array.isArray(webhooks)) return [];
  return webhooks.flatMap((webhook: unknown, index): Signal[] => {
    const namespace = stringAt(webhook, ['clientConfig', 'service', 'namespace']);
    const name = stringAt(webhook, ['clientConfig', 'service', 'name']);
    if (namespace === undefined || name === undefined) return [];
    return [{ capability: 'service', value: serviceKey(namespace, name), description: `${object.kind} ${object.name ?? ''} calls Service ${namespace}/${name}`, path: ['webhooks', index, 'clientConfig', 'service', 'name'] }];
  });
}

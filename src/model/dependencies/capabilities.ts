/**
 * The capability vocabulary: what one Application can provide to another. This table is its one home: the
 * `ProviderCapability` type, the config schema's `capability` values and their descriptions, the words of
 * dependency descriptions and of sync-wave-order's messages, and the kinds of object that provide a capability
 * by name all come from it.
 */
interface CapabilitySpec {
  /** What uses the capability: the signals the model reads (shown in the config schema and the rule's doc). */
  usedBy: string;
  /** The capability's noun in messages: "uses StorageClass fast, which no Application provides". */
  noun: string;
  /** The dependency's description: "StorageClass longhorn", "ingress controller traefik". */
  dependency: (value: string) => string;
  /**
   * Whether values name objects (a StorageClass, an issuer): a name that neither a provider rule nor a deployed
   * object names is reported, since nothing will ever provide it.
   */
  named: boolean;
  /** Kinds whose objects provide the capability, by their name, to the Application that deploys them. */
  providedByKinds: readonly string[];
}

const TABLE = {
  storageClass: {
    usedBy: '`storageClass`, `storageClassName`; StorageClasses of the Longhorn provisioner',
    noun: 'StorageClass',
    dependency: (value) => `StorageClass ${value}`,
    named: true,
    providedByKinds: ['StorageClass'],
  },
  ingressClass: {
    usedBy: '`ingressClassName`, `kubernetes.io/ingress.class`, Traefik annotations and CRDs',
    noun: 'ingress class',
    dependency: (value) => `ingress controller ${value}`,
    named: true,
    providedByKinds: ['IngressClass'],
  },
  certIssuer: {
    usedBy: "cert-manager annotations and CRDs, a Certificate's `issuerRef`",
    noun: 'certificate issuer',
    dependency: (value) => (value === '' ? 'cert-manager resources' : `certificate issuer ${value}`),
    named: true,
    providedByKinds: ['ClusterIssuer', 'Issuer'],
  },
  loadBalancer: {
    usedBy: 'Services of type LoadBalancer, MetalLB annotations and CRDs',
    noun: 'load balancer',
    dependency: () => 'LoadBalancer services',
    named: false,
    providedByKinds: [],
  },
  addressPool: {
    usedBy: 'a MetalLB IPAddressPool by name: `metallb.universe.tf/address-pool`, `metallb.io/address-pool`',
    noun: 'MetalLB address pool',
    dependency: (value) => `address pool ${value}`,
    named: true,
    providedByKinds: ['IPAddressPool'],
  },
  externalDns: {
    usedBy: 'external-dns annotations',
    noun: 'external DNS',
    dependency: () => 'external DNS records',
    named: false,
    providedByKinds: [],
  },
  registry: {
    usedBy: 'images the Application deploys, by registry host',
    noun: 'registry',
    dependency: (value) => `registry ${value}`,
    named: false,
    providedByKinds: [],
  },
  externalSecrets: {
    usedBy: '`secretStoreRef`, External Secrets CRDs',
    noun: 'secret store',
    dependency: (value) => (value === '' ? 'external secrets' : `secret store ${value}`),
    named: false,
    providedByKinds: ['ClusterSecretStore', 'SecretStore'],
  },
  secretsBackend: {
    usedBy: 'the backend a SecretStore reads: the key under its `spec.provider` (`vault`, `aws`, ...)',
    noun: 'secrets backend',
    dependency: (value) => `secrets backend ${value}`,
    named: false,
    providedByKinds: [],
  },
  sealedSecrets: {
    usedBy: 'SealedSecrets (the sealed-secrets controller and CRD)',
    noun: 'sealed secrets',
    dependency: () => 'sealed secrets',
    named: false,
    providedByKinds: [],
  },
  crd: {
    usedBy: 'a custom resource whose kind a CustomResourceDefinition of another Application defines',
    noun: 'custom resource definition',
    dependency: (value) => `CRD of ${value}`,
    named: false,
    providedByKinds: [],
  },
  defaultStorageClass: {
    usedBy: 'a PersistentVolumeClaim or `volumeClaimTemplates` entry without `storageClassName`: the StorageClass marked default',
    noun: 'default StorageClass',
    dependency: () => 'the default StorageClass',
    named: false,
    providedByKinds: [],
  },
  namespace: {
    usedBy: "an object's `metadata.namespace` (unless the Application creates it with `CreateNamespace=true`)",
    noun: 'namespace',
    dependency: (value) => `namespace ${value}`,
    named: false,
    providedByKinds: ['Namespace'],
  },
  priorityClass: {
    usedBy: '`priorityClassName` of a pod template',
    noun: 'PriorityClass',
    dependency: (value) => `PriorityClass ${value}`,
    named: false,
    providedByKinds: ['PriorityClass'],
  },
  service: {
    usedBy: "a ValidatingWebhookConfiguration's or MutatingWebhookConfiguration's `clientConfig.service`",
    noun: 'Service',
    dependency: (value) => `Service ${value}`,
    named: false,
    providedByKinds: [],
  },
  monitoringCrds: {
    usedBy: 'ServiceMonitor, PodMonitor and PrometheusRule toggles in values, `monitoring.coreos.com` objects',
    noun: 'monitoring CRDs',
    dependency: () => 'monitoring CRDs',
    named: false,
    providedByKinds: [],
  },
} as const satisfies Record<string, CapabilitySpec>;

export type ProviderCapability = keyof typeof TABLE;

export const CAPABILITIES: Readonly<Record<ProviderCapability, CapabilitySpec>> = TABLE;

/** Every capability, in the table's order. */
export const PROVIDER_CAPABILITIES = Object.keys(TABLE) as readonly ProviderCapability[];

/** The kind of a deployed object that provides a capability by its name (a StorageClass, an issuer). */
export const PROVIDED_KINDS: ReadonlyMap<string, ProviderCapability> = new Map(
  PROVIDER_CAPABILITIES.flatMap((capability) => CAPABILITIES[capability].providedByKinds.map((kind) => [kind, capability] as const)),
);

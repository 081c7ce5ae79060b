import type { FleetSettings } from '../types.js';
import type { ProviderRule } from './types.js';

/** The homelab's usual providers, by the Application names the seed uses. Users add or override them in config. */
export function defaultProviders(): ProviderRule[] {
  return [
    { capability: 'storageClass', value: 'longhorn', app: 'longhorn' },
    { capability: 'storageClass', value: 'longhorn-static', app: 'longhorn' },
    { capability: 'ingressClass', value: 'traefik', app: 'traefik' },
    { capability: 'certIssuer', value: '*', app: 'cert-manager' },
    { capability: 'loadBalancer', value: '*', app: 'metallb' },
    { capability: 'addressPool', value: '*', app: 'metallb' },
    { capability: 'externalDns', value: '*', app: 'external-dns' },
    { capability: 'externalSecrets', value: '*', app: 'external-secrets-operator' },
    { capability: 'secretsBackend', value: 'vault', app: 'vault' },
    { capability: 'sealedSecrets', value: '*', app: 'sealed-secrets' },
    { capability: 'monitoringCrds', value: '*', app: 'prometheus-stack' },
  ];
}

/** The rules plus, for each fleet registry host that no rule covers, "harbor provides it" (the seed's registry). */
export function effectiveProviders(providers: readonly ProviderRule[], settings: FleetSettings): ProviderRule[] {
  const rules = [...providers];
  for (const host of settings.registries) {
    const covered = providers.some((rule) => rule.capability === 'registry' && matches(rule.value, host));
    if (!covered) rules.push({ capability: 'registry', value: host.toLowerCase(), app: 'harbor' });
  }
  return rules;
}

/** A provider made known by the fleet itself: the Application that deploys a StorageClass, IngressClass, issuer or address pool. */
export interface DerivedProvider {
  capability: ProviderRule['capability'];
  value: string;
  app: string;
}

/**
 * Which Application provides a capability value. A rule naming the value exactly wins, then an object the
 * fleet deploys (a StorageClass `longhorn-retain` in an app's manifests), then a wildcard rule.
 */
export class ProviderIndex {
  constructor(
    private readonly rules: readonly ProviderRule[],
    private readonly derived: readonly DerivedProvider[],
  ) {}

  find(capability: ProviderRule['capability'], value: string): string | undefined {
    const sameCapability = this.rules.filter((rule) => rule.capability === capability);
    const exact = sameCapability.find((rule) => !rule.value.includes('*') && rule.value.toLowerCase() === value.toLowerCase());
    if (exact) return exact.app;
    const derived = this.derived.find((provider) => provider.capability === capability && provider.value === value);
    if (derived) return derived.app;
    return sameCapability.find((rule) => rule.value.includes('*') && matches(rule.value, value))?.app;
  }

  /**
   * For capabilities whose values name objects (a StorageClass, an IngressClass, an issuer, an address pool), the names the fleet
   * knows when `value` is none of them: a name nothing provides never binds, however the waves are ordered.
   * Undefined when the name is known, or when the fleet names none to compare with.
   */
  unknownName(capability: ProviderRule['capability'], value: string): string[] | undefined {
    // A template (`{{ .Values.storageClass }}`) or a variable is filled in at render time: nothing to judge.
    if (!NAMED_CAPABILITIES.has(capability) || value === '' || /\{\{|\$/.test(value)) return undefined;
    const known = [
      ...this.rules.filter((rule) => rule.capability === capability && !rule.value.includes('*')).map((rule) => rule.value),
      ...this.derived.filter((provider) => provider.capability === capability).map((provider) => provider.value),
    ];
    if (known.length === 0 || known.some((name) => name.toLowerCase() === value.toLowerCase())) return undefined;
    return [...new Set(known)].sort();
  }
}

const NAMED_CAPABILITIES: ReadonlySet<ProviderRule['capability']> = new Set(['storageClass', 'ingressClass', 'certIssuer', 'addressPool']);

/** `*` matches any run of characters; everything else is literal, compared case-insensitively. */
export function matches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(value);
}

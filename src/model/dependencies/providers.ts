import { CAPABILITIES } from './capabilities.js';
import type { ProviderRule } from './types.js';

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
    if (!CAPABILITIES[capability].named || value === '' || /\{\{|\$/.test(value)) return undefined;
    const known = [
      ...this.rules.filter((rule) => rule.capability === capability && !rule.value.includes('*')).map((rule) => rule.value),
      ...this.derived.filter((provider) => provider.capability === capability).map((provider) => provider.value),
    ];
    if (known.length === 0 || known.some((name) => name.toLowerCase() === value.toLowerCase())) return undefined;
    return [...new Set(known)].sort();
  }
}

/** `*` matches any run of characters; everything else is literal, compared case-insensitively. */
export function matches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(value);
}

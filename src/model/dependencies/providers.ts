import { CAPABILITIES } from './capabilities.js';
import type { ProviderRule } from './types.js';

/**
 * The provider table (sync-wave-order's `providers` option) and the names an instance's objects provide. A rule
 * counts in an instance only when the instance has an Application of the rule's name: a table written for
 * another fleet (or the generic defaults) must not make a name look known, or hide an object the fleet does
 * deploy behind an exact rule for an absent app. Rules are indexed by capability and value: lookups do not scan.
 */
export class ProviderIndex {
  readonly #exact = new Map<string, ProviderRule[]>();
  readonly #wildcards = new Map<ProviderRule['capability'], ProviderRule[]>();
  readonly #exactNames = new Map<ProviderRule['capability'], ProviderRule[]>();

  constructor(
    rules: readonly ProviderRule[],
    private readonly hasApp: (instance: string, name: string) => boolean,
    /** The values the objects of each instance provide, by `instance\0capability`. */
    private readonly provided: ReadonlyMap<string, ReadonlySet<string>>,
  ) {
    for (const rule of rules) {
      if (rule.value.includes('*')) push(this.#wildcards, rule.capability, rule);
      else {
        push(this.#exact, `${rule.capability}\0${rule.value.toLowerCase()}`, rule);
        push(this.#exactNames, rule.capability, rule);
      }
    }
  }

  /** The Application a rule naming the value exactly gives, in the instance. */
  exactRule(instance: string, capability: ProviderRule['capability'], value: string): string | undefined {
    return this.#exact.get(`${capability}\0${value.toLowerCase()}`)?.find((rule) => this.hasApp(instance, rule.app))?.app;
  }

  /** The Application a wildcard rule matching the value gives, in the instance. */
  wildcardRule(instance: string, capability: ProviderRule['capability'], value: string): string | undefined {
    return this.#wildcards.get(capability)?.find((rule) => this.hasApp(instance, rule.app) && matches(rule.value, value))?.app;
  }

  /**
   * For capabilities whose values name objects (a StorageClass, an IngressClass, an issuer, an address pool), the names the
   * instance knows when `value` is none of them: a name nothing provides never binds, however the waves are ordered.
   * Undefined when the name is known, or when the instance names none to compare with.
   */
  unknownName(instance: string, capability: ProviderRule['capability'], value: string): string[] | undefined {
    // A template (`{{ .Values.storageClass }}`) or a variable is filled in at render time: nothing to judge.
    if (!CAPABILITIES[capability].named || value === '' || /\{\{|\$/.test(value)) return undefined;
    const known = [
      ...(this.#exactNames.get(capability) ?? []).filter((rule) => this.hasApp(instance, rule.app)).map((rule) => rule.value),
      ...(this.provided.get(`${instance}\0${capability}`) ?? []),
    ];
    if (known.length === 0 || known.some((name) => name.toLowerCase() === value.toLowerCase())) return undefined;
    return [...new Set(known)].sort();
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** `*` matches any run of characters; everything else is literal, compared case-insensitively. */
export function matches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(value);
}

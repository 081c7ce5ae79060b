/** `$NAME`, `${NAME}` and (Dockerfile only) `${NAME:-default}`-style expansion, leaving unknown variables visible. */

/** A variable's value, or undefined when it is not known before run time (a CI predefined variable, a build-arg). */
export type VariableLookup = (name: string) => string | undefined;

export interface ExpandOptions {
  /** Dockerfile syntax: `${V:-word}`, `${V-word}`, `${V:+word}`, `${V+word}` and `\$` as an escape. GitLab has neither. */
  dockerModifiers?: boolean;
  /** What to write for a variable that is not known; the original text by default. */
  unresolved?: (name: string, original: string) => string;
}

export interface Expanded {
  text: string;
  /** Variables whose value is not known, in order of appearance. */
  unresolved: string[];
}

const MAX_DEPTH = 10;
const VARIABLE = /\\\$|\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export function expandVariables(text: string, lookup: VariableLookup, options: ExpandOptions = {}): Expanded {
  const unresolved: string[] = [];
  const result = expand(text, lookup, options, unresolved, new Set(), 0);
  return { text: result, unresolved: [...new Set(unresolved)] };
}

function expand(text: string, lookup: VariableLookup, options: ExpandOptions, unresolved: string[], active: Set<string>, depth: number): string {
  const docker = options.dockerModifiers === true;
  return text.replace(VARIABLE, (match: string, braced: string | undefined, operator: string | undefined, word: string | undefined, bare: string | undefined) => {
    if (match === '\\$') return docker ? '$' : match;
    if (match === '$$') return docker ? match : '$';
    const name = braced ?? bare ?? '';
    if (operator !== undefined && !docker) return keep(name, match);
    // A variable whose value names itself (or too deep a chain) stays as written.
    const raw = active.has(name) || depth >= MAX_DEPTH ? undefined : lookup(name);
    const value = raw === undefined ? undefined : expand(raw, lookup, options, unresolved, new Set([...active, name]), depth + 1);
    if (operator === undefined) return value ?? keep(name, match);
    const fallback = expand(word ?? '', lookup, options, unresolved, active, depth + 1);
    const useDefaultWhenEmpty = operator.startsWith(':');
    switch (operator.replace(':', '')) {
      case '-':
        if (value === undefined) return fallback;
        return useDefaultWhenEmpty && value === '' ? fallback : value;
      case '+':
        if (value === undefined) return keep(name, match);
        return useDefaultWhenEmpty && value === '' ? '' : fallback;
      default:
        return value ?? keep(name, match);
    }
  });

  function keep(name: string, original: string): string {
    unresolved.push(name);
    return options.unresolved ? options.unresolved(name, original) : original;
  }
}

/** A lookup over a fixed map. */
export function lookupIn(variables: ReadonlyMap<string, string> | Readonly<Record<string, string>>): VariableLookup {
  if (variables instanceof Map) {
    const map: ReadonlyMap<string, string> = variables;
    return (name) => map.get(name);
  }
  const record = variables as Readonly<Record<string, string>>;
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}

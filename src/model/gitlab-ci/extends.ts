import { deepMerge } from './merge.js';
import { emptyMap, flatItems, scalarString, type CiMap, type CiNode, type NodeOrigin } from './node.js';
import type { CiReporter } from './report.js';

/** GitLab allows eleven levels of inheritance: a job and up to ten ancestors (`MAX_NESTING_LEVELS = 10` hops). */
export const MAX_EXTENDS_LEVELS = 11;

/** Top-level keywords: everything else that holds a map is a job (hidden when it starts with a dot). */
export const GLOBAL_KEYWORDS = new Set(['default', 'include', 'stages', 'types', 'variables', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'spec']);

interface Parent {
  name: string;
  origin: NodeOrigin;
}

/**
 * `extends`: parents are merged in order (a later parent wins), then the job itself, with GitLab's deep merge;
 * each parent is itself extended first. Cycles, unknown parents and chains deeper than eleven levels are
 * `ci-config` errors; resolution goes on without the offending parent.
 */
export class ExtendsResolver {
  private readonly done = new Map<string, CiMap>();
  private readonly heights = new Map<string, number>();
  private readonly reportedCycles = new Set<string>();
  private readonly missing = new Map<string, Set<string>>();
  /** Entries whose own `extends` names a parent that is reported missing, not a job, or in a cycle. */
  private readonly broken = new Set<string>();

  /**
   * @param entries the top-level maps that can extend and be extended (jobs and hidden jobs)
   * @param tolerateMissing unknown parents are not errors (the pipeline has includes that could not be read)
   */
  constructor(
    private readonly entries: ReadonlyMap<string, CiMap>,
    private readonly config: CiMap,
    private readonly reporter: CiReporter,
    private readonly tolerateMissing: boolean,
  ) {}

  /** Resolves every entry and checks nesting depth; returns the extended maps by name. */
  resolveAll(): Map<string, CiMap> {
    for (const name of this.entries.keys()) this.resolve(name, []);
    for (const name of this.entries.keys()) this.checkDepth(name);
    return this.done;
  }

  /** Parents that were not found but tolerated, through the whole chain of `name`. */
  missingParents(name: string): string[] {
    const found = new Set<string>();
    const visit = (current: string, seen: Set<string>): void => {
      if (seen.has(current)) return;
      seen.add(current);
      for (const missing of this.missing.get(current) ?? []) found.add(missing);
      for (const parent of this.parents(current, false)) visit(parent.name, seen);
    };
    visit(name, new Set());
    return [...found].sort();
  }

  private resolve(name: string, stack: readonly string[]): CiMap | undefined {
    const done = this.done.get(name);
    if (done) return done;
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    const parents = this.parents(name, true);
    if (parents.length === 0) {
      this.done.set(name, entry);
      return entry;
    }
    let base = emptyMap(entry.origin);
    for (const parent of parents) {
      if (parent.name === name || stack.includes(parent.name)) {
        this.broken.add(name);
        this.reportCycle([...stack.slice(stack.indexOf(parent.name)), name, parent.name], parent.origin);
        continue;
      }
      if (!this.entries.has(parent.name)) {
        if (!this.tolerateMissing) this.broken.add(name);
        this.reportMissing(name, parent);
        continue;
      }
      const resolved = this.resolve(parent.name, [...stack, name]);
      if (resolved) base = deepMerge(base, resolved);
    }
    const result = deepMerge(base, entry);
    this.done.set(name, result);
    return result;
  }

  /** The `extends` of an entry as written (before merging, so a parent's own `extends` is not mistaken for it). */
  private parents(name: string, report: boolean): Parent[] {
    const value = this.entries.get(name)?.entries.get('extends')?.value;
    if (!value || (value.kind === 'scalar' && value.value === null)) return [];
    const parents: Parent[] = [];
    for (const item of flatItems(value)) {
      const parent = scalarString(item);
      if (parent === undefined || item.kind !== 'scalar') {
        if (report) this.reporter.report('ci-config', 'error', `${name}: extends must name jobs (a string or a list of strings).`, item.origin, `extends-invalid:${name}`);
        continue;
      }
      parents.push({ name: parent, origin: item.origin });
    }
    return parents;
  }

  /** Whether `name` or one of its ancestors has an `extends` that GitLab rejects (already reported). */
  brokenChain(name: string, seen = new Set<string>()): boolean {
    if (seen.has(name)) return false;
    seen.add(name);
    if (this.broken.has(name)) return true;
    return this.parents(name, false).some((parent) => this.brokenChain(parent.name, seen));
  }

  private reportCycle(chain: string[], at: NodeOrigin): void {
    const key = [...new Set(chain)].sort().join('\0');
    if (this.reportedCycles.has(key)) return;
    this.reportedCycles.add(key);
    this.reporter.report('ci-config', 'error', `Circular extends: ${chain.join(' → ')}.`, at, `extends-cycle:${key.replace(/\0/g, ',')}`);
  }

  private reportMissing(name: string, parent: Parent): void {
    const existing = this.config.entries.get(parent.name)?.value;
    if (existing && existing.kind !== 'map') {
      this.reporter.report('ci-config', 'error', `${name} extends ${parent.name}, which is not a job (not a map).`, parent.origin, `extends-missing:${name}:${parent.name}`);
      return;
    }
    if (this.tolerateMissing) {
      const missing = this.missing.get(name) ?? new Set<string>();
      missing.add(parent.name);
      this.missing.set(name, missing);
      return;
    }
    this.reporter.report('ci-config', 'error', `${name} extends ${parent.name}, which is not defined.`, parent.origin, `extends-missing:${name}:${parent.name}`);
  }

  private height(name: string, visiting: Set<string>): number {
    const known = this.heights.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name) || !this.entries.has(name)) return 0;
    visiting.add(name);
    let tallest = 0;
    for (const parent of this.parents(name, false)) tallest = Math.max(tallest, this.height(parent.name, visiting));
    visiting.delete(name);
    this.heights.set(name, tallest + 1);
    return tallest + 1;
  }

  private checkDepth(name: string): void {
    const levels = this.height(name, new Set());
    if (levels <= MAX_EXTENDS_LEVELS) return;
    const chain = [name];
    for (let current = name; chain.length <= MAX_EXTENDS_LEVELS + 1; ) {
      const next = this.parents(current, false).reduce<Parent | undefined>((best, parent) => (best === undefined || this.height(parent.name, new Set()) > this.height(best.name, new Set()) ? parent : best), undefined);
      if (!next) break;
      chain.push(next.name);
      current = next.name;
    }
    const at = this.entries.get(name)?.entries.get('extends')?.origin ?? this.config.origin;
    this.reporter.report('ci-config', 'error', `${name}: extends is nested ${levels} levels deep (${chain.join(' → ')}${levels > chain.length ? ' → …' : ''}); GitLab allows ${MAX_EXTENDS_LEVELS}.`, at, `extends-depth:${name}`);
  }
}

export function isJobCandidate(name: string, value: CiNode): value is CiMap {
  return !GLOBAL_KEYWORDS.has(name) && value.kind === 'map';
}

import type { CiEntry, CiNode, CiRef } from './node.js';
import type { CiReporter } from './report.js';

/** GitLab resolves `!reference` tags nested up to ten levels deep. */
export const MAX_REFERENCE_DEPTH = 10;

const hasReference = new WeakMap<CiNode, boolean>();

function containsReference(node: CiNode): boolean {
  const known = hasReference.get(node);
  if (known !== undefined) return known;
  let found: boolean;
  if (node.kind === 'ref') found = true;
  else if (node.kind === 'seq') found = node.items.some(containsReference);
  else if (node.kind === 'map') found = [...node.entries.values()].some((entry) => containsReference(entry.value));
  else found = false;
  hasReference.set(node, found);
  return found;
}

/**
 * `!reference [name, key, ...]`, resolved against the configuration after `extends` (GitLab's order), so a
 * reference to a hidden job's `script` sees what that job inherited. The referenced nodes keep their own origins:
 * a script line pulled in by reference points at the line where it is written. In a list the referenced value is
 * one item (a nested list for a list), which script, rules and stages flatten later, as GitLab does.
 */
export class ReferenceResolver {
  private readonly reported = new Set<CiRef>();

  constructor(
    private readonly top: (name: string) => CiNode | undefined,
    private readonly reporter: CiReporter,
    private readonly tolerateMissing: boolean,
  ) {}

  /** The node with every reference replaced; missing targets are dropped and, when tolerated, passed to `onMissing`. */
  resolve(node: CiNode, onMissing: (reference: string) => void, depth = 0): CiNode | undefined {
    if (!containsReference(node)) return node;
    switch (node.kind) {
      case 'ref':
        return this.follow(node, onMissing, depth);
      case 'seq': {
        const items: CiNode[] = [];
        for (const item of node.items) {
          const resolved = this.resolve(item, onMissing, depth);
          if (resolved) items.push(resolved);
        }
        return { ...node, items };
      }
      case 'map': {
        const entries = new Map<string, CiEntry>();
        for (const [key, entry] of node.entries) {
          const value = this.resolve(entry.value, onMissing, depth);
          if (value) entries.set(key, { value, origin: entry.origin });
        }
        return { ...node, entries };
      }
      case 'scalar':
        return node;
    }
  }

  private follow(ref: CiRef, onMissing: (reference: string) => void, depth: number): CiNode | undefined {
    if (!ref.path) {
      this.once(ref, '!reference must be a list of names: [job, key, ...].', 'reference-invalid');
      return undefined;
    }
    const label = `!reference [${ref.path.join(', ')}]`;
    if (depth >= MAX_REFERENCE_DEPTH) {
      this.once(ref, `${label} is nested more than ${MAX_REFERENCE_DEPTH} levels deep (or refers to itself).`, `reference-depth:${ref.path.join(',')}`);
      return undefined;
    }
    const [first, ...keys] = ref.path;
    let target = first === undefined ? undefined : this.top(first);
    for (const key of keys) target = target?.kind === 'map' ? target.entries.get(key)?.value : undefined;
    if (!target) {
      if (this.tolerateMissing) onMissing(label);
      else this.once(ref, `${label} does not exist.`, `reference-missing:${ref.path.join(',')}`);
      return undefined;
    }
    return this.resolve(target, onMissing, depth + 1);
  }

  private once(ref: CiRef, message: string, subject: string): void {
    if (this.reported.has(ref)) return;
    this.reported.add(ref);
    this.reporter.report('ci-config', 'error', message, ref.origin, subject);
  }
}

import type { AppDependency } from './types.js';

export interface AppKey {
  repo: string;
  name: string;
}

/**
 * The dependency cycles between Applications: every strongly connected component with more than one app (an app
 * never depends on itself), each sorted by repo and name, the list sorted by its first member. Tarjan's algorithm,
 * linear in apps + dependencies; iterative, so a long chain cannot overflow the stack.
 */
export function dependencyCycles(dependencies: readonly AppDependency[]): AppKey[][] {
  const keyOf = (repo: string, name: string): string => `${repo}\u0000${name}`;
  const edges = new Map<string, string[]>();
  const apps = new Map<string, AppKey>();
  for (const dependency of dependencies) {
    const from = keyOf(dependency.fromRepo, dependency.from);
    const to = keyOf(dependency.toRepo, dependency.to);
    apps.set(from, { repo: dependency.fromRepo, name: dependency.from });
    apps.set(to, { repo: dependency.toRepo, name: dependency.to });
    const targets = edges.get(from) ?? [];
    targets.push(to);
    edges.set(from, targets);
  }

  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  for (const start of [...apps.keys()].sort()) {
    if (index.has(start)) continue;
    // Each frame: a node and the position of the next edge to follow from it.
    const frames: { node: string; next: number }[] = [{ node: start, next: 0 }];
    index.set(start, counter);
    lowLink.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { node: string; next: number };
      const targets = edges.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++] as string;
        if (!index.has(target)) {
          index.set(target, counter);
          lowLink.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          frames.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node) ?? 0, index.get(target) ?? 0));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) lowLink.set(parent.node, Math.min(lowLink.get(parent.node) ?? 0, lowLink.get(frame.node) ?? 0));
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1) components.push(component.sort());
      }
    }
  }
  return components
    .sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1))
    .map((component) => component.map((key) => apps.get(key) as AppKey));
}

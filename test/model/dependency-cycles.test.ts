import { describe, expect, it } from 'vitest';
import { dependencyCycles } from '../../src/model/dependencies/cycles.js';
import type { AppDependency } from '../../src/model/dependencies/types.js';

const edge = (from: string, to: string): AppDependency => ({ fromRepo: from, from, toRepo: to, to, capability: 'test', evidence: [] });
const names = (cycles: ReturnType<typeof dependencyCycles>): string[][] => cycles.map((cycle) => cycle.map((app) => app.name));

describe('dependencyCycles', () => {
  it('finds none in a DAG', () => {
    expect(dependencyCycles([edge('a', 'b'), edge('b', 'c'), edge('a', 'c')])).toEqual([]);
  });

  it('finds each cycle once, members sorted, cycles sorted', () => {
    expect(names(dependencyCycles([edge('c', 'a'), edge('a', 'b'), edge('b', 'c'), edge('x', 'y'), edge('y', 'x'), edge('b', 'z')]))).toEqual([
      ['a', 'b', 'c'],
      ['x', 'y'],
    ]);
  });

  it('handles a long chain without recursion', () => {
    const chain = Array.from({ length: 50_000 }, (_, i) => edge(`app${i}`, `app${i + 1}`));
    expect(dependencyCycles([...chain, edge('app50000', 'app0')])[0]).toHaveLength(50_001);
  });
});

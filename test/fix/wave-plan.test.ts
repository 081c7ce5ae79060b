import { describe, expect, it } from 'vitest';
import { inBand, planWaves, type PlanEdge, type PlanNode, type WaveBand } from '../../src/model/waves/plan.js';

/** mulberry32: a seeded generator, so a failing case is the same case on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Fleet {
  nodes: PlanNode[];
  edges: PlanEdge[];
}

/** A small fleet: 1-4 apps with waves 0-4, random dependencies (acyclic unless `cyclic`), some bands, some fixed apps. */
function generate(next: () => number, cyclic: boolean): Fleet {
  const count = 1 + Math.floor(next() * 4);
  const int = (below: number): number => Math.floor(next() * below);
  const nodes: PlanNode[] = Array.from({ length: count }, (_, index) => {
    const min = int(4);
    const band: WaveBand | undefined = next() < 0.4 ? (next() < 0.3 ? { min } : { min, max: min + int(2) }) : undefined;
    return { id: `app${index}`, wave: int(5), movable: next() < 0.85, ...(band ? { band } : {}) };
  });
  const edges: PlanEdge[] = [];
  for (let from = 0; from < count; from++) {
    for (let to = 0; to < count; to++) {
      if (from === to || next() > 0.35) continue;
      // Acyclic: a higher index depends on a lower one only.
      if (!cyclic && from < to) continue;
      edges.push({ from: `app${from}`, to: `app${to}`, reason: 'test' });
    }
  }
  return { nodes, edges };
}

interface Cost {
  outside: number;
  changed: number;
  moved: number;
}

/** Every assignment of waves in a range wider than the planner's, the best by (outside, changed, moved). */
function exhaustive({ nodes, edges }: Fleet): Cost | undefined {
  const anchors = nodes.flatMap((node) => [node.wave, node.band?.min, node.band?.max]).filter((value): value is number => value !== undefined);
  const floor = Math.min(...anchors) - nodes.length - 2;
  const ceiling = Math.max(...anchors) + nodes.length + 2;
  const waves = new Map<string, number>();
  let best: Cost | undefined;
  const visit = (index: number): void => {
    const node = nodes[index];
    if (!node) {
      const cost = { outside: 0, changed: 0, moved: 0 };
      for (const each of nodes) {
        const wave = waves.get(each.id) ?? each.wave;
        if (each.band && !inBand(each.band, wave)) cost.outside++;
        if (wave !== each.wave) cost.changed++;
        cost.moved += Math.abs(wave - each.wave);
      }
      if (!best || ([cost.outside - best.outside, cost.changed - best.changed, cost.moved - best.moved].find((d) => d !== 0) ?? 0) < 0) best = cost;
      return;
    }
    const values = node.movable ? Array.from({ length: ceiling - floor + 1 }, (_, offset) => floor + offset) : [node.wave];
    for (const value of values) {
      waves.set(node.id, value);
      // Every assignment is visited, except those that break a dependency between apps already given a wave.
      const assigned = new Set(nodes.slice(0, index + 1).map((each) => each.id));
      if (edges.every((edge) => !assigned.has(edge.from) || !assigned.has(edge.to) || (waves.get(edge.from) ?? 0) > (waves.get(edge.to) ?? 0))) visit(index + 1);
    }
    waves.delete(node.id);
  };
  visit(0);
  return best;
}

function hasCycle({ nodes, edges }: Fleet): boolean {
  const state = new Map<string, number>();
  const visit = (id: string): boolean => {
    if (state.get(id) === 1) return true;
    if (state.get(id) === 2) return false;
    state.set(id, 1);
    const found = edges.filter((edge) => edge.from === id).some((edge) => visit(edge.to));
    state.set(id, 2);
    return found;
  };
  return nodes.some((node) => visit(node.id));
}

describe('waves plan', () => {
  it('finds, on 300 generated small fleets, a plan as good as an exhaustive search: fewest apps outside their band, then fewest changed, then smallest moves', () => {
    const next = random(18);
    let planned = 0;
    for (let round = 0; round < 300; round++) {
      const fleet = generate(next, false);
      const plan = planWaves(fleet.nodes, fleet.edges);
      const expected = exhaustive(fleet);
      if (!expected) {
        expect(plan.kind, JSON.stringify(fleet)).toBe('infeasible');
        continue;
      }
      expect(plan.kind, JSON.stringify(fleet)).toBe('plan');
      if (plan.kind !== 'plan') continue;
      planned++;
      const waves = new Map(fleet.nodes.map((node) => [node.id, node.wave]));
      for (const change of plan.changes) waves.set(change.id, change.to);
      // Every dependency holds, fixed apps keep their wave, and the cost is the exhaustive search's.
      for (const edge of fleet.edges) expect((waves.get(edge.from) ?? NaN) > (waves.get(edge.to) ?? NaN), JSON.stringify(fleet)).toBe(true);
      for (const node of fleet.nodes) if (!node.movable) expect(waves.get(node.id)).toBe(node.wave);
      expect({ outside: plan.outsideBand.length, changed: plan.changes.length, moved: plan.moved, optimal: plan.optimal }, JSON.stringify(fleet)).toEqual({ ...expected, optimal: true });
    }
    expect(planned).toBeGreaterThan(250);
  });

  it('reports a cycle with the apps along it, on every generated fleet that has one', () => {
    const next = random(7);
    let cycles = 0;
    for (let round = 0; round < 200; round++) {
      const fleet = generate(next, true);
      const plan = planWaves(fleet.nodes, fleet.edges);
      if (!hasCycle(fleet)) continue;
      cycles++;
      expect(plan.kind).toBe('cycle');
      if (plan.kind !== 'cycle') continue;
      // Each app of the cycle depends on the next, the last on the first.
      plan.cycle.forEach((id, index) => {
        const to = plan.cycle[(index + 1) % plan.cycle.length];
        expect(fleet.edges.some((edge) => edge.from === id && edge.to === to)).toBe(true);
      });
    }
    expect(cycles).toBeGreaterThan(50);
  });

  it('says why each app moves, and leaves a fleet in order alone', () => {
    const nodes: PlanNode[] = [
      { id: 'longhorn', wave: 3, movable: true, band: { min: 3, max: 3 } },
      { id: 'jellyfin', wave: 2, movable: true, band: { min: 10 } },
      { id: 'traefik', wave: 2, movable: true },
    ];
    const edges: PlanEdge[] = [{ from: 'jellyfin', to: 'longhorn', reason: 'jellyfin uses StorageClass longhorn of longhorn' }];
    const plan = planWaves(nodes, edges);
    expect(plan).toEqual({
      kind: 'plan',
      changes: [{ id: 'jellyfin', from: 2, to: 10, reasons: ['outside its band (wave 10 or later)', 'depends on longhorn, in wave 3: jellyfin uses StorageClass longhorn of longhorn'] }],
      moved: 8,
      optimal: true,
      outsideBand: [],
    });
    expect(planWaves([{ id: 'a', wave: 1, movable: true }, { id: 'b', wave: 0, movable: true }], [{ from: 'a', to: 'b', reason: '' }])).toMatchObject({ changes: [], moved: 0 });
  });

  it('keeps the best plan found when the search runs out of budget, and says it is not proven the smallest', () => {
    const nodes: PlanNode[] = Array.from({ length: 12 }, (_, index) => ({ id: `app${String(index).padStart(2, '0')}`, wave: 12 - index, movable: true }));
    const edges: PlanEdge[] = nodes.slice(1).map((node, index) => ({ from: node.id, to: nodes[index]?.id ?? '', reason: 'chain' })).filter((edge) => edge.to !== '');
    const plan = planWaves(nodes, edges, { budget: 20 });
    expect(plan.kind).toBe('plan');
    if (plan.kind !== 'plan') return;
    expect(plan.optimal).toBe(false);
    const waves = new Map(nodes.map((node) => [node.id, node.wave]));
    for (const change of plan.changes) waves.set(change.id, change.to);
    for (const edge of edges) expect((waves.get(edge.from) ?? NaN) > (waves.get(edge.to) ?? NaN)).toBe(true);
  });
});

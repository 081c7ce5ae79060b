/**
 * The wave graph's layout on literal graphs: it fits the page's width whatever the number of waves, every name is
 * whole on its lines inside its box, and edges between the same columns share their junctions (bundled). The page
 * as Chromium lays it out is checked in test/audit/audit-report.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { WaveApp, WaveGraph } from '../../src/report/audit/waves.js';
import { GRAPH_MAX_WIDTH, waveLayout, waveSvg, wrapName } from '../../src/report/html/wave-graph.js';

function app(name: string, wave: number): WaveApp {
  return { key: `apps/${name}#${name}`, repo: `apps/${name}`, name, wave, waveValid: true, dependsOn: [], problems: [], flagged: false };
}

/** `waves` columns of `perWave` apps with long names; every app of a wave depends on every app of the wave before. */
function graphOf(waves: number, perWave: number): WaveGraph {
  const columns = Array.from({ length: waves }, (_, wave) => ({ wave, apps: Array.from({ length: perWave }, (_, index) => app(`external-secrets-operator-${wave}-${index}-app`, wave)) }));
  const edges = columns.slice(1).flatMap((column, index) =>
    column.apps.flatMap((dependent) => (columns[index]?.apps ?? []).map((dependency) => ({ from: dependent.key, to: dependency.key, capabilities: ['crd'], violation: false }))),
  );
  return { columns, edges, violations: 0 };
}

/** The advance the layout assumes per character, the monospace bound of wave-graph.ts. */
const CHAR_WIDTH = 6.2;

describe('the wave graph', () => {
  it('wraps a name after its separators, hard only where a part is longer than a line, and never drops a character', () => {
    expect(wrapName('external-secrets-operator-app', 11)).toEqual(['external-', 'secrets-', 'operator-', 'app']);
    expect(wrapName('traefik', 11)).toEqual(['traefik']);
    expect(wrapName('audiobookshelf', 11)).toEqual(['audiobooksh', 'elf']);
    expect(wrapName('kube-prometheus-stack', 40)).toEqual(['kube-prometheus-stack']);
    for (const name of ['a.b_c/d-e', 'x'.repeat(50), 'cert-manager-issuers', '']) {
      const lines = wrapName(name, 9);
      expect(lines.join('')).toBe(name);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(9);
    }
  });

  it.each([
    [1, 3],
    [13, 6],
    [40, 2],
  ])('with %i waves of %i apps: fits the page, and every name fits its box', (waves, perWave) => {
    const layout = waveLayout(graphOf(waves, perWave));
    expect(layout.width).toBeLessThanOrEqual(GRAPH_MAX_WIDTH);
    expect(layout.headers.map((header) => header.wave)).toEqual(Array.from({ length: waves }, (_, wave) => wave));
    expect(layout.nodes).toHaveLength(waves * perWave);
    for (const node of layout.nodes) {
      expect(node.lines.join('')).toBe(node.app.name);
      expect(node.x + node.width).toBeLessThanOrEqual(layout.width);
      expect(node.y + node.height).toBeLessThanOrEqual(layout.height);
      for (const line of node.lines) expect(line.length * CHAR_WIDTH).toBeLessThanOrEqual(node.width - 10);
    }
    // Boxes never overlap.
    for (const a of layout.nodes) {
      for (const b of layout.nodes) {
        if (a === b) continue;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.app.name} and ${b.app.name} overlap`).toBe(true);
      }
    }
  });

  it('lays the waves out in columns, left to right, one band below another when they are more than a row holds', () => {
    const wide = waveLayout(graphOf(40, 1));
    const xs = wide.nodes.map((node) => node.x);
    expect(new Set(wide.nodes.map((node) => node.y)).size).toBeGreaterThan(1);
    expect(xs[1]).toBeGreaterThan(xs[0] ?? 0);
    const few = waveLayout(graphOf(3, 2));
    expect(new Set(few.nodes.map((node) => node.x)).size).toBe(3);
    // Few waves keep wide columns, where a name of 30 characters needs no wrapping.
    expect(few.nodes.every((node) => node.width >= 30 * CHAR_WIDTH + 10)).toBe(true);
  });

  it('bundles the edges between two columns: they share the junctions beside both columns and the trunk between', () => {
    const layout = waveLayout(graphOf(3, 4));
    const bundles = new Map<string, string[]>();
    for (const edge of layout.edges) bundles.set(edge.bundle, [...(bundles.get(edge.bundle) ?? []), edge.path]);
    expect([...bundles.keys()].sort()).toEqual(['0>1', '1>2']);
    for (const paths of bundles.values()) {
      expect(paths).toHaveLength(16);
      // `... exitX y L entryX y ...`: the trunk, the same for every edge of the bundle.
      const trunks = new Set(paths.map((path) => /(\S+ \S+) (L\S+ \S+)/.exec(path)?.slice(1).join(' ')));
      expect(trunks.size).toBe(1);
      expect([...trunks][0]).toMatch(/^\d/);
    }
  });

  it('draws an out-of-order edge backwards in red, over the others, and names the whole app in each box', () => {
    const graph = graphOf(2, 1);
    const [dependency, dependent] = graph.columns.map((column) => column.apps[0]) as [WaveApp, WaveApp];
    graph.edges.push({ from: dependency.key, to: dependent.key, capabilities: ['secret'], violation: true });
    const svg = waveSvg(graph);
    expect(svg).toMatch(/<path class="edge" data-bundle="0>1"[^]*<path class="edge violation" data-bundle="1>0"/);
    expect(svg).toContain(`<g class="node" data-name="${dependency.name}">`);
    expect(svg).toContain(`<title>${dependency.name} needs ${dependent.name} (secret): out of order</title>`);
  });
});

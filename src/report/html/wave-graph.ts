/**
 * The wave graph's SVG: one column per sync wave, sized so that the graph fits a 1400 px wide page (no horizontal
 * scrolling), every Application's name in full (wrapped onto as many lines as it needs, never cut), and the
 * dependency edges bundled: the edges between one pair of columns leave through one junction in the gap after
 * their column and arrive through one junction in the gap before their target's column, sharing the trunk between.
 *
 * The page runs no script, so names are measured by arithmetic: the labels are set in a monospace font, whose
 * advance is at most 0.62 em in the fonts the stack names (DejaVu Sans Mono and Liberation Mono: 0.60).
 */
import type { WaveApp, WaveGraph } from '../audit/waves.js';
import { esc } from './text.js';

/** The widest the graph gets: a 1400 px page less main's padding (2 × 28) and the frame's border (2 × 1). */
export const GRAPH_MAX_WIDTH = 1320;
const FONT_SIZE = 10;
/** A safe upper bound of the label font's advance, in px. */
const CHAR_WIDTH = FONT_SIZE * 0.62;
const LINE_HEIGHT = 13;
/** Above the first baseline: room for the font's ascent. */
const BASELINE = 13.5;
const PAD_X = 5;
const PAD_Y = 4;
/** Between two columns: the channel the edges' junctions sit in. */
const GAP = 20;
const MIN_PITCH = 96;
const MAX_PITCH = 222;
const ROW_GAP = 6;
const LEFT = 12;
const HEADER = 30;
const BAND_GAP = 24;

export interface NodeBox {
  app: WaveApp;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The name, broken into lines that fit the box: joined, they are the name. */
  lines: string[];
}

export interface EdgeRoute {
  from: string;
  to: string;
  violation: boolean;
  title: string;
  /** The junctions the edge shares with the others of its bundle (the same columns, the same direction). */
  bundle: string;
  path: string;
}

export interface WaveLayout {
  width: number;
  height: number;
  headers: { wave: number; x: number; y: number }[];
  nodes: NodeBox[];
  edges: EdgeRoute[];
}

/** Breaks a name after `-`, `_`, `.` or `/` into lines of at most `max` characters; a longer part is split hard. */
export function wrapName(name: string, max: number): string[] {
  const parts = name.match(/[^-_./]*[-_./]|[^-_./]+$/g) ?? [name];
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    if (line.length + part.length <= max) {
      line += part;
      continue;
    }
    if (line !== '') lines.push(line);
    line = '';
    let rest = part;
    while (rest.length > max) {
      lines.push(rest.slice(0, max));
      rest = rest.slice(max);
    }
    line = rest;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

export function waveLayout(graph: WaveGraph): WaveLayout {
  const count = Math.max(1, graph.columns.length);
  const usable = GRAPH_MAX_WIDTH - 2 * LEFT + GAP;
  const perBand = Math.max(1, Math.min(count, Math.floor(usable / MIN_PITCH)));
  const pitch = Math.min(MAX_PITCH, Math.floor(usable / perBand));
  const nodeWidth = pitch - GAP;
  const maxChars = Math.max(1, Math.floor((nodeWidth - 2 * PAD_X) / CHAR_WIDTH));

  const nodes: NodeBox[] = [];
  const headers: WaveLayout['headers'] = [];
  const columnOf = new Map<string, number>();
  let bandTop = 0;
  for (let band = 0; band * perBand < graph.columns.length; band++) {
    let bandBottom = bandTop + HEADER;
    graph.columns.slice(band * perBand, (band + 1) * perBand).forEach((column, index) => {
      const x = LEFT + index * pitch;
      headers.push({ wave: column.wave, x, y: bandTop + 18 });
      let y = bandTop + HEADER;
      for (const app of column.apps) {
        const lines = wrapName(app.name, maxChars);
        const height = lines.length * LINE_HEIGHT + 2 * PAD_Y;
        nodes.push({ app, x, y, width: nodeWidth, height, lines });
        columnOf.set(app.key, band * perBand + index);
        y += height + ROW_GAP;
      }
      bandBottom = Math.max(bandBottom, y);
    });
    bandTop = bandBottom + BAND_GAP;
  }
  const width = graph.columns.length === 0 ? 2 * LEFT : 2 * LEFT + (Math.min(perBand, graph.columns.length) - 1) * pitch + nodeWidth;
  const height = Math.max(HEADER, bandTop - BAND_GAP + 8);
  return { width, height, headers, nodes, edges: routeEdges(graph, nodes, columnOf) };
}

interface Port {
  x: number;
  y: number;
}

/**
 * Each edge runs from its dependency to the app that needs it: out of the dependency's side, into the junction of
 * its bundle beside that column, along the bundle's trunk, out of the junction beside the target's column and into
 * the target. A bundle is the edges from one column to another in one direction; its trunk runs at the mean height
 * of its edges' ends, so that a bundle stays near the boxes it joins.
 */
function routeEdges(graph: WaveGraph, nodes: readonly NodeBox[], columnOf: ReadonlyMap<string, number>): EdgeRoute[] {
  const boxOf = new Map(nodes.map((node) => [node.app.key, node]));
  const planned = graph.edges.flatMap((edge) => {
    const dependent = boxOf.get(edge.from);
    const dependency = boxOf.get(edge.to);
    const fromColumn = columnOf.get(edge.to);
    const toColumn = columnOf.get(edge.from);
    if (!dependent || !dependency || fromColumn === undefined || toColumn === undefined) return [];
    const middle = (box: NodeBox): number => box.y + box.height / 2;
    const right = (box: NodeBox): number => box.x + box.width;
    // Forward (the usual order), backward (out of order: the dependency syncs later), or within one wave.
    const direction = fromColumn < toColumn ? 'forward' : fromColumn > toColumn ? 'backward' : 'same';
    const start: Port = direction === 'backward' ? { x: dependency.x, y: middle(dependency) } : { x: right(dependency), y: middle(dependency) };
    const end: Port = direction === 'forward' ? { x: dependent.x, y: middle(dependent) } : { x: right(dependent), y: middle(dependent) };
    const exitX = direction === 'backward' ? dependency.x - GAP / 2 : right(dependency) + GAP / 2;
    const entryX = direction === 'forward' ? dependent.x - GAP / 2 : right(dependent) + GAP / 2;
    const title = `${dependent.app.name} needs ${dependency.app.name} (${edge.capabilities.join(', ')})${edge.violation ? ': out of order' : ''}`;
    return [{ edge, bundle: `${fromColumn}>${toColumn}`, start, end, exitX, entryX, title }];
  });
  const trunkY = new Map<string, number>();
  for (const bundle of new Set(planned.map((plan) => plan.bundle))) {
    const ends = planned.filter((plan) => plan.bundle === bundle).flatMap((plan) => [plan.start.y, plan.end.y]);
    trunkY.set(bundle, Math.round((ends.reduce((sum, y) => sum + y, 0) / ends.length) * 10) / 10);
  }
  return planned.map(({ edge, bundle, start, end, exitX, entryX, title }) => {
    const y = trunkY.get(bundle) ?? start.y;
    const bend = (from: number, to: number): number => (from + to) / 2;
    const path = [
      `M${start.x} ${start.y}`,
      `C${bend(start.x, exitX)} ${start.y} ${bend(start.x, exitX)} ${y} ${exitX} ${y}`,
      `L${entryX} ${y}`,
      `C${bend(entryX, end.x)} ${y} ${bend(entryX, end.x)} ${end.y} ${end.x} ${end.y}`,
    ].join(' ');
    return { from: edge.from, to: edge.to, violation: edge.violation, title, bundle, path };
  });
}

/** Applications as boxes in one column per wave, dependency edges from the dependency to the app that needs it. */
export function waveSvg(graph: WaveGraph): string {
  const layout = waveLayout(graph);
  const headers = layout.headers.map((header) => `<text class="wave-label" x="${header.x}" y="${header.y}">wave ${header.wave}</text>`);
  const edgeOf = (edge: EdgeRoute): string =>
    `<path class="edge${edge.violation ? ' violation' : ''}" data-bundle="${edge.bundle}" d="${edge.path}" marker-end="url(#${edge.violation ? 'arrow-bad' : 'arrow'})"><title>${esc(edge.title)}</title></path>`;
  // Violations last, so they are drawn over the others.
  const edges = [...layout.edges.filter((edge) => !edge.violation), ...layout.edges.filter((edge) => edge.violation)].map(edgeOf);
  const nodes = layout.nodes.map(({ app, x, y, width, height, lines }) => {
    const spans = lines.map((line, index) => `<tspan x="${x + PAD_X}" ${index === 0 ? `y="${y + BASELINE}"` : `dy="${LINE_HEIGHT}"`}>${esc(line)}</tspan>`).join('');
    return `<g class="node${app.flagged ? ' flagged' : ''}" data-name="${esc(app.name)}"><title>${esc(`${app.name} (${app.repo}), wave ${app.wave}`)}</title><rect x="${x}" y="${y}" width="${width}" height="${height}" rx="4"/><text>${spans}</text></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="wave-graph" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="Applications by sync wave with their dependencies">
<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0 L8 4 L0 8 z" fill="#8a94a6"/></marker><marker id="arrow-bad" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0 L8 4 L0 8 z" fill="#c62828"/></marker></defs>
${headers.join('\n')}
${edges.join('\n')}
${nodes.join('\n')}
</svg>`;
}

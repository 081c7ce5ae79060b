/** The audit page's sync-wave section: the Applications by wave as an SVG graph, and the same as a table. */
import type { WaveApp, WaveGraph } from '../audit/waves.js';
import { esc, plural } from './text.js';

export function wavesSection(graph: WaveGraph): string {
  const apps = graph.columns.flatMap((column) => column.apps);
  const rows = apps.map((app) => {
    const deps = app.dependsOn.map((dep) => {
      const wave = dep.wave === undefined ? '' : ` (wave ${dep.wave})`;
      const title = ` title="${esc(`${dep.capabilities.join(', ')} — ${dep.repo}`)}"`;
      return dep.violation ? `<span class="dep violation"${title}>✗ ${esc(dep.name)}${wave}</span>` : `<span class="dep"${title}>${esc(dep.name)}${wave}</span>`;
    });
    const problems = app.problems.map((problem) => `<div class="problem sev-${problem.severity}${problem.suppressed ? ' suppressed' : ''}">${esc(problem.message)}</div>`);
    return `<tr class="${app.flagged ? 'flagged' : ''}" data-app="${esc(app.key)}"><td class="num">${app.wave}${app.waveValid ? '' : ' <span class="gap">(invalid)</span>'}</td><td>${esc(app.name)}</td><td class="repo">${esc(app.repo)}</td><td>${deps.join(', ') || '<span class="empty">—</span>'}</td><td>${problems.join('')}</td></tr>`;
  });
  return `<section id="waves">
<h2>Sync waves</h2>
<p>${plural(apps.length, 'Application')} in ${plural(graph.columns.length, 'wave')}, ${plural(graph.edges.length, 'dependency', 'dependencies')};
<strong class="${graph.violations > 0 ? 'gap' : ''}">${plural(graph.violations, 'dependency', 'dependencies')} out of order</strong> (the dependent app does not sync in a later wave than what it needs, shown in red).</p>
<div class="scroll graph">
${waveSvg(graph)}
</div>
<table class="waves">
<thead><tr><th>Wave</th><th>Application</th><th>Repository</th><th>Depends on</th><th>Problems</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</section>`;
}

const NODE_WIDTH = 172;
const NODE_HEIGHT = 22;
const COLUMN_WIDTH = 222;
const ROW_HEIGHT = 28;
const TOP = 30;
const LEFT = 12;
const NAME_CHARS = 24;

/** Applications as boxes in one column per wave, dependency edges from the dependency to the app that needs it. */
function waveSvg(graph: WaveGraph): string {
  const position = new Map<string, { x: number; y: number; app: WaveApp }>();
  graph.columns.forEach((column, columnIndex) => {
    column.apps.forEach((app, rowIndex) => position.set(app.key, { x: LEFT + columnIndex * COLUMN_WIDTH, y: TOP + rowIndex * ROW_HEIGHT, app }));
  });
  const tallest = Math.max(1, ...graph.columns.map((column) => column.apps.length));
  const width = LEFT * 2 + (graph.columns.length - 1) * COLUMN_WIDTH + NODE_WIDTH;
  const height = TOP + tallest * ROW_HEIGHT + 8;
  const headers = graph.columns.map((column, index) => `<text class="wave-label" x="${LEFT + index * COLUMN_WIDTH}" y="18">wave ${column.wave}</text>`);
  const edgeOf = (edge: WaveGraph['edges'][number]): string => {
    const dependent = position.get(edge.from);
    const dependency = position.get(edge.to);
    if (!dependent || !dependency) return '';
    const middle = NODE_HEIGHT / 2;
    let path: string;
    if (dependent.x > dependency.x) {
      // In order: from the dependency's right side to the dependent's left side.
      const [x1, y1, x2, y2] = [dependency.x + NODE_WIDTH, dependency.y + middle, dependent.x, dependent.y + middle];
      const bend = Math.max(30, (x2 - x1) / 2);
      path = `M${x1} ${y1} C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}`;
    } else if (dependent.x < dependency.x) {
      // Out of order, pointing back: from the dependency's left side to the dependent's right side.
      const [x1, y1, x2, y2] = [dependency.x, dependency.y + middle, dependent.x + NODE_WIDTH, dependent.y + middle];
      const bend = Math.max(30, (x1 - x2) / 2);
      path = `M${x1} ${y1} C${x1 - bend} ${y1} ${x2 + bend} ${y2} ${x2} ${y2}`;
    } else {
      // The same wave: an arc on the right of the column.
      const [x, y1, y2] = [dependency.x + NODE_WIDTH, dependency.y + middle, dependent.y + middle];
      const bulge = 24 + Math.min(30, Math.abs(y2 - y1) / 4);
      path = `M${x} ${y1} C${x + bulge} ${y1} ${x + bulge} ${y2} ${x} ${y2}`;
    }
    const title = `${dependent.app.name} needs ${dependency.app.name} (${edge.capabilities.join(', ')})${edge.violation ? ': out of order' : ''}`;
    return `<path class="edge${edge.violation ? ' violation' : ''}" d="${path}" marker-end="url(#${edge.violation ? 'arrow-bad' : 'arrow'})"><title>${esc(title)}</title></path>`;
  };
  // Violations last, so they are drawn over the others.
  const edges = [...graph.edges.filter((edge) => !edge.violation), ...graph.edges.filter((edge) => edge.violation)].map(edgeOf);
  const nodes = [...position.values()].map(({ x, y, app }) => {
    const name = app.name.length > NAME_CHARS ? `${app.name.slice(0, NAME_CHARS - 1)}…` : app.name;
    return `<g class="node${app.flagged ? ' flagged' : ''}"><title>${esc(`${app.name} (${app.repo}), wave ${app.wave}`)}</title><rect x="${x}" y="${y}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="4"/><text x="${x + 7}" y="${y + 15}">${esc(name)}</text></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="wave-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Applications by sync wave with their dependencies">
<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0 L8 4 L0 8 z" fill="#8a94a6"/></marker><marker id="arrow-bad" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0 L8 4 L0 8 z" fill="#c62828"/></marker></defs>
${headers.join('\n')}
${edges.join('\n')}
${nodes.join('\n')}
</svg>`;
}

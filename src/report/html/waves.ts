/** The audit page's sync-wave section: the Applications by wave as an SVG graph (html/wave-graph.ts), and the same as a table. */
import type { WaveGraph } from '../audit/waves.js';
import { esc, plural } from './text.js';
import { waveSvg } from './wave-graph.js';

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

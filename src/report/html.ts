/**
 * The audit report as one self-contained HTML page: inline CSS, an inline SVG, no script, no external asset (a
 * Content-Security-Policy says so to the browser too), so it can be kept as a CI artifact and opened anywhere.
 * Every piece of text from the fleet is escaped; messages are already redacted by the rules.
 */
import type { Finding, Severity } from '../model/findings.js';
import { auditSummary, type AuditSummary } from './audit-summary.js';
import { COVERAGE_LABELS, type Coverage } from './audit/coverage.js';
import type { Changes, PreviousFinding } from './audit/previous.js';
import type { Score } from './audit/score.js';
import type { WaveApp, WaveGraph } from './audit/waves.js';
import type { ReportInput } from './types.js';

/** The detailed list stops here; the JSON and SARIF reports carry every finding. */
export const HTML_MAX_FINDINGS = 5000;

export function renderHtml(input: ReportInput): string {
  const summary = auditSummary(input);
  const sections = [
    scoreSection(summary),
    summary.changes ? changesSection(summary.changes) : '',
    summary.coverage ? coverageSection(summary.coverage) : '',
    summary.waves ? wavesSection(summary.waves) : '',
    rulesSection(summary),
    reposSection(summary),
    findingsSection(summary),
  ].filter((section) => section !== '');
  const nav = [
    ['score', 'Score'],
    ...(summary.changes ? [['changes', 'Changes']] : []),
    ...(summary.coverage ? [['coverage', 'Required scans']] : []),
    ...(summary.waves ? [['waves', 'Sync waves']] : []),
    ['rules', 'By rule'],
    ['repos', 'By repository'],
    ['findings', 'Findings'],
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="fleetlint ${esc(summary.toolVersion)}">
<title>${esc(summary.title)}${summary.label !== undefined ? ` — ${esc(summary.label)}` : ''}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${esc(summary.title)}</h1>
${summary.label !== undefined ? `<p class="label">${esc(summary.label)}</p>\n` : ''}<p class="meta">fleetlint ${esc(summary.toolVersion)} · ${plural(summary.score.repos, 'repository', 'repositories')}</p>
<nav>${nav.map(([id = '', text = '']) => `<a href="#${id}">${text}</a>`).join(' ')}</nav>
</header>
<main>
${sections.join('\n')}
</main>
<footer>
<p><strong>Fleet score</strong> = 100 × repositories without an unsuppressed error ÷ repositories (audited, or named by a finding such as a failed clone; the fleet itself is not counted).
Suppressed findings (inline comments, waivers${summary.baselineAccepted > 0 ? ', the baseline' : ''}) are counted apart and never lower the score.</p>
</footer>
</body>
</html>
`;
}

// --- sections --------------------------------------------------------------------------------------------------

function scoreSection(summary: AuditSummary): string {
  const { score } = summary;
  const trend = summary.previousScore ? trendText(score, summary.previousScore) : '';
  const notes: string[] = [];
  if (summary.notAudited.length > 0) {
    notes.push(`${plural(summary.notAudited.length, 'repository', 'repositories')} could not be audited (crawl-error): ${summary.notAudited.map((repo) => `<code>${esc(repo)}</code>`).join(', ')}.`);
  }
  if (summary.skipped > 0) notes.push(`${plural(summary.skipped, 'project')} skipped on purpose (archived or empty), listed under the fleet's findings.`);
  if (summary.baselineAccepted > 0) notes.push(`${plural(summary.baselineAccepted, 'finding')} accepted by the baseline, shown as suppressed.`);
  return `<section id="score">
<h2>Score</h2>
<div class="cards">
<div class="card score ${scoreClass(score.value)}"><div class="big" id="fleet-score">${formatScore(score.value)}</div><div>fleet score</div><div class="small">${score.clean} of ${plural(score.repos, 'repository', 'repositories')} without errors</div>${trend}</div>
${severityCard('error', score.bySeverity.error)}
${severityCard('warning', score.bySeverity.warning)}
${severityCard('note', score.bySeverity.note)}
<div class="card suppressed"><div class="big">${score.suppressed}</div><div>suppressed</div></div>
</div>
${notes.map((note) => `<p class="note">${note}</p>`).join('\n')}
</section>`;
}

function severityCard(severity: Severity, count: number): string {
  return `<div class="card sev-${severity}" data-severity="${severity}"><div class="big">${count}</div><div>${severity === 'error' ? 'errors' : severity === 'warning' ? 'warnings' : 'notes'}</div></div>`;
}

function trendText(now: Score, before: Score): string {
  const delta = Math.round((now.value - before.value) * 10) / 10;
  const direction = delta > 0 ? 'up' : delta < 0 ? 'down' : 'same';
  const arrow = delta > 0 ? '▲' : delta < 0 ? '▼' : '=';
  return `<div class="trend ${direction}">${arrow} ${delta > 0 ? '+' : ''}${formatScore(delta)} since the previous run (${formatScore(before.value)})</div>`;
}

function changesSection(changes: Changes): string {
  const extra: string[] = [];
  if (changes.suppressed > 0) extra.push(`${plural(changes.suppressed, 'finding')} of the previous run ${changes.suppressed === 1 ? 'is' : 'are'} now suppressed.`);
  if (changes.unknown > 0) extra.push(`${plural(changes.unknown, 'finding')} of the previous run ${changes.unknown === 1 ? 'is' : 'are'} in repositories this run could not audit: neither fixed nor open.`);
  return `<section id="changes">
<h2>Since the previous run</h2>
<p><strong class="new-count">${changes.added.length} new</strong> · <strong class="fixed-count">${changes.fixed.length} fixed</strong></p>
${extra.map((line) => `<p class="note">${line}</p>`).join('\n')}
<h3>New</h3>
${changes.added.length === 0 ? '<p class="empty">Nothing new.</p>' : findingTable(changes.added, true, 'new-findings')}
<h3>Fixed</h3>
${changes.fixed.length === 0 ? '<p class="empty">Nothing fixed.</p>' : previousTable(changes.fixed)}
</section>`;
}

function coverageSection(coverage: Coverage): string {
  const head = `<tr><th>Repository</th>${coverage.categories.map((category) => `<th>${esc(category)}</th>`).join('')}</tr>`;
  const rows = coverage.rows.map((row) => {
    const cells = row.cells.map((cell, index) => {
      const category = coverage.categories[index] ?? '';
      const text = COVERAGE_LABELS[cell.state] + (cell.suppressed ? ' (suppressed)' : '');
      const title = cell.message !== undefined ? ` title="${esc(cell.message)}"` : '';
      return `<td class="cov ${cell.state}${cell.suppressed ? ' suppressed' : ''}" data-repo="${esc(row.repo)}" data-category="${esc(category)}" data-state="${cell.state}"${title}>${esc(text)}</td>`;
    });
    return `<tr data-repo="${esc(row.repo)}"><th scope="row">${esc(row.repo)}</th>${cells.join('')}</tr>`;
  });
  const totals = coverage.categories.map((_, index) => {
    const counts = coverage.totals[index];
    if (!counts) return '<td></td>';
    const gaps = counts.missing + counts['not-gating'] + counts['non-blocking'] + counts['no-pipeline'];
    return `<td class="total">${counts.ok} ok${gaps > 0 ? `, <span class="gap">${gaps} gaps</span>` : ''}</td>`;
  });
  return `<section id="coverage">
<h2>Required scans</h2>
<p>Each repository with a pipeline (or with deployable content and no pipeline) against the scan categories required-scans requires of its kinds:
<span class="cov ok">ok</span> the scan runs, gates merge requests and can fail;
<span class="cov missing">missing</span> no job runs it;
<span class="cov not-gating">not gating</span> it never runs for merge requests, or only manually;
<span class="cov non-blocking">non-blocking</span> it may fail without failing the pipeline;
<span class="cov no-pipeline">no pipeline</span> but deployable content;
<span class="cov not-required">not required</span> for this repository's kinds.</p>
${coverage.omitted > 0 ? `<p class="note">${plural(coverage.omitted, 'repository', 'repositories')} without a pipeline and without deployable content ${coverage.omitted === 1 ? 'is' : 'are'} not listed.</p>\n` : ''}<div class="scroll">
<table class="matrix">
<thead>${head}</thead>
<tbody>
${rows.join('\n')}
</tbody>
<tfoot><tr><th scope="row">${plural(coverage.rows.length, 'repository', 'repositories')}</th>${totals.join('')}</tr></tfoot>
</table>
</div>
</section>`;
}

function wavesSection(graph: WaveGraph): string {
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

function rulesSection(summary: AuditSummary): string {
  const rows = summary.byRule.map(
    (row) =>
      `<tr data-rule="${esc(row.ruleId)}"><td>${row.docsUrl !== undefined ? `<a href="${esc(row.docsUrl)}">${esc(row.ruleId)}</a>` : esc(row.ruleId)}</td><td>${esc(row.description)}</td>${countCells(row.counts)}<td class="num">${row.repos}</td></tr>`,
  );
  return `<section id="rules">
<h2>Findings by rule</h2>
${rows.length === 0 ? '<p class="empty">No findings.</p>' : `<table>
<thead><tr><th>Rule</th><th>Description</th><th class="num">Errors</th><th class="num">Warnings</th><th class="num">Notes</th><th class="num">Repositories</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`}
</section>`;
}

function reposSection(summary: AuditSummary): string {
  const rows = summary.byRepo.map(
    (row) =>
      `<tr class="status-${row.status}" data-repo="${esc(row.repo)}"><td class="repo">${row.total > 0 ? `<a href="#${anchor(row.repo)}">${esc(row.label)}</a>` : esc(row.label)}</td><td>${esc((row.kinds ?? []).join(', '))}</td>${countCells(row.counts)}<td class="status">${row.status === 'clean' ? '✓ clean' : row.status}</td></tr>`,
  );
  return `<section id="repos">
<h2>Findings by repository</h2>
<div class="scroll">
<table>
<thead><tr><th>Repository</th><th>Kinds</th><th class="num">Errors</th><th class="num">Warnings</th><th class="num">Notes</th><th>Status</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</div>
</section>`;
}

function findingsSection(summary: AuditSummary): string {
  let budget = HTML_MAX_FINDINGS;
  const total = summary.findingsByRepo.reduce((sum, group) => sum + group.findings.length, 0);
  const blocks: string[] = [];
  for (const group of summary.findingsByRepo) {
    if (budget <= 0) break;
    const shown = group.findings.slice(0, budget);
    budget -= shown.length;
    const counts = { error: 0, warning: 0, note: 0 };
    for (const finding of group.findings) counts[finding.severity] += 1;
    const label = [counts.error > 0 ? plural(counts.error, 'error') : '', counts.warning > 0 ? plural(counts.warning, 'warning') : '', counts.note > 0 ? plural(counts.note, 'note') : '']
      .filter((part) => part !== '')
      .join(', ');
    blocks.push(`<details id="${anchor(group.repo)}" data-repo="${esc(group.repo)}"${counts.error > 0 ? ' open' : ''}>
<summary><span class="repo">${esc(group.label)}</span> — ${label}</summary>
${findingTable(shown, false)}
</details>`);
  }
  const cut = total > HTML_MAX_FINDINGS ? `<p class="note">The first ${HTML_MAX_FINDINGS} of ${total} findings are listed; the JSON and SARIF reports have them all.</p>\n` : '';
  return `<section id="findings">
<h2>Findings</h2>
${total === 0 ? '<p class="empty">No unsuppressed findings.</p>' : cut + blocks.join('\n')}
</section>`;
}

// --- pieces ----------------------------------------------------------------------------------------------------

function findingTable(findings: readonly Finding[], withRepo: boolean, id?: string): string {
  const rows = findings.map((finding) => {
    const location = finding.file === undefined ? '' : finding.range ? `${finding.file}:${finding.range.startLine}:${finding.range.startColumn}` : finding.file;
    return `<tr class="sev-${finding.severity}" data-fingerprint="${esc(finding.fingerprint)}"><td><span class="pill sev-${finding.severity}">${finding.severity}</span></td>${withRepo ? `<td class="repo">${esc(finding.repo === '.' ? '(fleet)' : finding.repo)}</td>` : ''}<td class="loc">${esc(location)}</td><td>${esc(finding.message)}</td><td class="rule">${esc(finding.ruleId)}</td></tr>`;
  });
  return `<table class="findings"${id !== undefined ? ` id="${id}"` : ''}>
<thead><tr><th>Severity</th>${withRepo ? '<th>Repository</th>' : ''}<th>Location</th><th>Message</th><th>Rule</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function previousTable(findings: readonly PreviousFinding[]): string {
  const rows = findings.map((finding) => {
    const location = finding.file === undefined ? '' : finding.line !== undefined ? `${finding.file}:${finding.line}` : finding.file;
    return `<tr class="fixed" data-fingerprint="${esc(finding.fingerprint)}"><td><span class="pill sev-${finding.severity}">${finding.severity}</span></td><td class="repo">${esc(finding.repo === '.' ? '(fleet)' : finding.repo)}</td><td class="loc">${esc(location)}</td><td>${esc(finding.message)}</td><td class="rule">${esc(finding.ruleId)}</td></tr>`;
  });
  return `<table class="findings" id="fixed-findings">
<thead><tr><th>Severity</th><th>Repository</th><th>Location</th><th>Message</th><th>Rule</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function countCells(counts: Record<Severity, number>): string {
  return (['error', 'warning', 'note'] as const).map((severity) => `<td class="num${counts[severity] > 0 ? ` has-${severity}` : ''}">${counts[severity]}</td>`).join('');
}

function scoreClass(value: number): string {
  return value >= 90 ? 'good' : value >= 60 ? 'fair' : 'poor';
}

export function formatScore(value: number): string {
  return value.toFixed(1);
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** An id for a repo's findings block: its characters are kept where HTML ids allow, the rest escaped. */
function anchor(repo: string): string {
  return `repo-${repo === '.' ? '_fleet' : repo.replace(/[^A-Za-z0-9_-]/g, (char) => (char === '/' ? '__' : `-${char.charCodeAt(0).toString(16)}-`))}`;
}

/** HTML text and attribute escaping; control characters become visible escapes, as in the text report. */
export function esc(text: string): string {
  return text
    .replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, (char) => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const STYLE = `
:root{--fg:#1f2430;--muted:#5f6b7a;--line:#dfe3ea;--bg:#fff;--panel:#f6f8fb;--err:#c62828;--err-bg:#fdecea;--warn:#b26a00;--warn-bg:#fff4e0;--note:#1565c0;--note-bg:#e8f0fe;--ok:#2e7d32;--ok-bg:#e8f5e9}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 28px 12px;border-bottom:1px solid var(--line);background:var(--panel)}
h1{margin:0 0 4px;font-size:24px}
h2{margin:28px 0 10px;font-size:19px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{margin:18px 0 6px;font-size:15px}
.label{margin:0;font-weight:600}
.meta{margin:2px 0 8px;color:var(--muted)}
nav a{margin-right:14px;color:var(--note);text-decoration:none}
main{padding:0 28px 24px}
footer{padding:12px 28px 28px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{min-width:130px;padding:12px 16px;border:1px solid var(--line);border-radius:8px;background:var(--panel)}
.card .big{font-size:30px;font-weight:700;line-height:1.1}
.card .small{color:var(--muted);font-size:12px}
.card.score{min-width:220px}
.card.score.good .big{color:var(--ok)}.card.score.fair .big{color:var(--warn)}.card.score.poor .big{color:var(--err)}
.card.sev-error .big{color:var(--err)}.card.sev-warning .big{color:var(--warn)}.card.sev-note .big{color:var(--note)}.card.suppressed .big{color:var(--muted)}
.trend{font-size:12px;margin-top:4px}.trend.up{color:var(--ok)}.trend.down{color:var(--err)}.trend.same{color:var(--muted)}
.note{color:var(--muted)}
.empty{color:var(--muted)}
.gap{color:var(--err);font-weight:600}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:6px 0 12px;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:var(--panel);position:sticky;top:0}
tbody tr:nth-child(even){background:#fafbfc}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.has-error{color:var(--err);font-weight:600}td.has-warning{color:var(--warn);font-weight:600}td.has-note{color:var(--note)}
td.repo,.repo,td.loc,td.rule{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
td.loc,table.findings td.repo,td.rule{white-space:nowrap}
tr.status-error td.status{color:var(--err);font-weight:600}tr.status-warning td.status{color:var(--warn)}tr.status-clean td.status{color:var(--ok)}
.pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:11px;font-weight:600}
.pill.sev-error{background:var(--err-bg);color:var(--err)}.pill.sev-warning{background:var(--warn-bg);color:var(--warn)}.pill.sev-note{background:var(--note-bg);color:var(--note)}
table.matrix{width:auto}
table.matrix th[scope=row]{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-weight:400;white-space:nowrap}
.cov{text-align:center;white-space:nowrap;font-size:12px;padding:2px 8px;border-radius:3px}
span.cov{display:inline-block;margin:1px 0}
.cov.ok{background:var(--ok-bg);color:var(--ok)}
.cov.missing,.cov.no-pipeline{background:var(--err-bg);color:var(--err);font-weight:600}
.cov.not-gating{background:#ffe0cc;color:#a33d00;font-weight:600}
.cov.non-blocking{background:var(--warn-bg);color:var(--warn)}
.cov.not-required,.cov.unchecked{background:#f3f4f6;color:#8a94a6}
.cov.suppressed{opacity:.6;font-style:italic}
td.total{font-size:12px;text-align:center}
.graph{border:1px solid var(--line);border-radius:6px;background:#fcfcfd;margin:8px 0}
svg.wave-graph{display:block;font:11px system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif}
svg .wave-label{font-weight:700;fill:var(--muted)}
svg .edge{fill:none;stroke:#8a94a6;stroke-opacity:.3;stroke-width:1}
svg .edge.violation{stroke:var(--err);stroke-opacity:.95;stroke-width:2.2}
svg .node rect{fill:#eef2f7;stroke:#9aa5b5}
svg .node.flagged rect{fill:var(--err-bg);stroke:var(--err);stroke-width:1.5}
svg .node text{fill:var(--fg)}
table.waves tr.flagged td{background:#fff7f6}
.dep{white-space:nowrap}.dep.violation{color:var(--err);font-weight:600}
.problem{font-size:12px}.problem.sev-error{color:var(--err)}.problem.sev-warning{color:var(--warn)}.problem.suppressed{color:var(--muted);font-style:italic}
details{border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:4px 10px}
details summary{cursor:pointer;padding:2px 0}
details table{margin-top:6px}
@media print{nav{display:none}details{border:none}thead th{position:static}}
`;

/** The audit page's summary sections: score, changes since the previous run, required-scan coverage, rules, repos. */
import type { Severity } from '../../model/findings.js';
import type { AuditSummary } from '../audit-summary.js';
import { COVERAGE_LABELS, type Coverage } from '../audit/coverage.js';
import type { Changes } from '../audit/previous.js';
import type { Score } from '../audit/score.js';
import { findingTable, previousTable } from './findings.js';
import { anchor, esc, formatScore, plural } from './text.js';

export function scoreSection(summary: AuditSummary): string {
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

export function changesSection(changes: Changes, links: ReadonlyMap<string, string>): string {
  const extra: string[] = [];
  if (changes.suppressed > 0) extra.push(`${plural(changes.suppressed, 'finding')} of the previous run ${changes.suppressed === 1 ? 'is' : 'are'} now suppressed.`);
  if (changes.unknown > 0) extra.push(`${plural(changes.unknown, 'finding')} of the previous run ${changes.unknown === 1 ? 'is' : 'are'} in repositories this run could not audit: neither fixed nor open.`);
  return `<section id="changes">
<h2>Since the previous run</h2>
<p><strong class="new-count">${changes.added.length} new</strong> · <strong class="fixed-count">${changes.fixed.length} fixed</strong></p>
${extra.map((line) => `<p class="note">${line}</p>`).join('\n')}
<h3>New</h3>
${changes.added.length === 0 ? '<p class="empty">Nothing new.</p>' : findingTable(changes.added, true, links, 'new-findings')}
<h3>Fixed</h3>
${changes.fixed.length === 0 ? '<p class="empty">Nothing fixed.</p>' : previousTable(changes.fixed)}
</section>`;
}

export function coverageSection(coverage: Coverage): string {
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

export function rulesSection(summary: AuditSummary): string {
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

export function reposSection(summary: AuditSummary): string {
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

function countCells(counts: Record<Severity, number>): string {
  return (['error', 'warning', 'note'] as const).map((severity) => `<td class="num${counts[severity] > 0 ? ` has-${severity}` : ''}">${counts[severity]}</td>`).join('');
}

function scoreClass(value: number): string {
  return value >= 90 ? 'good' : value >= 60 ? 'fair' : 'poor';
}

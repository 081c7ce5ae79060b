/**
 * The audit report as GitLab-flavoured Markdown, for a wiki page or an issue: the same content as the HTML page
 * (audit-summary.ts), in tables. Text from the fleet is escaped so that it can neither format the page nor
 * become a GitLab reference (`@user`, `#12`, `!3`, `~label`, `%milestone`, `$snippet`, `&epic`) that notifies
 * people or links elsewhere when the report is posted as an issue.
 */
import type { Finding, Severity } from '../model/findings.js';
import { auditSummary, type AuditSummary } from './audit-summary.js';
import { COVERAGE_LABELS, type Coverage, type CoverageCell } from './audit/coverage.js';
import type { Changes, PreviousFinding } from './audit/previous.js';
import { findingPlace, relatedPlaces, type Place, type PlaceLinks } from './audit/places.js';
import type { WaveGraph } from './audit/waves.js';
import { formatScore } from './html/text.js';
import type { ReportInput } from './types.js';

/** Issues and wiki pages have size limits (GitLab: 1,000,000 characters for an issue description). */
export const MARKDOWN_MAX_FINDINGS = 1000;
export const MARKDOWN_MAX_ROWS = 500;

export function renderMarkdown(input: ReportInput): string {
  const summary = auditSummary(input);
  const parts = [
    header(summary),
    scoreSection(summary),
    summary.changes ? changesSection(summary.changes, summary) : '',
    summary.coverage ? coverageSection(summary.coverage) : '',
    summary.waves ? wavesSection(summary.waves) : '',
    rulesSection(summary),
    reposSection(summary),
    findingsSection(summary),
    `---\n\n_Fleet score = 100 × repositories without an unsuppressed error ÷ repositories (audited, or named by a finding such as a failed clone). Suppressed findings never lower it. Written by fleetlint ${text(summary.toolVersion)}._`,
  ];
  return `${parts.filter((part) => part !== '').join('\n\n')}\n`;
}

function header(summary: AuditSummary): string {
  return [`# ${text(summary.title)}`, ...(summary.label !== undefined ? ['', `**${text(summary.label)}**`] : [])].join('\n');
}

function scoreSection(summary: AuditSummary): string {
  const { score } = summary;
  let trend = '';
  if (summary.previousScore) {
    const delta = Math.round((score.value - summary.previousScore.value) * 10) / 10;
    trend = ` ${delta > 0 ? '▲ +' : delta < 0 ? '▼ ' : '= '}${formatScore(delta)} since the previous run (${formatScore(summary.previousScore.value)})`;
  }
  const lines = [
    '## Score',
    '',
    '| Fleet score | Errors | Warnings | Notes | Suppressed |',
    '|:--|--:|--:|--:|--:|',
    `| **${formatScore(score.value)}** — ${score.clean} of ${plural(score.repos, 'repository', 'repositories')} without errors${trend} | ${score.bySeverity.error} | ${score.bySeverity.warning} | ${score.bySeverity.note} | ${score.suppressed} |`,
  ];
  if (summary.notAudited.length > 0) lines.push('', `${plural(summary.notAudited.length, 'repository', 'repositories')} could not be audited (crawl-error): ${summary.notAudited.map(code).join(', ')}.`);
  if (summary.skipped > 0) lines.push('', `${plural(summary.skipped, 'project')} skipped on purpose (archived or empty), listed under the fleet's findings.`);
  if (summary.baselineAccepted > 0) lines.push('', `${plural(summary.baselineAccepted, 'finding')} accepted by the baseline, counted as suppressed.`);
  return lines.join('\n');
}

function changesSection(changes: Changes, links: PlaceLinks): string {
  const lines = ['## Since the previous run', '', `**${changes.added.length} new** · **${changes.fixed.length} fixed**${changes.unknown > 0 ? ` · **${changes.unknown} could not be checked**` : ''}`];
  if (changes.suppressed > 0) lines.push('', `${plural(changes.suppressed, 'finding')} of the previous run now suppressed.`);
  if (changes.unknown > 0) lines.push('', `${plural(changes.unknown, 'finding')} of the previous run in repositories or checks this run could not check: neither fixed nor open.`);
  lines.push('', '### New', '', changes.added.length === 0 ? '_Nothing new._' : findingTable(changes.added.slice(0, MARKDOWN_MAX_ROWS), true, links));
  if (changes.added.length > MARKDOWN_MAX_ROWS) lines.push('', `_…and ${changes.added.length - MARKDOWN_MAX_ROWS} more._`);
  lines.push('', '### Fixed', '', changes.fixed.length === 0 ? '_Nothing fixed._' : previousTable(changes.fixed.slice(0, MARKDOWN_MAX_ROWS)));
  if (changes.fixed.length > MARKDOWN_MAX_ROWS) lines.push('', `_…and ${changes.fixed.length - MARKDOWN_MAX_ROWS} more._`);
  return lines.join('\n');
}

const CELL_ICONS: Readonly<Record<CoverageCell['state'], string>> = {
  ok: '✅',
  missing: '❌',
  'not-gating': '🚫',
  'non-blocking': '⚠️',
  'no-pipeline': '❌',
  'not-required': '',
  unchecked: '❔',
};

function cellText(cell: CoverageCell): string {
  if (cell.state === 'not-required') return '—';
  return `${CELL_ICONS[cell.state]} ${COVERAGE_LABELS[cell.state]}${cell.suppressed ? ' _(suppressed)_' : ''}`;
}

function coverageSection(coverage: Coverage): string {
  // Only rows with a gap: the fully covered ones are counted (a wiki page of 10,000 green rows helps no one).
  const gaps = coverage.rows.filter((row) => row.cells.some((cell) => cell.state !== 'ok' && cell.state !== 'not-required'));
  const shown = gaps.slice(0, MARKDOWN_MAX_ROWS);
  const lines = [
    '## Required scans',
    '',
    'Scan categories required-scans requires of each repository\'s kinds: ✅ ok · ❌ missing (no job runs it) · 🚫 not gating (never runs for merge requests, or only manually) · ⚠️ non-blocking (may fail without failing the pipeline) · ❌ no pipeline · — not required.',
    '',
    `${plural(coverage.rows.length, 'repository', 'repositories')} with a pipeline or deployable content; ${plural(coverage.rows.length - gaps.length, 'repository', 'repositories')} fully covered ${coverage.rows.length - gaps.length === 1 ? 'is' : 'are'} not listed.`,
    '',
    `| Repository | ${coverage.categories.map(text).join(' | ')} |`,
    `|:--|${coverage.categories.map(() => ':-:').join('|')}|`,
    ...shown.map((row) => `| ${code(row.repo)} | ${row.cells.map(cellText).join(' | ')} |`),
    `| **Totals** | ${coverage.totals
      .map((counts) => {
        const gapCount = counts.missing + counts['not-gating'] + counts['non-blocking'] + counts['no-pipeline'];
        return `${counts.ok} ok${gapCount > 0 ? `, **${gapCount} gaps**` : ''}`;
      })
      .join(' | ')} |`,
  ];
  if (gaps.length > shown.length) lines.push('', `_…and ${gaps.length - shown.length} more repositories with gaps._`);
  return lines.join('\n');
}

function wavesSection(graph: WaveGraph): string {
  const apps = graph.columns.flatMap((column) => column.apps);
  const lines = [
    '## Sync waves',
    '',
    `${plural(apps.length, 'Application')} in ${plural(graph.columns.length, 'wave')}, ${plural(graph.edges.length, 'dependency', 'dependencies')}; **${plural(graph.violations, 'dependency', 'dependencies')} out of order** (marked ❌: the app does not sync in a later wave than what it needs).`,
    '',
    '| Wave | Applications |',
    '|--:|:--|',
    ...graph.columns.map((column) => `| ${column.wave} | ${column.apps.map((app) => (app.flagged ? `**${text(app.name)}** ❌` : text(app.name))).join(', ')} |`),
    '',
    '| Wave | Application | Repository | Depends on | Problems |',
    '|--:|:--|:--|:--|:--|',
    ...apps
      .filter((app) => app.dependsOn.length > 0 || app.problems.length > 0)
      .map((app) => {
        const deps = app.dependsOn.map((dep) => `${dep.violation ? '❌ **' : ''}${text(dep.name)}${dep.wave === undefined ? '' : ` (wave ${dep.wave})`}${dep.violation ? '**' : ''}`).join(', ');
        const problems = app.problems.map((problem) => `${problem.suppressed ? '_(suppressed)_ ' : ''}${text(problem.message)}`).join('<br>');
        return `| ${app.wave}${app.waveValid ? '' : ' (invalid)'} | ${text(app.name)} | ${code(app.repo)} | ${deps || '—'} | ${problems} |`;
      }),
  ];
  return lines.join('\n');
}

function rulesSection(summary: AuditSummary): string {
  if (summary.byRule.length === 0) return '## Findings by rule\n\n_No findings._';
  return [
    '## Findings by rule',
    '',
    '| Rule | Description | Errors | Warnings | Notes | Repositories |',
    '|:--|:--|--:|--:|--:|--:|',
    ...summary.byRule.map((row) => `| ${row.docsUrl !== undefined ? `[${text(row.ruleId)}](${row.docsUrl})` : text(row.ruleId)} | ${text(row.description)} | ${counts(row.counts)} | ${row.repos} |`),
  ].join('\n');
}

function reposSection(summary: AuditSummary): string {
  const withFindings = summary.byRepo.filter((row) => row.total > 0);
  const shown = withFindings.slice(0, MARKDOWN_MAX_ROWS);
  const clean = summary.byRepo.filter((row) => row.status === 'clean' && row.repo !== '.').length;
  const lines = [
    '## Findings by repository',
    '',
    `${plural(clean, 'repository', 'repositories')} without findings ${clean === 1 ? 'is' : 'are'} not listed.`,
    '',
    '| Repository | Errors | Warnings | Notes |',
    '|:--|--:|--:|--:|',
    ...shown.map((row) => `| ${row.repo === '.' ? '(fleet)' : code(row.repo)} | ${counts(row.counts)} |`),
  ];
  if (withFindings.length > shown.length) lines.push('', `_…and ${withFindings.length - shown.length} more repositories._`);
  return lines.join('\n');
}

function findingsSection(summary: AuditSummary): string {
  const total = summary.findingsByRepo.reduce((sum, group) => sum + group.findings.length, 0);
  if (total === 0) return '## Findings\n\n_No unsuppressed findings._';
  const lines = ['## Findings'];
  if (total > MARKDOWN_MAX_FINDINGS) lines.push('', `_The first ${MARKDOWN_MAX_FINDINGS} of ${total} findings are listed; the JSON and SARIF reports have them all._`);
  let budget = MARKDOWN_MAX_FINDINGS;
  for (const group of summary.findingsByRepo) {
    if (budget <= 0) break;
    const shown = group.findings.slice(0, budget);
    budget -= shown.length;
    const tally = { error: 0, warning: 0, note: 0 };
    for (const finding of group.findings) tally[finding.severity] += 1;
    const label = (['error', 'warning', 'note'] as const)
      .filter((severity) => tally[severity] > 0)
      .map((severity) => plural(tally[severity], severity))
      .join(', ');
    // GitLab renders Markdown inside <details> when blank lines surround it.
    lines.push('', `<details><summary>${group.repo === '.' ? '(fleet)' : htmlText(group.repo)} — ${label}</summary>`, '', findingTable(shown, false, summary), '', '</details>');
  }
  return lines.join('\n');
}

/** A place as inline code, linked to its line in GitLab when there is a link. */
function placeMarkdown(place: Place): string {
  // Parentheses and spaces would end the link's destination early.
  return place.url === undefined ? code(place.text) : `[${code(place.text)}](${place.url.replace(/[()\s<>|]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)})`;
}

function findingTable(findings: readonly Finding[], withRepo: boolean, links: PlaceLinks): string {
  return [
    `| Severity |${withRepo ? ' Repository |' : ''} Location | Message | Rule |`,
    `|:--|${withRepo ? ':--|' : ''}:--|:--|:--|`,
    ...findings.map((finding) => {
      const place = findingPlace(links, finding);
      const repo = withRepo ? ` ${finding.repo === '.' ? '(fleet)' : code(finding.repo)} |` : '';
      const related = relatedPlaces(links, finding).map((where) => `<br>${where.template ? 'from template' : 'see'} ${placeMarkdown(where)}`);
      return `| ${severity(finding.severity)} |${repo} ${place ? placeMarkdown(place) : ''} | ${text(finding.message)}${related.join('')} | ${code(finding.ruleId)} |`;
    }),
  ].join('\n');
}

function previousTable(findings: readonly PreviousFinding[]): string {
  return [
    '| Severity | Repository | Location | Message | Rule |',
    '|:--|:--|:--|:--|:--|',
    ...findings.map((finding) => {
      const location = finding.file === undefined ? '' : finding.line !== undefined ? `${finding.file}:${finding.line}` : finding.file;
      return `| ${severity(finding.severity)} | ${finding.repo === '.' ? '(fleet)' : code(finding.repo)} | ${location === '' ? '' : code(location)} | ${text(finding.message)} | ${code(finding.ruleId)} |`;
    }),
  ].join('\n');
}

function severity(value: Severity): string {
  return value === 'error' ? '🔴 error' : value === 'warning' ? '🟠 warning' : '🔵 note';
}

function counts(value: Record<Severity, number>): string {
  return `${value.error} | ${value.warning} | ${value.note}`;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

const WORD_JOINER = '\u2060';
const REFERENCE_SIGILS = '@#!%$~^';

/**
 * Untrusted text for a Markdown paragraph or table cell: HTML-escaped, Markdown punctuation backslash-escaped,
 * line breaks and control characters made harmless, and GitLab reference sigils split from what follows.
 */
export function text(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, (char) => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)
    .replace(/\r\n|\r|\n|\t/g, ' ')
    .replace(/[\\`*_[\]|~<>&#!@%$^]/g, (char) => {
      if (char === '<') return '&lt;';
      if (char === '>') return '&gt;';
      if (char === '&') return `&amp;${WORD_JOINER}`;
      return REFERENCE_SIGILS.includes(char) ? `\\${char}${WORD_JOINER}` : `\\${char}`;
    });
}

/** Untrusted text as an inline code span: nothing inside is Markdown or a reference; pipes escaped for tables. */
export function code(value: string): string {
  const clean = value.replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ');
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') || clean.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${clean.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** Untrusted text inside raw HTML (the <summary> of a <details> block). */
function htmlText(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`).replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ');
}

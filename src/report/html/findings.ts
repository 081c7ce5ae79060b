/** The audit page's finding tables: this run's findings by repository, and the new and fixed ones. */
import type { Finding } from '../../model/findings.js';
import type { AuditSummary } from '../audit-summary.js';
import type { PreviousFinding } from '../audit/previous.js';
import { findingPlace, relatedPlaces, type Place, type PlaceLinks } from '../audit/places.js';
import { anchor, esc, plural } from './text.js';

/** The detailed list stops here; the JSON and SARIF reports carry every finding. */
export const HTML_MAX_FINDINGS = 5000;

export function findingsSection(summary: AuditSummary): string {
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
${findingTable(shown, false, findingLinks(summary))}
</details>`);
  }
  const cut = total > HTML_MAX_FINDINGS ? `<p class="note">The first ${HTML_MAX_FINDINGS} of ${total} findings are listed; the JSON and SARIF reports have them all.</p>\n` : '';
  return `<section id="findings">
<h2>Findings</h2>
${total === 0 ? '<p class="empty">No unsuppressed findings.</p>' : cut + blocks.join('\n')}
</section>`;
}

/** What a finding row links to: its rule's docs, its file and line in GitLab, and the CI templates of its repo. */
export interface FindingLinks extends PlaceLinks {
  /** Each rule's docs page (the rules with findings have their docs URL in byRule). */
  rules: ReadonlyMap<string, string>;
}

export function findingLinks(summary: AuditSummary): FindingLinks {
  return {
    rules: new Map(summary.byRule.flatMap((row) => (row.docsUrl === undefined ? [] : [[row.ruleId, row.docsUrl] as const]))),
    web: summary.web,
    ciTemplates: summary.ciTemplates,
  };
}

function ruleCell(ruleId: string, links: FindingLinks): string {
  const url = links.rules.get(ruleId);
  return `<td class="rule">${url === undefined ? esc(ruleId) : `<a href="${esc(url)}">${esc(ruleId)}</a>`}</td>`;
}

function placeHtml(place: Place): string {
  return place.url === undefined ? esc(place.text) : `<a href="${esc(place.url)}">${esc(place.text)}</a>`;
}

/** The other places a finding names, under its message; a CI template's line is where the fix goes. */
function relatedLines(finding: Finding, links: FindingLinks): string {
  return relatedPlaces(links, finding)
    .map((place) => `<div class="${place.template ? 'origin' : 'related'}">${place.template ? 'from template' : 'see'} ${placeHtml(place)}</div>`)
    .join('');
}

export function findingTable(findings: readonly Finding[], withRepo: boolean, links: FindingLinks, id?: string): string {
  const rows = findings.map((finding) => {
    const place = findingPlace(links, finding);
    return `<tr class="sev-${finding.severity}" data-fingerprint="${esc(finding.fingerprint)}"><td><span class="pill sev-${finding.severity}">${finding.severity}</span></td>${withRepo ? `<td class="repo">${esc(finding.repo === '.' ? '(fleet)' : finding.repo)}</td>` : ''}<td class="loc">${place ? placeHtml(place) : ''}</td><td>${esc(finding.message)}${relatedLines(finding, links)}</td>${ruleCell(finding.ruleId, links)}</tr>`;
  });
  return `<table class="findings"${id !== undefined ? ` id="${id}"` : ''}>
<thead><tr><th>Severity</th>${withRepo ? '<th>Repository</th>' : ''}<th>Location</th><th>Message</th><th>Rule</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

export function previousTable(findings: readonly PreviousFinding[]): string {
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

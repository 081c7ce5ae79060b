/** The audit page's finding tables: this run's findings by repository, and the new and fixed ones. */
import type { Finding } from '../../model/findings.js';
import type { AuditSummary } from '../audit-summary.js';
import type { PreviousFinding } from '../audit/previous.js';
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
${findingTable(shown, false, ruleLinks(summary))}
</details>`);
  }
  const cut = total > HTML_MAX_FINDINGS ? `<p class="note">The first ${HTML_MAX_FINDINGS} of ${total} findings are listed; the JSON and SARIF reports have them all.</p>\n` : '';
  return `<section id="findings">
<h2>Findings</h2>
${total === 0 ? '<p class="empty">No unsuppressed findings.</p>' : cut + blocks.join('\n')}
</section>`;
}

/** Each rule's docs page, for the rule cell of a finding (the rules with findings have their docs URL in byRule). */
export function ruleLinks(summary: AuditSummary): ReadonlyMap<string, string> {
  return new Map(summary.byRule.flatMap((row) => (row.docsUrl === undefined ? [] : [[row.ruleId, row.docsUrl] as const])));
}

function ruleCell(ruleId: string, links: ReadonlyMap<string, string>): string {
  const url = links.get(ruleId);
  return `<td class="rule">${url === undefined ? esc(ruleId) : `<a href="${esc(url)}">${esc(ruleId)}</a>`}</td>`;
}

export function findingTable(findings: readonly Finding[], withRepo: boolean, links: ReadonlyMap<string, string>, id?: string): string {
  const rows = findings.map((finding) => {
    const location = finding.file === undefined ? '' : finding.range ? `${finding.file}:${finding.range.startLine}:${finding.range.startColumn}` : finding.file;
    return `<tr class="sev-${finding.severity}" data-fingerprint="${esc(finding.fingerprint)}"><td><span class="pill sev-${finding.severity}">${finding.severity}</span></td>${withRepo ? `<td class="repo">${esc(finding.repo === '.' ? '(fleet)' : finding.repo)}</td>` : ''}<td class="loc">${esc(location)}</td><td>${esc(finding.message)}</td>${ruleCell(finding.ruleId, links)}</tr>`;
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

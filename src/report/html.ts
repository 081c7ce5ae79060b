/**
 * The audit report as one self-contained HTML page: inline CSS, an inline SVG, no script, no external asset (a
 * Content-Security-Policy says so to the browser too), so it can be kept as a CI artifact and opened anywhere.
 * Every piece of text from the fleet is escaped; messages are already redacted by the rules. The page template is
 * here; its sections (html/sections.ts, html/findings.ts), the wave graph's SVG layout (html/waves.ts), the
 * stylesheet (html/style.ts) and text escaping (html/text.ts) have modules of their own.
 */
import { auditSummary } from './audit-summary.js';
import { findingsSection, ruleLinks } from './html/findings.js';
import { changesSection, coverageSection, reposSection, rulesSection, scoreSection } from './html/sections.js';
import { STYLE } from './html/style.js';
import { esc, plural } from './html/text.js';
import { wavesSection } from './html/waves.js';
import type { ReportInput } from './types.js';

export function renderHtml(input: ReportInput): string {
  const summary = auditSummary(input);
  const sections = [
    scoreSection(summary),
    summary.changes ? changesSection(summary.changes, ruleLinks(summary)) : '',
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

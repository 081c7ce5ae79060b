/**
 * Human-readable output: findings grouped by repository, one line each (`file:line:col  severity  message
 * rule-id`, locations and severities aligned, messages not padded), then the checks left out for want of fleet
 * facts on one line, the docs of the rules that found something, and a summary. Suppressed findings are counted,
 * not shown. Colour is the caller's decision (--color, TTY, NO_COLOR), passed in, so the output never depends on
 * the terminal.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Finding, Severity } from '../model/findings.js';
import { activeFindings, countBySeverity, docsUrl, groupBy, repoLabel, reportRepos, reportRules } from './common.js';
import type { ReportInput } from './types.js';

export interface TextOptions {
  /** ANSI colours; default false. */
  color?: boolean;
}

interface Row {
  location: string;
  severity: Severity;
  message: string;
  ruleId: string;
  related: string[];
}

export function renderText(input: ReportInput, options: TextOptions = {}): string {
  const paint = new Chalk({ level: options.color === true ? 1 : 0 });
  const active = activeFindings(input.result.findings);
  const skipNotes = active.filter(isSkipNote);
  const shown = groupBy(active.filter((finding) => !isSkipNote(finding)), (finding) => finding.repo);
  const blocks = reportRepos(input)
    .filter((repo) => shown.has(repo))
    .map((repo) => renderRepo(repo, shown.get(repo) ?? [], paint));
  const notes = [...notCheckedLine(skipNotes, paint), ...ruleDocs(input, [...shown.values()].flat(), paint)];
  return [...blocks, ...(notes.length > 0 ? [notes.join('\n')] : []), summary(input, paint)].join('\n\n') + '\n';
}

/** A note that a check was left out for want of fleet facts (`run/cross-repo.ts`), not a problem found. */
function isSkipNote(finding: Finding): boolean {
  return finding.data?.kind === 'skipped';
}

/** The skip notes (one per check left out) as one line. */
function notCheckedLine(notes: readonly Finding[], paint: ChalkInstance): string[] {
  if (notes.length === 0) return [];
  const rules = [...new Set(notes.map((finding) => finding.ruleId))].sort();
  return [paint.dim(`Not checked without fleet facts: ${rules.join(', ')}; pass --fleet <fleet-root> or --snapshot <file>.`)];
}

/** Where to read about each rule that found something. */
function ruleDocs(input: ReportInput, findings: readonly Finding[], paint: ChalkInstance): string[] {
  const found = new Set(findings.map((finding) => finding.ruleId));
  const metas = reportRules(input).filter((meta) => found.has(meta.id));
  if (metas.length === 0) return [];
  const width = Math.max(...metas.map((meta) => meta.id.length));
  return [paint.dim('Rule docs:'), ...metas.map((meta) => paint.dim(`  ${meta.id.padEnd(width)}  ${docsUrl(meta, input)}`))];
}

function renderRepo(repo: string, findings: readonly Finding[], paint: ChalkInstance): string {
  const rows = findings.map(toRow);
  const width = (pick: (row: Row) => string): number => rows.reduce((max, row) => Math.max(max, pick(row).length), 0);
  // Locations and severities are aligned; messages are not padded to the longest, so a line is only as long as
  // its own message (one long message made every line of a repository hundreds of characters wide).
  const [locationWidth, severityWidth] = [width((row) => row.location), width((row) => row.severity)];
  const lines = rows.flatMap((row) => [
    [
      '  ' + paint.dim(row.location.padEnd(locationWidth)),
      SEVERITY_COLOR[row.severity](paint)(row.severity.padEnd(severityWidth)),
      row.message,
      paint.dim(row.ruleId),
    ].join('  '),
    // Where to fix it when that is elsewhere (a CI template in another repo), under the finding.
    ...row.related.map((location) => paint.dim(`    ↳ ${location}`)),
  ]);
  return [paint.bold.underline(repoLabel(repo)), ...lines].join('\n');
}

function toRow(finding: Finding): Row {
  const range = finding.range;
  const location = finding.file === undefined ? '-' : range ? `${finding.file}:${range.startLine}:${range.startColumn}` : finding.file;
  const related = (finding.related ?? []).map((place) => visible(`${place.repo}/${place.file}${place.range ? `:${place.range.startLine}:${place.range.startColumn}` : ''}`));
  return { location: visible(location), severity: finding.severity, message: visible(finding.message), ruleId: finding.ruleId, related };
}

const SEVERITY_COLOR: Record<Severity, (paint: ChalkInstance) => ChalkInstance> = {
  error: (paint) => paint.red,
  warning: (paint) => paint.yellow,
  note: (paint) => paint.blue,
};

function summary(input: ReportInput, paint: ChalkInstance): string {
  const active = activeFindings(input.result.findings).filter((finding) => !isSkipNote(finding));
  const suppressed = input.result.findings.filter((finding) => finding.suppression).length;
  const counts = countBySeverity(active);
  const repos = plural(input.repos.length, 'repository', 'repositories');
  const headline = active.length === 0
    ? paint.green(`No problems in ${repos}.`)
    : (counts.error > 0 ? paint.red.bold : paint.yellow.bold)(
        `${plural(active.length, 'problem')} (${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.note, 'note')}) in ${repos}.`,
      );
  const lines = [headline];
  if (suppressed > 0) lines.push(paint.dim(`${plural(suppressed, 'suppressed finding')} not shown.`));
  if (input.durationMs !== undefined) lines.push(paint.dim(`Done in ${formatDuration(input.durationMs)}.`));
  return lines.join('\n');
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * Messages are printed as written (rules redact secrets themselves), except control characters: a file's
 * content must not be able to send escape sequences to the user's terminal.
 */
function visible(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, (char) => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

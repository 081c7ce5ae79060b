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
import { oneLine } from '../terminal-text.js';

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
  return [...textChunks(input, options)].join('');
}

/**
 * The text report in pieces, a line at a time (renderText joins them): a run with a million findings would not fit
 * in one string. Blocks (a repository's findings, the notes, the summary) are separated by a blank line.
 */
export function* textChunks(input: ReportInput, options: TextOptions = {}): Generator<string> {
  const paint = new Chalk({ level: options.color === true ? 1 : 0 });
  const active = activeFindings(input.result.findings);
  const skipNotes = active.filter(isSkipNote);
  const shown = groupBy(active.filter((finding) => !isSkipNote(finding)), (finding) => finding.repo);
  for (const repo of reportRepos(input)) {
    const findings = shown.get(repo);
    if (findings === undefined) continue;
    yield* repoLines(repo, findings, paint);
    yield '\n\n';
  }
  const notes = [...notCheckedLine(skipNotes, paint), ...ruleDocs(input, [...shown.values()].flat(), paint)];
  if (notes.length > 0) yield `${notes.join('\n')}\n\n`;
  yield `${summary(input, paint)}\n`;
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

/** A repository's heading and findings, a line at a time, the last one without its line break. */
function* repoLines(repo: string, findings: readonly Finding[], paint: ChalkInstance): Generator<string> {
  const rows = findings.map(toRow);
  const width = (pick: (row: Row) => string): number => rows.reduce((max, row) => Math.max(max, pick(row).length), 0);
  // Locations and severities are aligned; messages are not padded to the longest, so a line is only as long as
  // its own message (one long message made every line of a repository hundreds of characters wide).
  const [locationWidth, severityWidth] = [width((row) => row.location), width((row) => row.severity)];
  yield paint.bold.underline(oneLine(repoLabel(repo)));
  for (const row of rows) {
    yield `\n${[
      '  ' + paint.dim(row.location.padEnd(locationWidth)),
      SEVERITY_COLOR[row.severity](paint)(row.severity.padEnd(severityWidth)),
      row.message,
      paint.dim(row.ruleId),
    ].join('  ')}`;
    // Where to fix it when that is elsewhere (a CI template in another repo), under the finding.
    for (const location of row.related) yield `\n${paint.dim(`    ↳ ${location}`)}`;
  }
}

function toRow(finding: Finding): Row {
  const range = finding.range;
  const location = finding.file === undefined ? '-' : range ? `${finding.file}:${range.startLine}:${range.startColumn}` : finding.file;
  const related = (finding.related ?? []).map((place) => oneLine(`${place.repo}/${place.file}${place.range ? `:${place.range.startLine}:${place.range.startColumn}` : ''}`));
  return { location: oneLine(location), severity: finding.severity, message: oneLine(finding.message), ruleId: finding.ruleId, related };
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
  // "No problems in 0 repositories" read as a clean fleet: a run that checked no repository says so.
  const repos = input.repos.length === 0 ? 'the fleet; no repository was checked' : plural(input.repos.length, 'repository', 'repositories');
  const headline = active.length === 0
    ? input.repos.length === 0 ? paint.yellow('No repository was checked.') : paint.green(`No problems in ${repos}.`)
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


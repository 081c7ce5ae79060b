import { join } from 'node:path';
import type { Finding, Severity } from '../model/findings.js';
import type { RunResult } from '../engine/runner.js';
import { readBaseline, writeBaseline } from '../engine/baseline.js';
import { reportChunks, renderSarifPerRepo, type ReportInput } from '../report/index.js';
import { writeReport } from './write-report.js';
import { toolVersion } from '../package.js';
import { EXIT } from '../exit-codes.js';
import type { FailOn, OutputSettings } from './options.js';
import { writeFileAtomic } from '../write-atomic.js';

export interface FinishOptions extends OutputSettings {
  command: ReportInput['command'];
  baseline?: string;
  writeBaseline?: string;
  sarifPerRepo?: string;
  startedAt: number;
  phaseTimings: Record<string, number>;
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, note: 1 };

/** Applies the baseline, writes every requested report, and decides the exit code. */
export async function finish(result: RunResult, repos: string[], options: FinishOptions): Promise<number> {
  if (options.writeBaseline) await writeBaseline(options.writeBaseline, result.findings);
  let findings = result.findings;
  if (options.baseline) {
    const known = await readBaseline(options.baseline);
    findings = findings.filter((finding) => !known.has(finding.fingerprint));
  }
  const started = performance.now();
  const input: ReportInput = {
    result: { ...result, findings: reported(findings, options) },
    toolVersion: toolVersion(),
    repos,
    command: options.command,
    durationMs: performance.now() - options.startedAt,
    phaseTimings: options.phaseTimings,
    ...(options.docsUrl !== undefined ? { docsBaseUrl: options.docsUrl } : {}),
  };
  for (const request of options.formats) {
    await writeReport(request.path, reportChunks(request.format, input, { color: request.path === undefined && options.color }));
  }
  if (options.sarifPerRepo) {
    for (const [repo, text] of renderSarifPerRepo(input)) await writeFileAtomic(join(options.sarifPerRepo, sarifFileName(repo)), text);
  }
  options.phaseTimings.reports = performance.now() - started;
  return exitCode(findings, options);
}

/** What the reports show: with --quiet, errors only (as ESLint's --quiet). */
export function reported(findings: Finding[], options: Pick<OutputSettings, 'quiet'>): Finding[] {
  return options.quiet ? findings.filter((finding) => finding.severity === 'error') : findings;
}

/** 1 when an unsuppressed finding is at or above --fail-on, or there are more warnings than --max-warnings. */
export function exitCode(findings: readonly Finding[], options: Pick<OutputSettings, 'failOn' | 'maxWarnings'>): number {
  const active = findings.filter((finding) => !finding.suppression);
  const warnings = active.filter((finding) => finding.severity === 'warning').length;
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) return EXIT.findings;
  return failing(active, options.failOn) ? EXIT.findings : EXIT.ok;
}

function failing(findings: readonly Finding[], failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return findings.some((finding) => RANK[finding.severity] >= RANK[failOn]);
}

/**
 * The file name of a repository's SARIF log: `/` becomes `__` and any other character but letters, digits, `.` and
 * `-` becomes `_` and its UTF-8 bytes in hex (`_5f` for `_`), so that no two repositories share a name (`team/app`
 * and `team__app` used to). The fleet's own findings go to `_fleet.sarif`, which no repository's name can be.
 */
export function sarifFileName(repo: string): string {
  if (repo === '.') return '_fleet.sarif';
  const encoded = repo.replace(/[^A-Za-z0-9.\-/]/gu, (char) => [...Buffer.from(char, 'utf8')].map((byte) => `_${byte.toString(16).padStart(2, '0')}`).join(''));
  return `${encoded.replaceAll('/', '__')}.sarif`;
}

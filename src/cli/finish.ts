import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Finding, Severity } from '../model/findings.js';
import type { RunResult } from '../engine/runner.js';
import { readBaseline, writeBaseline } from '../engine/baseline.js';
import { reportChunks, renderSarifPerRepo, type ReportInput } from '../report/index.js';
import { writeReport } from './write-report.js';
import { toolVersion } from '../package.js';
import { EXIT } from '../exit-codes.js';
import type { FailOn, OutputSettings } from './options.js';

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
    for (const [repo, text] of renderSarifPerRepo(input)) await writeText(join(options.sarifPerRepo, `${repo === '.' ? '_fleet' : repo.replaceAll('/', '__')}.sarif`), text);
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

async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

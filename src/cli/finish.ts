import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Finding, Severity } from '../model/findings.js';
import type { RunResult } from '../engine/runner.js';
import { readBaseline, writeBaseline } from '../engine/baseline.js';
import { renderReport, renderSarifPerRepo, type ReportInput } from '../report/index.js';
import type { FormatRequest } from './formats.js';
import { toolVersion } from '../package.js';
import { EXIT } from '../usage-error.js';

export type FailOn = Severity | 'never';

export interface FinishOptions {
  command: ReportInput['command'];
  formats: FormatRequest[];
  failOn: FailOn;
  baseline?: string;
  writeBaseline?: string;
  sarifPerRepo?: string;
  /** Colour for text on stdout: decided by the caller from the TTY and NO_COLOR. */
  color: boolean;
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
    result: { ...result, findings },
    toolVersion: toolVersion(),
    repos,
    command: options.command,
    durationMs: performance.now() - options.startedAt,
    phaseTimings: options.phaseTimings,
  };
  for (const request of options.formats) {
    const text = renderReport(request.format, input, { color: request.path === undefined && options.color });
    if (request.path === undefined) process.stdout.write(text);
    else await writeText(request.path, text);
  }
  if (options.sarifPerRepo) {
    for (const [repo, text] of renderSarifPerRepo(input)) await writeText(join(options.sarifPerRepo, `${repo === '.' ? '_fleet' : repo.replaceAll('/', '__')}.sarif`), text);
  }
  options.phaseTimings.reports = performance.now() - started;
  return failing(findings, options.failOn) ? EXIT.findings : EXIT.ok;
}

export function failing(findings: readonly Finding[], failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return findings.some((finding) => !finding.suppression && RANK[finding.severity] >= RANK[failOn]);
}

async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/**
 * GitLab Code Quality (a subset of the Code Climate issue format). Suppressed findings are left out.
 *
 * Paths: GitLab resolves `location.path` against the project that runs the job. In a one-repository run
 * (pre-commit, a merge-request job) the paths of that repository are repo-relative; a finding in any other
 * repository (a consumer a merge request breaks) and every finding of a fleet run is prefixed with
 * `<repoId>/`, the path under the fleet root. Fleet-level findings (repo `.`) are fleet-root relative.
 * A finding without a file points at its repository's root directory (`.` or `<repoId>`), and one without
 * a range at line 1, because GitLab requires a line.
 */
import type { CheckMeta } from '../engine/check.js';
import type { Finding, Severity } from '../model/findings.js';
import { FLEET_REPO, activeFindings, isSecurityRule, reportRules, uniqueValues } from './common.js';
import type { ReportInput } from './types.js';

export type CodeQualitySeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: CodeQualitySeverity;
  location: { path: string; lines: { begin: number; end?: number } };
}

const SEVERITY: Record<Severity, CodeQualitySeverity> = { note: 'info', warning: 'minor', error: 'major' };

export function renderCodeQuality(input: ReportInput): string {
  return `${JSON.stringify(codeQualityIssues(input), null, 2)}\n`;
}

/** The Code Quality report as an array (serialised whole by renderCodeQuality, in pieces by reportChunks). */
export function codeQualityIssues(input: ReportInput): CodeQualityIssue[] {
  const metaById = new Map(reportRules(input).map((meta) => [meta.id, meta]));
  const soleRepo = input.repos.length === 1 ? input.repos[0] : undefined;
  const findings = activeFindings(input.result.findings);
  // GitLab keys issues by fingerprint; the engine's are unique, but a merged result could repeat one.
  const fingerprints = uniqueValues(findings.map((finding) => finding.fingerprint));
  return findings.map((finding, index): CodeQualityIssue => ({
    description: finding.message,
    check_name: finding.ruleId,
    fingerprint: fingerprints[index] ?? finding.fingerprint,
    severity: severityOf(finding, metaById.get(finding.ruleId)),
    location: { path: pathOf(finding, soleRepo), lines: linesOf(finding) },
  }));
}

function severityOf(finding: Finding, meta: CheckMeta | undefined): CodeQualitySeverity {
  return finding.severity === 'error' && isSecurityRule(meta) ? 'critical' : SEVERITY[finding.severity];
}

function pathOf(finding: Finding, soleRepo: string | undefined): string {
  const prefix = finding.repo === soleRepo || finding.repo === FLEET_REPO ? '' : finding.repo;
  if (finding.file === undefined) return prefix === '' ? '.' : prefix;
  return prefix === '' ? finding.file : `${prefix}/${finding.file}`;
}

function linesOf(finding: Finding): CodeQualityIssue['location']['lines'] {
  const range = finding.file === undefined ? undefined : finding.range;
  if (!range) return { begin: 1 };
  return range.endLine > range.startLine ? { begin: range.startLine, end: range.endLine } : { begin: range.startLine };
}

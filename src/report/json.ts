/**
 * The whole run as JSON, described by `schemas/run-result.schema.json`. Objects are rebuilt field by field so
 * that key order (and so the bytes) does not depend on how the engine happened to build them, and nothing
 * outside the schema leaks out. Timings appear only when the caller passes them.
 */
import type { CheckMeta } from '../engine/check.js';
import { compareText } from '../model/finding-order.js';
import type { Finding, SourceLocation, SourceRange } from '../model/findings.js';
import { activeFindings, countBySeverity, docsUrl, reportRepos, reportRules, sortedData } from './common.js';
import type { ReportInput } from './types.js';

/** Version of the JSON layout; bumped on incompatible change. */
export const RUN_RESULT_FORMAT_VERSION = 1;

export function renderJson(input: ReportInput): string {
  return `${JSON.stringify(jsonReport(input), null, 2)}\n`;
}

/** The JSON report as an object (serialised whole by renderJson, in pieces by reportChunks). */
export function jsonReport(input: ReportInput): Record<string, unknown> {
  const { findings } = input.result;
  return {
    formatVersion: RUN_RESULT_FORMAT_VERSION,
    version: input.toolVersion,
    command: input.command,
    repos: reportRepos(input),
    rules: reportRules(input).map((meta) => toRule(meta, input)),
    findings: findings.map(toFinding),
    summary: {
      repos: input.repos.length,
      findings: findings.length,
      suppressed: findings.length - activeFindings(findings).length,
      bySeverity: countBySeverity(activeFindings(findings)),
    },
    ...timings(input),
  };
}

function toRule(meta: CheckMeta, input: ReportInput): Record<string, unknown> {
  return {
    id: meta.id,
    shortDescription: meta.shortDescription,
    fullDescription: meta.fullDescription,
    defaultSeverity: meta.defaultSeverity,
    help: meta.help,
    docsPath: meta.docsPath,
    docsUrl: docsUrl(meta, input),
    tags: meta.tags,
    scope: meta.scope,
    implementation: meta.implementation,
    ...(meta.optionsSchema ? { optionsSchema: meta.optionsSchema } : {}),
  };
}

function toFinding(finding: Finding): Record<string, unknown> {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    ...toLocation(finding),
    ...(finding.subject !== undefined ? { subject: finding.subject } : {}),
    ...(finding.help !== undefined ? { help: finding.help } : {}),
    ...(finding.related ? { related: finding.related.map(toLocation) } : {}),
    ...(finding.data ? { data: sortedData(finding.data) } : {}),
    ...(finding.fix ? { fix: finding.fix } : {}),
    fingerprint: finding.fingerprint,
    ...(finding.suppression
      ? {
          suppression: {
            kind: finding.suppression.kind,
            reason: finding.suppression.reason,
            ...(finding.suppression.location ? { location: toLocation(finding.suppression.location) } : {}),
          },
        }
      : {}),
  };
}

function toLocation(where: Omit<SourceLocation, 'file'> & { file?: string }): Record<string, unknown> {
  return {
    repo: where.repo,
    ...(where.file !== undefined ? { file: where.file } : {}),
    ...(where.range ? { range: toRange(where.range) } : {}),
    ...(where.path ? { path: where.path } : {}),
    ...(where.docIndex !== undefined ? { docIndex: where.docIndex } : {}),
  };
}

function toRange(range: SourceRange): SourceRange {
  return { startLine: range.startLine, startColumn: range.startColumn, endLine: range.endLine, endColumn: range.endColumn };
}

function timings(input: ReportInput): { timings?: Record<string, unknown> } {
  if (input.durationMs === undefined && input.phaseTimings === undefined) return {};
  const checks = Object.fromEntries(Object.entries(input.result.checkTimings).sort(([a], [b]) => compareText(a, b)));
  return {
    timings: {
      ...(input.durationMs !== undefined ? { durationMs: input.durationMs } : {}),
      ...(input.phaseTimings ? { phases: input.phaseTimings } : {}),
      checks,
    },
  };
}

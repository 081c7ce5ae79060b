import type { RunResult } from '../engine/runner.js';
import type { AuditContext } from './audit-summary.js';

/** Everything a reporter needs; reporters are pure functions from this to text. */
export interface ReportInput {
  result: RunResult;
  /** fleetlint's version, from package.json. */
  toolVersion: string;
  /** Every repo id that was checked, sorted (repos without findings included: JUnit lists what passed). */
  repos: string[];
  /** Which command produced the run: audit, lint, mr. Used for SARIF automationDetails and titles. */
  command: 'audit' | 'lint' | 'mr';
  /** The base URL of rule docs (`--docs-url`); default: fleetlint's repository at this version. */
  docsBaseUrl?: string;
  /** Total wall time in milliseconds; omitted in golden tests to keep outputs byte-identical. */
  durationMs?: number;
  /** Milliseconds per phase (discover, read, parse, model, rules, policies, secrets, reports). */
  phaseTimings?: Record<string, number>;
  /**
   * What only the audit report (html, markdown) shows: the fleet's facts (repo kinds, pipelines, Applications
   * and their dependencies), the previous run to compare with, a label. Other formats ignore it; without it the
   * audit report leaves out the coverage matrix, the wave graph and the changes.
   */
  audit?: AuditContext;
}

export type ReportFormat = 'text' | 'json' | 'sarif' | 'junit' | 'codequality' | 'html' | 'markdown';

export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'sarif', 'junit', 'codequality', 'html', 'markdown'];

/** The formats that make the audit report; they need `ReportInput.audit` to show everything. */
export const AUDIT_REPORT_FORMATS: readonly ReportFormat[] = ['html', 'markdown'];

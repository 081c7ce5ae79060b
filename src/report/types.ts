import type { RunResult } from '../engine/runner.js';

/** Everything a reporter needs; reporters are pure functions from this to text. */
export interface ReportInput {
  result: RunResult;
  /** fleetlint's version, from package.json. */
  toolVersion: string;
  /** Every repo id that was checked, sorted (repos without findings included: JUnit lists what passed). */
  repos: string[];
  /** Which command produced the run: audit, lint, mr. Used for SARIF automationDetails and titles. */
  command: 'audit' | 'lint' | 'mr';
  /** Total wall time in milliseconds; omitted in golden tests to keep outputs byte-identical. */
  durationMs?: number;
  /** Milliseconds per phase (discover, read, parse, model, rules, policies, secrets, reports). */
  phaseTimings?: Record<string, number>;
}

export type ReportFormat = 'text' | 'json' | 'sarif' | 'junit' | 'codequality';

export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'sarif', 'junit', 'codequality'];

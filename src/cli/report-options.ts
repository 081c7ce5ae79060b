import type { AuditOutputOptions } from './audit-output.js';
import { shouldColor } from './output.js';

/** The options of every command that writes the fleet's reports (audit and merge), for node:util parseArgs. */
export const REPORT_OPTIONS = {
  config: { type: 'string' },
  format: { type: 'string', multiple: true },
  'sarif-per-repo': { type: 'string' },
  'fail-on': { type: 'string', default: 'error' },
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  'write-snapshot': { type: 'string' },
  previous: { type: 'string' },
  'report-label': { type: 'string' },
  stats: { type: 'string' },
  quiet: { type: 'boolean', default: false },
} as const;

/** The parsed values of REPORT_OPTIONS that say where and how the reports are written. */
interface ReportOptionValues {
  baseline?: string | undefined;
  'write-baseline'?: string | undefined;
  'sarif-per-repo'?: string | undefined;
  previous?: string | undefined;
  'report-label'?: string | undefined;
}

/** Turns those values into the output options of writeAuditOutput, for audit and merge alike. */
export function reportOutputOptions(
  values: ReportOptionValues,
  run: Pick<AuditOutputOptions, 'formats' | 'failOn' | 'startedAt' | 'phaseTimings'>,
): AuditOutputOptions {
  return {
    ...run,
    ...(values.baseline !== undefined ? { baseline: values.baseline } : {}),
    ...(values['write-baseline'] !== undefined ? { writeBaseline: values['write-baseline'] } : {}),
    ...(values['sarif-per-repo'] !== undefined ? { sarifPerRepo: values['sarif-per-repo'] } : {}),
    previous: values.previous,
    label: values['report-label'],
    color: shouldColor(),
  };
}

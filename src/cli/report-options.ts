import type { AuditOutputOptions } from './audit-output.js';
import type { OptionName, OutputSettings } from './options.js';
import { OUTPUT_OPTIONS } from './options.js';

/** The options of every command that writes the fleet's reports (audit and merge). */
export const REPORT_OPTIONS = [
  ...OUTPUT_OPTIONS,
  'baseline',
  'write-baseline',
  'sarif-per-repo',
  'write-snapshot',
  'previous',
  'report-label',
  'stats',
] as const satisfies readonly OptionName[];

/** The parsed values of REPORT_OPTIONS that say where and how the reports are written. */
interface ReportOptionValues {
  baseline?: string | undefined;
  'write-baseline'?: string | undefined;
  'sarif-per-repo'?: string | undefined;
  previous?: string | undefined;
  'report-label'?: string | undefined;
}

/** Turns those values into the output options of writeAuditOutput, for audit and merge alike. */
export function reportOutputOptions(values: ReportOptionValues, settings: OutputSettings, run: Pick<AuditOutputOptions, 'startedAt' | 'phaseTimings'>): AuditOutputOptions {
  return {
    ...settings,
    ...run,
    ...(values.baseline !== undefined ? { baseline: values.baseline } : {}),
    ...(values['write-baseline'] !== undefined ? { writeBaseline: values['write-baseline'] } : {}),
    ...(values['sarif-per-repo'] !== undefined ? { sarifPerRepo: values['sarif-per-repo'] } : {}),
    previous: values.previous,
    label: values['report-label'],
  };
}

import { REPORT_FORMATS, type ReportFormat } from '../report/types.js';
import { UsageError } from '../usage-error.js';

export interface FormatRequest {
  format: ReportFormat;
  /** Where to write it; stdout when absent. */
  path?: string;
}

/** Parses repeated `--format name[=path]` options; text to stdout is the default. */
export function parseFormats(values: readonly string[]): FormatRequest[] {
  if (values.length === 0) return [{ format: 'text' }];
  const requests = values.map((value): FormatRequest => {
    const separator = value.indexOf('=');
    const name = separator === -1 ? value : value.slice(0, separator);
    const path = separator === -1 ? undefined : value.slice(separator + 1);
    if (!(REPORT_FORMATS as readonly string[]).includes(name)) {
      throw new UsageError(`--format ${value}: unknown format "${name}"; expected one of ${REPORT_FORMATS.join(', ')}`);
    }
    if (path === '') throw new UsageError(`--format ${value}: the path after "=" is empty`);
    return path === undefined ? { format: name as ReportFormat } : { format: name as ReportFormat, path };
  });
  const toStdout = requests.filter((request) => request.path === undefined);
  if (toStdout.length > 1) {
    throw new UsageError(`only one report can go to stdout; give the others a path (--format ${toStdout[1]?.format ?? ''}=<file>)`);
  }
  return requests;
}

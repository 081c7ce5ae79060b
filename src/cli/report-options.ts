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

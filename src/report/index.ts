/** The reporters: pure functions from a run to the text of one output format. */
import { codeQualityIssues, renderCodeQuality } from './codequality.js';
import { renderHtml } from './html.js';
import { jsonChunks } from './json-chunks.js';
import { jsonReport, renderJson } from './json.js';
import { junitChunks, renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif, renderSarifPerRepo, sarifLog } from './sarif.js';
import { renderText, textChunks, type TextOptions } from './text.js';
import type { ReportFormat, ReportInput } from './types.js';

export type { ReportFormat, ReportInput } from './types.js';
export { AUDIT_REPORT_FORMATS, REPORT_FORMATS } from './types.js';
export type { AuditContext } from './audit-summary.js';
export type { FleetFacts } from './audit/facts.js';
export type { PreviousRun } from './audit/previous.js';
export type { TextOptions } from './text.js';
export { renderCodeQuality, renderHtml, renderJson, renderJunit, renderMarkdown, renderSarif, renderSarifPerRepo, renderText };
export { SARIF_MAX_RESULTS } from './sarif.js';

/** Options for any format; only text has some today (colour). */
export type RenderOptions = TextOptions;

/** Renders one format; `options` matter only to text (colour). The same input always gives the same bytes. */
export function renderReport(format: ReportFormat, input: ReportInput, options: RenderOptions = {}): string {
  switch (format) {
    case 'text':
      return renderText(input, options);
    case 'json':
      return renderJson(input);
    case 'sarif':
      return renderSarif(input);
    case 'junit':
      return renderJunit(input);
    case 'codequality':
      return renderCodeQuality(input);
    case 'html':
      return renderHtml(input);
    case 'markdown':
      return renderMarkdown(input);
  }
}

/**
 * One format's report in pieces, the same bytes as renderReport: the JSON formats are serialised piece by piece, text
 * and JUnit a line at a time, so that a run with a million findings does not need its report in one string. HTML and
 * Markdown are made whole: they list a few thousand findings at most (HTML_MAX_FINDINGS, MARKDOWN_MAX_FINDINGS).
 */
export function* reportChunks(format: ReportFormat, input: ReportInput, options: RenderOptions = {}): Generator<string> {
  if (format === 'text' || format === 'junit') {
    yield* format === 'text' ? textChunks(input, options) : junitChunks(input);
    return;
  }
  const document = format === 'json' ? jsonReport(input) : format === 'sarif' ? sarifLog(input) : format === 'codequality' ? codeQualityIssues(input) : undefined;
  if (document === undefined) {
    yield renderReport(format, input, options);
    return;
  }
  yield* jsonChunks(document);
  yield '\n';
}

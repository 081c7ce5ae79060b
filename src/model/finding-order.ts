import type { FindingDraft } from './findings.js';

/** The one order of findings in every output: repo, file, line, column, rule, message. */
export function compareFindings(a: FindingDraft, b: FindingDraft): number {
  return (
    compareText(a.repo, b.repo) ||
    compareText(a.file ?? '', b.file ?? '') ||
    (a.range?.startLine ?? 0) - (b.range?.startLine ?? 0) ||
    (a.range?.startColumn ?? 0) - (b.range?.startColumn ?? 0) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.message, b.message)
  );
}

/** Code-unit order, not locale order, so output is the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import type { Finding, FindingDraft, SourceRange } from '../model/findings.js';
import type { Repo } from '../model/types.js';

/** An inline suppression comment found in a repo file. */
export interface InlineSuppression {
  repo: string;
  file: string;
  line: number;
  scope: 'next-line' | 'file';
  rules: string[];
  reason: string;
  used: boolean;
}

// `# fleetlint-disable-next-line rule-a, rule-b -- why` (also `//` comments, for JSON-with-comments and HCL).
const DIRECTIVE = /(?:#|\/\/)\s*fleetlint-disable-(next-line|file)\b([^\n]*)/;

/** Finds every suppression comment of a repo; malformed ones become findings instead. */
export function collectSuppressions(repo: Repo): { suppressions: InlineSuppression[]; problems: FindingDraft[] } {
  const suppressions: InlineSuppression[] = [];
  const problems: FindingDraft[] = [];
  for (const file of repo.files) {
    const text = file.text;
    if (text === undefined || !text.includes('fleetlint-disable')) continue;
    const lines = text.split('\n');
    lines.forEach((content, index) => {
      const match = DIRECTIVE.exec(content);
      if (!match) return;
      const [rulesPart = '', reason = ''] = (match[2] ?? '').split(/\s--\s?/, 2);
      const rules = rulesPart.split(/[\s,]+/).filter((rule) => rule.length > 0);
      const line = index + 1;
      const range: SourceRange = { startLine: line, startColumn: match.index + 1, endLine: line, endColumn: content.length + 1 };
      if (rules.length === 0 || reason.trim() === '') {
        problems.push({
          ruleId: 'invalid-suppression',
          severity: 'warning',
          message: `suppression comment needs rule ids and a reason: "fleetlint-disable-${match[1] ?? 'next-line'} <rule-id> -- <reason>"; it suppresses nothing`,
          repo: repo.id,
          file: file.path,
          range,
          subject: content.trim(),
        });
        return;
      }
      suppressions.push({ repo: repo.id, file: file.path, line, scope: match[1] === 'file' ? 'file' : 'next-line', rules, reason: reason.trim(), used: false });
    });
  }
  return { suppressions, problems };
}

/** The suppression that covers a finding, if any; marks it used. */
export function matchSuppression(finding: Finding, suppressions: readonly InlineSuppression[]): InlineSuppression | undefined {
  if (finding.file === undefined) return undefined;
  for (const suppression of suppressions) {
    if (suppression.repo !== finding.repo || suppression.file !== finding.file || !suppression.rules.includes(finding.ruleId)) continue;
    const startLine = finding.range?.startLine;
    // Like ESLint's directive, next-line covers exactly the line below the comment.
    if (suppression.scope === 'file' || startLine === suppression.line + 1) {
      suppression.used = true;
      return suppression;
    }
  }
  return undefined;
}

export function unusedSuppressionFindings(suppressions: readonly InlineSuppression[]): FindingDraft[] {
  return suppressions
    .filter((suppression) => !suppression.used)
    .map((suppression) => ({
      ruleId: 'unused-suppression',
      severity: 'warning' as const,
      message: `fleetlint-disable-${suppression.scope} for ${suppression.rules.join(', ')} matches no finding; remove it`,
      repo: suppression.repo,
      file: suppression.file,
      range: { startLine: suppression.line, startColumn: 1, endLine: suppression.line, endColumn: 1 },
      subject: `${suppression.scope}:${suppression.rules.join(',')}`,
      data: { kind: 'unused-suppression', rules: [...suppression.rules] },
    }));
}

import type { FindingDraft } from '../model/findings.js';
import { compareFindings } from '../model/finding-order.js';

/**
 * At most this many findings of one rule in one file reach the reports; the rest are counted in one note. A generated
 * file, a vendored bundle or a template read as something else can give a rule thousands of findings, which no one
 * reads and which once made a report too large to write.
 */
export const MAX_FINDINGS_PER_FILE_AND_RULE = 200;

/** The drafts, sorted, with each file's findings of each rule cut to `max` and one note for the rest. */
export function capPerFileAndRule(sorted: readonly FindingDraft[], max = MAX_FINDINGS_PER_FILE_AND_RULE): FindingDraft[] {
  const counts = new Map<string, { first: FindingDraft; count: number }>();
  const kept: FindingDraft[] = [];
  for (const draft of sorted) {
    if (draft.file === undefined) {
      kept.push(draft);
      continue;
    }
    const key = `${draft.repo}\u0000${draft.file}\u0000${draft.ruleId}`;
    const entry = counts.get(key) ?? { first: draft, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
    if (entry.count <= max) kept.push(draft);
  }
  const notes: FindingDraft[] = [];
  for (const { first, count } of counts.values()) {
    if (count <= max) continue;
    notes.push({
      ruleId: first.ruleId,
      severity: 'note',
      message: `${count - max} more ${first.ruleId} finding(s) in this file are not shown: only the first ${max} are`,
      repo: first.repo,
      ...(first.file !== undefined ? { file: first.file } : {}),
      subject: `capped:${first.ruleId}`,
    });
  }
  return notes.length === 0 ? kept : [...kept, ...notes].sort(compareFindings);
}

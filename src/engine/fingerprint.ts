import { createHash } from 'node:crypto';
import type { Finding, FindingDraft } from '../model/findings.js';

/**
 * A fingerprint that survives unrelated edits: rule, repo, file and what the finding is about, never the
 * line. Without an explicit subject the message stands in, with `file:line` references and numbers that
 * look like lines removed so that moving code around does not change it.
 */
export function fingerprintOf(finding: FindingDraft): string {
  const subject = finding.subject ?? finding.message.replace(/:\d+(:\d+)?\b/g, '').replace(/\bline \d+\b/gi, '');
  const text = [finding.ruleId, finding.repo, finding.file ?? '', subject].join('\u0000');
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * Fingerprints a sorted list of findings. Two findings with the same fingerprint (the same subject twice in
 * one file) are told apart by their order of occurrence, which is stable while neither moves past the other.
 */
export function fingerprintAll(findings: readonly FindingDraft[]): Finding[] {
  const seen = new Map<string, number>();
  return findings.map((finding) => {
    const base = fingerprintOf(finding);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    const fingerprint = count === 0 ? base : createHash('sha256').update(`${base}#${count}`).digest('hex').slice(0, 32);
    return { ...finding, fingerprint };
  });
}

/**
 * A previous run, read from its `--format json` report, and what changed since: new, fixed and newly suppressed
 * findings, matched by fingerprint.
 */
import type { Finding, Severity } from '../../model/findings.js';

/** A previous `--format json` report, reduced to what the comparison needs. */
export interface PreviousRun {
  repos: string[];
  findings: PreviousFinding[];
}

export interface PreviousFinding {
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  repo: string;
  file?: string;
  line?: number;
  message: string;
  suppressed: boolean;
}

export interface Changes {
  /** Unsuppressed findings whose fingerprint the previous run did not report unsuppressed. */
  added: Finding[];
  /** Previous unsuppressed findings gone from this run, in repositories that were audited (or are gone). */
  fixed: PreviousFinding[];
  /** Previous unsuppressed findings now suppressed. */
  suppressed: number;
  /** Previous unsuppressed findings this run could not check (repository not audited, check not run): neither fixed nor open. */
  unknown: number;
}

/** Reads a previous `--format json` report (format version 1); throws an Error that says what is wrong. */
export function parsePreviousReport(value: unknown, where: string): PreviousRun {
  const fail = (why: string): never => {
    throw new Error(`previous report ${where} ${why}; expected the output of fleetlint's --format json`);
  };
  if (!isRecord(value)) return fail('is not a JSON object');
  if (value.formatVersion !== 1) fail(`has formatVersion ${JSON.stringify(value.formatVersion)}, not 1`);
  const repos = value.repos;
  if (!Array.isArray(repos) || !repos.every((repo) => typeof repo === 'string')) return fail('has no list of repos');
  if (!Array.isArray(value.findings)) return fail('has no list of findings');
  const findings = value.findings.map((item: unknown, index): PreviousFinding => {
    if (!isRecord(item)) return fail(`findings[${index}] is not an object`);
    const { fingerprint, ruleId, severity, repo, file, message, range, suppression } = item;
    if (typeof fingerprint !== 'string' || typeof ruleId !== 'string' || typeof repo !== 'string' || typeof message !== 'string') {
      return fail(`findings[${index}] lacks fingerprint, ruleId, repo or message`);
    }
    if (severity !== 'error' && severity !== 'warning' && severity !== 'note') return fail(`findings[${index}] has severity ${JSON.stringify(severity)}`);
    const line = isRecord(range) && typeof range.startLine === 'number' ? range.startLine : undefined;
    return {
      fingerprint,
      ruleId,
      severity,
      repo,
      ...(typeof file === 'string' ? { file } : {}),
      ...(line !== undefined ? { line } : {}),
      message,
      suppressed: suppression !== undefined,
    };
  });
  return { repos: [...repos] as string[], findings };
}

/**
 * What is new, fixed and newly suppressed since the previous run. A previous finding this run could not check
 * (its repository could not be audited, or the check did not run on it: `notChecked`) is unknown, not fixed; and
 * a "not checked" note is not a new finding.
 */
export function changes(findings: readonly Finding[], previous: PreviousRun, notChecked: (repo: string, ruleId: string) => boolean): Changes {
  const previousActive = previous.findings.filter((f) => !f.suppressed);
  const previousActiveFingerprints = new Set(previousActive.map((f) => f.fingerprint));
  const current = new Map(findings.map((f) => [f.fingerprint, f]));
  const added = findings.filter((f) => !f.suppression && !previousActiveFingerprints.has(f.fingerprint) && !isNotCheckedNote(f));
  const fixed: PreviousFinding[] = [];
  let suppressed = 0;
  let unknown = 0;
  for (const old of previousActive) {
    const now = current.get(old.fingerprint);
    if (now) {
      if (now.suppression) suppressed += 1;
      continue;
    }
    // A repo that failed to clone tonight has no findings: that is not a fix.
    if (notChecked(old.repo, old.ruleId)) unknown += 1;
    else fixed.push(old);
  }
  return { added, fixed, suppressed, unknown };
}

/** A note that a check did not run (data.kind `skipped`): on one repo, or on every repo when it is on the fleet (`.`). */
export function isNotCheckedNote(finding: Finding): boolean {
  return finding.severity === 'note' && finding.data?.kind === 'skipped' && finding.ruleId !== 'crawl-error';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import { SEVERITIES, type DocPath, type PathSegment, type Severity } from '../../model/findings.js';

/** One item of a policy's `deny` set, as the policy wrote it. */
export interface PolicyDecision {
  msg: string;
  repo: string;
  /** Repo-relative file. */
  file: string;
  /** Path into the file's YAML document; the runner turns it into a range. */
  path?: DocPath;
  /** 1-based line, for files that are not YAML. */
  line?: number;
  /** Overrides the policy's default severity. */
  severity?: Severity;
  /** What the decision is about, for a fingerprint that survives unrelated edits. */
  subject?: string;
}

/** A decision item that does not have the decision shape: reported as an internal error, never thrown. */
export interface InvalidDecision {
  item: unknown;
  reason: string;
}

export interface PolicyEvaluation {
  decisions: PolicyDecision[];
  invalid: InvalidDecision[];
}

/**
 * Checks the value of a `deny` rule loosely: required fields must be there with the right type, optional ones
 * must have the right type when present, anything else is ignored so policies may carry extra details.
 * `undefined` (no rule body matched) is an empty set.
 */
export function parseDecisions(value: unknown): PolicyEvaluation {
  const result: PolicyEvaluation = { decisions: [], invalid: [] };
  if (value === undefined) return result;
  if (!Array.isArray(value)) {
    result.invalid.push({ item: value, reason: 'the decision must be a set of objects' });
    return result;
  }
  for (const item of value as unknown[]) {
    const parsed = parseDecision(item);
    if (typeof parsed === 'string') result.invalid.push({ item, reason: parsed });
    else result.decisions.push(parsed);
  }
  return result;
}

function parseDecision(item: unknown): PolicyDecision | string {
  if (!isRecord(item)) return 'a decision must be an object {msg, repo, file, ...}';
  const { msg, repo, file, path, line, severity, subject } = item;
  if (typeof msg !== 'string' || msg === '') return 'msg must be a non-empty string';
  if (typeof repo !== 'string' || repo === '') return 'repo must be a non-empty string';
  if (typeof file !== 'string') return 'file must be a string';
  const decision: PolicyDecision = { msg, repo, file };
  if (path !== undefined) {
    if (!Array.isArray(path) || !(path as unknown[]).every(isPathSegment)) return 'path must be an array of keys and indexes';
    decision.path = path as PathSegment[];
  }
  if (line !== undefined) {
    if (!Number.isInteger(line) || (line as number) < 1) return 'line must be a positive integer';
    decision.line = line as number;
  }
  if (severity !== undefined) {
    if (!SEVERITIES.includes(severity as Severity)) return `severity must be one of ${SEVERITIES.join(', ')}`;
    decision.severity = severity as Severity;
  }
  if (subject !== undefined) {
    if (typeof subject !== 'string') return 'subject must be a string';
    decision.subject = subject;
  }
  return decision;
}

function isPathSegment(segment: unknown): segment is PathSegment {
  return typeof segment === 'string' || (Number.isInteger(segment) && (segment as number) >= 0);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import { SEVERITIES, type DocPath, type FindingData, type PathSegment, type Severity } from '../../model/findings.js';

/** A place a policy points at: the `origin` objects of the policy input have exactly this shape. */
export interface DecisionLocation {
  repo: string;
  file: string;
  line?: number;
  column?: number;
  docIndex?: number;
  path?: DocPath;
}

/**
 * One item of a policy's `deny` set, as the policy wrote it. A policy names the place either with
 * `file` (+ `path`/`line`/`docIndex`) or with `origin`, a fact's origin copied from the input, which may lie in
 * another repo (a CI template): the runner then points at this repo's include and lists the origin as related.
 */
export interface PolicyDecision {
  msg: string;
  repo: string;
  /** Repo-relative file; empty for a finding about the repo as a whole. */
  file?: string;
  /** Path into the file's YAML document; the runner turns it into a range. */
  path?: DocPath;
  /** 1-based line, for files that are not YAML. */
  line?: number;
  docIndex?: number;
  origin?: DecisionLocation;
  related?: DecisionLocation[];
  /** Overrides the policy's default severity. */
  severity?: Severity;
  /** What the decision is about, for a fingerprint that survives unrelated edits. */
  subject?: string;
  /** Structured details (`{kind, ...}`) carried to the finding, so that nothing downstream parses `msg` or `subject`. */
  data?: FindingData;
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
  const { msg, repo, file, severity, subject, origin, related, data } = item;
  if (typeof msg !== 'string' || msg === '') return 'msg must be a non-empty string';
  if (typeof repo !== 'string' || repo === '') return 'repo must be a non-empty string';
  if (file === undefined && origin === undefined) return 'file (or origin) must be given';
  if (file !== undefined && typeof file !== 'string') return 'file must be a string';
  const decision: PolicyDecision = { msg, repo };
  if (typeof file === 'string') decision.file = file;
  const position = parsePosition(item);
  if (typeof position === 'string') return position;
  Object.assign(decision, position);
  if (origin !== undefined) {
    const parsed = parseLocation(origin, 'origin');
    if (typeof parsed === 'string') return parsed;
    decision.origin = parsed;
  }
  if (related !== undefined) {
    if (!Array.isArray(related)) return 'related must be an array of locations';
    const locations: DecisionLocation[] = [];
    for (const entry of related as unknown[]) {
      const parsed = parseLocation(entry, 'related');
      if (typeof parsed === 'string') return parsed;
      locations.push(parsed);
    }
    decision.related = locations;
  }
  if (severity !== undefined) {
    if (!SEVERITIES.includes(severity as Severity)) return `severity must be one of ${SEVERITIES.join(', ')}`;
    decision.severity = severity as Severity;
  }
  if (subject !== undefined) {
    if (typeof subject !== 'string') return 'subject must be a string';
    decision.subject = subject;
  }
  if (data !== undefined) {
    // A decision comes from JSON, so an object here holds JSON values only.
    if (!isRecord(data)) return 'data must be an object';
    decision.data = data as FindingData;
  }
  return decision;
}

/** `path`, `line` and `docIndex`, shared by decisions and locations. */
function parsePosition(item: Record<string, unknown>): Pick<PolicyDecision, 'path' | 'line' | 'docIndex'> | string {
  const { path, line, docIndex } = item;
  const position: Pick<PolicyDecision, 'path' | 'line' | 'docIndex'> = {};
  if (path !== undefined) {
    if (!Array.isArray(path) || !(path as unknown[]).every(isPathSegment)) return 'path must be an array of keys and indexes';
    position.path = path as PathSegment[];
  }
  if (line !== undefined) {
    if (!Number.isInteger(line) || (line as number) < 1) return 'line must be a positive integer';
    position.line = line as number;
  }
  if (docIndex !== undefined) {
    if (!Number.isInteger(docIndex) || (docIndex as number) < 0) return 'docIndex must be a non-negative integer';
    position.docIndex = docIndex as number;
  }
  return position;
}

function parseLocation(value: unknown, field: string): DecisionLocation | string {
  if (!isRecord(value) || typeof value.repo !== 'string' || typeof value.file !== 'string') return `${field} must be an object {repo, file, line?, path?}`;
  const position = parsePosition(value);
  if (typeof position === 'string') return `${field}: ${position}`;
  const location: DecisionLocation = { repo: value.repo, file: value.file, ...position };
  if (Number.isInteger(value.column)) location.column = value.column as number;
  return location;
}

function isPathSegment(segment: unknown): segment is PathSegment {
  return typeof segment === 'string' || (Number.isInteger(segment) && (segment as number) >= 0);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

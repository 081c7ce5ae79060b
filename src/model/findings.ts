/** Findings: the one shape every loader diagnostic, TypeScript rule and Rego policy result takes. */

export type Severity = 'error' | 'warning' | 'note';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'note'];

/** A JSON value: what a finding's `data` may hold, so that it survives caches, threads and reports unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * What a check knows about a finding beyond its message, as structured data (`{kind: 'missing', category: 'iac'}`):
 * reports and tools read this, never the message or the subject.
 */
export type FindingData = { [key: string]: JsonValue };

/** A 1-based, inclusive-start source range. `endColumn` points one past the last character. */
export interface SourceRange {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/** A segment of a path into a YAML document: a map key or a sequence index. */
export type PathSegment = string | number;
export type DocPath = readonly PathSegment[];

/** Where something is: a file in a repo, optionally narrowed to a range. */
export interface SourceLocation {
  repo: string;
  file: string;
  range?: SourceRange;
  /** Path inside the YAML document the range was derived from, when there is one. */
  path?: DocPath;
  /** Index of the document inside a multi-document YAML file. */
  docIndex?: number;
}

export interface FindingSuppression {
  kind: 'inline' | 'waiver';
  reason: string;
  /** Where the suppression was written (inline comment) or the config file (waiver). */
  location?: SourceLocation;
}

/** A finding before the runner has fingerprinted it. */
export interface FindingDraft {
  ruleId: string;
  severity: Severity;
  message: string;
  repo: string;
  /** Repo-relative file, absent for repo-level findings without a file (e.g. a failed clone). */
  file?: string;
  range?: SourceRange;
  path?: DocPath;
  docIndex?: number;
  /**
   * What the finding is about, independent of its line (an image reference, a job name, a key path).
   * It makes the fingerprint stable across unrelated edits.
   */
  subject?: string;
  help?: string;
  /** Other places that explain the finding, e.g. the CI template a job came from. */
  related?: SourceLocation[];
  /** Structured details from the check (a Rego decision's `data`), carried to the JSON and SARIF reports. */
  data?: FindingData;
  /** How to repair it, when the check knows: `fleetlint fix`, `lint --fix` and `audit --fix` apply it. */
  fix?: Fix;
}

/**
 * A change to one YAML document at a path, applied through the document's node ranges so that everything else in
 * the file (comments, quoting, key order, indentation) stays as written. `set` creates missing maps on the way;
 * `delete` and `rename` need the path to exist, and `rename` needs the new key to be free. `append` adds an item
 * to the list at the path unless an equal item is there: a single value written there (`include: a.yml`, or one
 * map) becomes the list's first item, and a missing top-level key is created at the top of the document.
 */
export type YamlEdit =
  | { op: 'set'; path: DocPath; value: JsonValue }
  | { op: 'append'; path: DocPath; value: JsonValue }
  | { op: 'delete'; path: DocPath }
  | { op: 'rename'; path: DocPath; to: string };

/** One edit to one file of a repo: a structured YAML edit, or a text edit (a range and its replacement). */
export type FileEdit = { repo: string; file: string } & (
  | ({ kind: 'yaml'; docIndex?: number } & YamlEdit)
  | {
      kind: 'text';
      range: SourceRange;
      text: string;
      /** The text the range holds now: when the file says otherwise, the fix is stale and is skipped. */
      expected: string;
    }
);

/** A repair: every edit applies, or none does. */
export interface Fix {
  /** What it does, in a line (`set the sync-wave annotation to "2"`). */
  description: string;
  edits: FileEdit[];
}

export interface Finding extends FindingDraft {
  fingerprint: string;
  suppression?: FindingSuppression;
}

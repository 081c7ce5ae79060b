/** Helpers every reporter shares: rule lookup, repo order, counts and the fleet's docs URL. */
import { createHash } from 'node:crypto';
import type { CheckMeta } from '../engine/check.js';
import { compareText } from '../model/finding-order.js';
import { SEVERITIES, type Finding, type FindingData, type JsonValue, type Severity } from '../model/findings.js';
import type { ReportInput } from './types.js';
import { publishedFilesUrl } from '../package.js';

/** The repo id the runner gives fleet-level findings (a bad `fleet.yaml`, a fleet-scope check that threw). */
export const FLEET_REPO = '.';

export const TOOL_NAME = 'fleetlint';
/** fleetlint's repository: package.json `homepage`. */
export function toolHome(): string {
  return publishedFilesUrl().replace(/\/-\/blob\/.*$/, '');
}

/** Findings that count: suppressed ones are kept in JSON and SARIF but are never problems. */
export function activeFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => !finding.suppression);
}

/**
 * A rule's docs: its `docsPath` under the report's docs base (`--docs-url`), by default fleetlint's repository at
 * the installed version, where `docs/rules/<id>.md` is.
 */
export function docsUrl(meta: CheckMeta, input: Pick<ReportInput, 'docsBaseUrl'>): string {
  const base = input.docsBaseUrl ?? publishedFilesUrl();
  return `${base.endsWith('/') ? base : `${base}/`}${meta.docsPath.replace(/^\/+/, '')}`;
}

export function isSecurityRule(meta: CheckMeta | undefined): boolean {
  return meta?.tags.includes('security') ?? false;
}

export function isDiagnostic(meta: CheckMeta): boolean {
  return meta.tags.includes('fleetlint-diagnostic');
}

/**
 * The rules a report describes: every rule of the run, plus a stand-in for any rule id a finding names
 * without metadata (a policy bundle out of step with its registry), so that every finding has a rule.
 */
export function reportRules(input: ReportInput): CheckMeta[] {
  const known = new Set(input.result.rules.map((meta) => meta.id));
  const missing = [...new Set(input.result.findings.map((finding) => finding.ruleId))].filter((id) => !known.has(id));
  const standIns = missing.map((id): CheckMeta => ({
    id,
    shortDescription: id,
    fullDescription: `${id} (no metadata was registered for this rule)`,
    defaultSeverity: 'warning',
    help: '',
    docsPath: `docs/rules/${id}.md`,
    tags: [],
    scope: 'repo',
    implementation: 'typescript',
  }));
  return [...input.result.rules, ...standIns].sort((a, b) => compareText(a.id, b.id));
}

/** Every repo a report covers: the checked repos in input order, then any other repo a finding names, sorted. */
export function reportRepos(input: ReportInput): string[] {
  const listed = new Set(input.repos);
  const extra = new Set(input.result.findings.map((finding) => finding.repo).filter((repo) => !listed.has(repo)));
  return [...input.repos, ...[...extra].sort(compareText)];
}

/** How a repo is named to people; fleet-level findings belong to no repository. */
export function repoLabel(repo: string): string {
  return repo === FLEET_REPO ? '(fleet)' : repo;
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export type SeverityCounts = Record<Severity, number>;

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { error: 0, warning: 0, note: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

/** Severity rank for "most severe first" choices: error 0, warning 1, note 2. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** A short, stable hash for values that must be told apart deterministically. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * Makes every value of a list unique, in list order: the first keeps its value, later duplicates get a hash
 * of the value and their occurrence number (the same scheme as the engine's fingerprints).
 */
export function uniqueValues(values: readonly string[]): string[] {
  const seen = new Set(values);
  const used = new Set<string>();
  return values.map((value) => {
    if (!used.has(value)) {
      used.add(value);
      return value;
    }
    let n = 1;
    let candidate = shortHash(`${value}#${n}`);
    while (used.has(candidate) || seen.has(candidate)) candidate = shortHash(`${value}#${++n}`);
    used.add(candidate);
    return candidate;
  });
}

/** Encodes a POSIX path for a URI reference, segment by segment, so `/` stays a separator. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * A finding's data with the keys of every object sorted: a policy's objects come out of WebAssembly in its own
 * order, and the reports' bytes must not depend on it.
 */
export function sortedData(data: FindingData): FindingData {
  return sortedJson(data) as FindingData;
}

function sortedJson(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortedJson);
  return Object.fromEntries(Object.keys(value).sort(compareText).map((key) => [key, sortedJson(value[key] ?? null)]));
}

/**
 * SARIF 2.1.0, shaped for GitHub code scanning and other SARIF consumers.
 *
 * - The fleet report has one run; each repository is a `uriBaseId` declared relative to `FLEETROOT`, so
 *   paths stay repo-relative and no absolute path is written. `renderSarifPerRepo` writes one log per
 *   repository against `%SRCROOT%`, ready to upload for that repository.
 * - A finding without a file points at its repository's root (`uri: "."`, no region). A finding without a
 *   range has no region: a made-up line 1 would put the alert on the wrong line.
 * - `partialFingerprints` carries the engine's fingerprint as `fleetlint/v1`. `primaryLocationLineHash` is
 *   left out on purpose: it is a rolling hash of the source line text, which a pure reporter does not have;
 *   GitHub's upload-sarif action computes it from the checkout, and a made-up value would disagree with it.
 */
import type { CheckMeta } from '../engine/check.js';
import { compareText } from '../model/finding-order.js';
import type { Finding, SourceRange } from '../model/findings.js';
import { FLEET_REPO, TOOL_NAME, docsUrl, encodePath, toolHome, isSecurityRule, reportRepos, reportRules, repoLabel, severityRank, sortedData } from './common.js';
import type { SarifArtifactLocation, SarifLocation, SarifLog, SarifResult, SarifRule, SarifRun } from './sarif-types.js';
import type { ReportInput } from './types.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** GitHub code scanning rejects a run with more results than this. */
export const SARIF_MAX_RESULTS = 25_000;

const FLEET_ROOT = 'FLEETROOT';
const SRC_ROOT = '%SRCROOT%';
/** GitHub's convention: security-severity by default level, for rules tagged `security`. */
const SECURITY_SEVERITY = { error: '8.0', warning: '5.0', note: '2.0' } as const;

/** Where a repo file lives in this log; undefined when the log cannot address that repository. */
type Locate = (repo: string, file: string | undefined) => SarifArtifactLocation | undefined;

export function renderSarif(input: ReportInput): string {
  return `${JSON.stringify(sarifLog(input), null, 2)}\n`;
}

/** The SARIF log as an object (serialised whole by renderSarif, in pieces by reportChunks). */
export function sarifLog(input: ReportInput): SarifLog {
  const bases = repoBaseIds([...reportRepos(input), ...relatedRepos(input.result.findings)]);
  const originalUriBaseIds: Record<string, SarifArtifactLocation> = {
    [FLEET_ROOT]: { description: { text: 'The folder that holds the fleet; each repository is checked out under it at its id.' } },
  };
  for (const [repo, id] of bases) originalUriBaseIds[id] = { uri: `${encodePath(repo)}/`, uriBaseId: FLEET_ROOT };
  const locate: Locate = (repo, file) => ({ uri: file === undefined ? '.' : encodePath(file), uriBaseId: bases.get(repo) ?? FLEET_ROOT });
  return logOf(buildRun(input, describeRules(input), input.result.findings, locate, originalUriBaseIds));
}

/**
 * One log per repository (fleet-level findings under `.`), every repo included so that fixed alerts close. Made one
 * at a time as the caller asks: the logs of ten thousand repositories (tens of kB each, every rule described in each)
 * are not held at once.
 */
export function* renderSarifPerRepo(input: ReportInput): Generator<[repo: string, log: string]> {
  const byRepo = new Map<string, Finding[]>(reportRepos(input).map((repo) => [repo, []]));
  for (const finding of input.result.findings) byRepo.get(finding.repo)?.push(finding);
  const rules = describeRules(input);
  for (const [repo, findings] of byRepo) {
    const locate: Locate = (where, file) => (where === repo ? { uri: file === undefined ? '.' : encodePath(file), uriBaseId: SRC_ROOT } : undefined);
    const description = repo === FLEET_REPO ? 'The fleet root' : `The root of repository ${repo}`;
    yield [repo, serialize(buildRun(input, rules, findings, locate, { [SRC_ROOT]: { description: { text: description } } }))];
  }
}

/** Every rule, in every log, so that a rule's index is the same in the fleet log and in each repository's. */
function describeRules(input: ReportInput): SarifRule[] {
  return reportRules(input).map((meta) => toRule(meta, input));
}

function buildRun(input: ReportInput, rules: SarifRule[], findings: readonly Finding[], locate: Locate, originalUriBaseIds: SarifRun['originalUriBaseIds']): SarifRun {
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const { kept, dropped } = truncate(findings);
  const notifications = dropped.length === 0 ? [] : [{
    level: 'warning' as const,
    descriptor: { id: 'results-truncated' },
    message: {
      text: `Only ${SARIF_MAX_RESULTS} of ${findings.length} results are included, the most that GitHub code scanning accepts in one run: ` +
        `errors first, then warnings, then notes, suppressed results last. Left out: ${describeLeftOut(dropped)}. The JSON report lists every finding.`,
    },
    properties: { leftOut: leftOutCounts(dropped) },
  }];
  return {
    tool: { driver: { name: TOOL_NAME, version: input.toolVersion, informationUri: toolHome(), rules } },
    automationDetails: { id: `${TOOL_NAME}/${input.command}/` },
    originalUriBaseIds,
    columnKind: 'unicodeCodePoints',
    invocations: [{ executionSuccessful: true, ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}) }],
    results: kept.map((finding) => toResult(finding, ruleIndex.get(finding.ruleId) ?? -1, locate)),
  };
}

function toRule(meta: CheckMeta, input: ReportInput): SarifRule {
  const url = docsUrl(meta, input);
  const help = meta.help.trim() === '' ? meta.shortDescription : meta.help;
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.shortDescription },
    fullDescription: { text: meta.fullDescription },
    help: { text: `${plainText(help)}\n\nDocs: ${url}`, markdown: `${help}\n\n[Documentation](${url})` },
    helpUri: url,
    defaultConfiguration: { level: meta.defaultSeverity },
    properties: {
      tags: [...new Set(meta.tags)].sort(compareText),
      ...(isSecurityRule(meta) ? { 'security-severity': SECURITY_SEVERITY[meta.defaultSeverity] } : {}),
    },
  };
}

function toResult(finding: Finding, ruleIndex: number, locate: Locate): SarifResult {
  const related = (finding.related ?? []).map((where, index) => ({ id: index + 1, ...location(where, locate) }));
  const suppression = finding.suppression;
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level: finding.severity,
    message: { text: finding.message },
    locations: [location(finding, locate)],
    ...(related.length > 0 ? { relatedLocations: related } : {}),
    partialFingerprints: { 'fleetlint/v1': finding.fingerprint },
    ...(finding.data ? { properties: { data: sortedData(finding.data) } } : {}),
    ...(suppression
      ? {
          suppressions: [{
            kind: suppression.kind === 'inline' ? 'inSource' : 'external',
            status: 'accepted',
            justification: suppression.reason,
            ...(suppression.location ? { location: location(suppression.location, locate) } : {}),
          }],
        }
      : {}),
  };
}

function location(where: { repo: string; file?: string; range?: SourceRange }, locate: Locate): SarifLocation {
  const artifactLocation = locate(where.repo, where.file);
  if (!artifactLocation) {
    // Another repository than the one this log is for: say where, without a location the consumer cannot resolve.
    const line = where.range ? `:${where.range.startLine}:${where.range.startColumn}` : '';
    return { message: { text: `${repoLabel(where.repo)}: ${where.file ?? '.'}${line}` } };
  }
  const region = where.file !== undefined && where.range && where.range.startLine >= 1 ? toRegion(where.range) : undefined;
  return { physicalLocation: { artifactLocation, ...(region ? { region } : {}) } };
}

function toRegion(range: SourceRange): SourceRange {
  const startColumn = Math.max(1, range.startColumn);
  const endLine = Math.max(range.startLine, range.endLine);
  const endColumn = endLine === range.startLine ? Math.max(startColumn, range.endColumn) : Math.max(1, range.endColumn);
  return { startLine: range.startLine, startColumn, endLine, endColumn };
}

/** Keeps the most severe results (errors, then warnings, then notes), unsuppressed before suppressed, in their original order. */
function truncate(findings: readonly Finding[]): { kept: readonly Finding[]; dropped: readonly Finding[] } {
  if (findings.length <= SARIF_MAX_RESULTS) return { kept: findings, dropped: [] };
  const priority = (finding: Finding): number => (finding.suppression ? 3 : 0) + severityRank(finding.severity);
  const keep = new Set(
    findings
      .map((finding, index) => ({ index, rank: priority(finding) }))
      .sort((a, b) => a.rank - b.rank || a.index - b.index)
      .slice(0, SARIF_MAX_RESULTS)
      .map((entry) => entry.index),
  );
  return { kept: findings.filter((_, index) => keep.has(index)), dropped: findings.filter((_, index) => !keep.has(index)) };
}

/** The results left out, by severity (suppressed apart) and by rule: what a reader of the cut log does not see. */
function leftOutCounts(dropped: readonly Finding[]): { severity: string; suppressed: boolean; rules: Record<string, number>; count: number }[] {
  const groups = new Map<string, { severity: string; suppressed: boolean; rules: Record<string, number>; count: number }>();
  const ordered = [...dropped].sort((a, b) => Number(a.suppression !== undefined) - Number(b.suppression !== undefined) || severityRank(a.severity) - severityRank(b.severity));
  for (const finding of ordered) {
    const suppressed = finding.suppression !== undefined;
    const key = `${String(suppressed)}:${finding.severity}`;
    let group = groups.get(key);
    if (!group) {
      group = { severity: finding.severity, suppressed, rules: {}, count: 0 };
      groups.set(key, group);
    }
    group.count++;
    group.rules[finding.ruleId] = (group.rules[finding.ruleId] ?? 0) + 1;
  }
  for (const group of groups.values()) group.rules = Object.fromEntries(Object.entries(group.rules).sort(([a], [b]) => compareText(a, b)));
  return [...groups.values()];
}

/** `120 notes (no-secrets 100, parse-error 20), 3 suppressed warnings (no-latest-tag 3)`. */
function describeLeftOut(dropped: readonly Finding[]): string {
  return leftOutCounts(dropped)
    .map((group) => {
      const rules = Object.entries(group.rules).map(([rule, count]) => `${rule} ${String(count)}`).join(', ');
      return `${String(group.count)} ${group.suppressed ? 'suppressed ' : ''}${group.severity}${group.count === 1 ? '' : 's'} (${rules})`;
    })
    .join(', ');
}

/** A readable uriBaseId per repository (`REPO_core-services_networking_traefik`), unique within the log. */
function repoBaseIds(repos: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set([FLEET_ROOT]);
  for (const repo of repos) {
    if (repo === FLEET_REPO || ids.has(repo)) continue;
    const base = `REPO_${repo.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(repo, id);
  }
  return ids;
}

/** Repos that only related locations or suppression comments name still need a base id. */
function relatedRepos(findings: readonly Finding[]): string[] {
  const repos = findings.flatMap((finding) => [...(finding.related ?? []), ...(finding.suppression?.location ? [finding.suppression.location] : [])].map((where) => where.repo));
  return [...new Set(repos)].sort(compareText);
}

/** Markdown help as plain text: code spans and emphasis markers dropped. */
function plainText(markdown: string): string {
  return markdown.replace(/`([^`]*)`/g, '$1').replace(/(\*\*|__)(.*?)\1/g, '$2');
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function logOf(run: SarifRun): SarifLog {
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

function serialize(run: SarifRun): string {
  return `${JSON.stringify(logOf(run), null, 2)}\n`;
}

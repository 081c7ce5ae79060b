/**
 * The audit report's content, computed once and rendered twice (html.ts, markdown.ts): the fleet score, findings
 * by rule and by repository, the repository × required-scan coverage matrix, the sync-wave graph, and what is new
 * or fixed since a previous run. Pure data: no formatting, no I/O, deterministic order everywhere. Each part has
 * its module under audit/; what the report needs from the model comes as `FleetFacts` (audit/facts.ts).
 */
import type { CheckMeta } from '../engine/check.js';
import { compareText } from '../model/finding-order.js';
import type { Finding, Severity } from '../model/findings.js';
import type { RepoKind } from '../model/types.js';
import { activeFindings, countBySeverity, docsUrl, FLEET_REPO, reportRepos, reportRules, type SeverityCounts } from './common.js';
import { coverage, type Coverage } from './audit/coverage.js';
import type { FleetFacts } from './audit/facts.js';
import { dataKind } from './audit/finding-data.js';
import { changes, type Changes, type PreviousRun } from './audit/previous.js';
import { reportReposOf, scoreOf, type Score } from './audit/score.js';
import { waveGraph, type WaveGraph } from './audit/waves.js';
import type { ReportInput } from './types.js';

/** What the audit report needs beyond the run result; every field is optional. */
export interface AuditContext {
  facts?: FleetFacts;
  previous?: PreviousRun;
  /** A line shown under the title, as given (`--report-label`): fleetlint never makes up a date. */
  label?: string;
  /** How many findings the baseline accepted; they are shown as suppressed, not hidden. */
  baselineAccepted?: number;
}

export interface AuditSummary {
  title: string;
  label?: string;
  toolVersion: string;
  score: Score;
  previousScore?: Score;
  /** Findings the baseline accepted (shown as suppressed). */
  baselineAccepted: number;
  /** Repositories named by a `crawl-error` that were not audited (a failed clone). */
  notAudited: string[];
  /** Projects skipped on purpose (archived, empty): fleet-level crawl notes. */
  skipped: number;
  byRule: RuleRow[];
  byRepo: RepoRow[];
  coverage?: Coverage;
  waves?: WaveGraph;
  changes?: Changes;
  /** Unsuppressed findings grouped by repository, in report order. */
  findingsByRepo: { repo: string; label: string; findings: Finding[] }[];
}

export interface RuleRow {
  ruleId: string;
  description: string;
  docsUrl?: string;
  counts: SeverityCounts;
  total: number;
  /** Repositories with at least one unsuppressed finding of the rule. */
  repos: number;
}

export interface RepoRow {
  repo: string;
  label: string;
  counts: SeverityCounts;
  total: number;
  /** The most severe unsuppressed finding, or clean. */
  status: Severity | 'clean';
  kinds?: RepoKind[];
}

export function auditSummary(input: ReportInput): AuditSummary {
  const context = input.audit ?? {};
  const findings = input.result.findings;
  const active = activeFindings(findings);
  const repos = reportRepos(input);
  const audited = new Set(input.repos);
  const notAudited = [...new Set(active.filter((f) => f.ruleId === 'crawl-error' && f.repo !== FLEET_REPO && !audited.has(f.repo)).map((f) => f.repo))].sort(compareText);
  const facts = context.facts;
  const kindsOf = new Map(facts?.repos.map((repo) => [repo.id, repo.kinds]));

  const summary: AuditSummary = {
    title: input.command === 'audit' ? 'Fleet audit' : `fleetlint ${input.command}`,
    ...(context.label !== undefined && context.label !== '' ? { label: context.label } : {}),
    toolVersion: input.toolVersion,
    score: scoreOf(repos, findings.map((f) => ({ repo: f.repo, severity: f.severity, suppressed: f.suppression !== undefined }))),
    baselineAccepted: context.baselineAccepted ?? 0,
    notAudited,
    skipped: active.filter((f) => f.ruleId === 'crawl-error' && f.repo === FLEET_REPO && dataKind(f) === 'skipped').length,
    byRule: byRule(input, active),
    byRepo: repos.map((repo) => repoRow(repo, active, kindsOf.get(repo))),
    findingsByRepo: repos
      .map((repo) => ({ repo, label: repoLabelOf(repo), findings: active.filter((f) => f.repo === repo) }))
      .filter((group) => group.findings.length > 0),
  };
  if (context.previous) {
    const previous = context.previous;
    const previousRepos = reportReposOf(previous.repos, previous.findings.map((f) => f.repo));
    summary.previousScore = scoreOf(previousRepos, previous.findings);
    summary.changes = changes(findings, previous, audited, new Set(notAudited));
  }
  if (facts) {
    summary.coverage = coverage(facts, findings);
    if (facts.applications.length > 0) summary.waves = waveGraph(facts, findings);
  }
  return summary;
}

function byRule(input: ReportInput, active: readonly Finding[]): RuleRow[] {
  const metaById = new Map<string, CheckMeta>(reportRules(input).map((meta) => [meta.id, meta]));
  const groups = new Map<string, Finding[]>();
  for (const finding of active) groups.set(finding.ruleId, [...(groups.get(finding.ruleId) ?? []), finding]);
  const rows = [...groups].map(([ruleId, list]): RuleRow => {
    const meta = metaById.get(ruleId);
    return {
      ruleId,
      description: meta?.shortDescription ?? ruleId,
      ...(meta ? { docsUrl: docsUrl(meta, input) } : {}),
      counts: countBySeverity(list),
      total: list.length,
      repos: new Set(list.map((f) => f.repo)).size,
    };
  });
  return rows.sort((a, b) => b.counts.error - a.counts.error || b.counts.warning - a.counts.warning || b.counts.note - a.counts.note || compareText(a.ruleId, b.ruleId));
}

function repoRow(repo: string, active: readonly Finding[], kinds: RepoKind[] | undefined): RepoRow {
  const counts = countBySeverity(active.filter((f) => f.repo === repo));
  const status = counts.error > 0 ? 'error' : counts.warning > 0 ? 'warning' : counts.note > 0 ? 'note' : 'clean';
  return { repo, label: repoLabelOf(repo), counts, total: counts.error + counts.warning + counts.note, status, ...(kinds ? { kinds } : {}) };
}

function repoLabelOf(repo: string): string {
  return repo === FLEET_REPO ? '(fleet)' : repo;
}

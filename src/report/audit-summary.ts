/**
 * The audit report's content, computed once and rendered twice (html.ts, markdown.ts): the fleet score, findings
 * by rule and by repository, the repository × required-scan coverage matrix, the sync-wave graph, and what is new
 * or fixed since a previous run. Pure data: no formatting, no I/O, deterministic order everywhere.
 *
 * The reporters see only the run result, so what the audit report needs from the model (repo kinds, pipelines,
 * Applications and their inferred dependencies) is passed in as `FleetFacts`, a plain snapshot made by
 * `fleetFacts()` from the loaded fleet.
 */
import type { CheckMeta } from '../engine/check.js';
import { compareText } from '../model/finding-order.js';
import type { Finding, Severity } from '../model/findings.js';
import type { Fleet, RepoKind } from '../model/types.js';
import { activeFindings, countBySeverity, docsUrl, FLEET_REPO, reportRepos, reportRules, type SeverityCounts } from './common.js';
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

export interface FleetFacts {
  /** Every repository of the model, sorted by id. */
  repos: RepoFacts[];
  /** Every ArgoCD Application, sorted by repo then name. */
  applications: AppFacts[];
  /** Application dependencies the model inferred, sorted. */
  dependencies: DependencyFacts[];
}

export interface RepoFacts {
  id: string;
  kinds: RepoKind[];
  /** The repo has a `.gitlab-ci.yml`. */
  pipeline: boolean;
  /**
   * Scan categories required-scans requires of this repo (from its kinds and the rule's `requirements` option,
   * whether or not it has a pipeline); absent when the rule is off for it.
   */
  requiredScans?: string[];
}

export interface AppFacts {
  repo: string;
  name: string;
  wave: number;
  waveValid: boolean;
}

export interface DependencyFacts {
  fromRepo: string;
  from: string;
  toRepo: string;
  to: string;
  capability: string;
}

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

/**
 * The scan categories required-scans requires by default (policies/required-scans.rego, `requirements`): kept in
 * step with the policy by test/audit/audit-summary.test.ts, which checks the matrix against the policy's findings.
 */
export const DEFAULT_SCAN_REQUIREMENTS: Readonly<Record<string, readonly string[]>> = {
  terraform: ['iac'],
  helm: ['manifests'],
  'k8s-manifests': ['manifests'],
  docker: ['image'],
  pipeline: ['secrets'],
};

/** The columns of the coverage matrix, in this order; categories from custom requirements follow, sorted. */
export const SCAN_CATEGORIES: readonly string[] = ['iac', 'manifests', 'image', 'secrets'];

/** The categories required of a repo with these kinds; `pipeline` lists what every pipeline needs. */
export function requiredScanCategories(kinds: readonly string[], requirements: Readonly<Record<string, readonly string[]>> = DEFAULT_SCAN_REQUIREMENTS): string[] {
  const required = new Set(requirements.pipeline ?? []);
  for (const kind of kinds) for (const category of requirements[kind] ?? []) required.add(category);
  return [...required].sort(compareText);
}

/**
 * The facts the audit report draws from the model. `requirementsFor` gives the required-scans `requirements`
 * in force for a repo (config and overrides applied), or undefined when the rule is off there.
 */
export function fleetFacts(fleet: Fleet, requirementsFor: (repoId: string) => Readonly<Record<string, readonly string[]>> | undefined): FleetFacts {
  const repos = fleet.repos.map((repo): RepoFacts => {
    const requirements = requirementsFor(repo.id);
    return {
      id: repo.id,
      kinds: [...repo.kinds],
      pipeline: repo.ci !== undefined,
      ...(requirements ? { requiredScans: requiredScanCategories(repo.kinds, requirements) } : {}),
    };
  });
  const applications = fleet.repos.flatMap((repo) =>
    repo.argocd.applications.map((app): AppFacts => ({ repo: repo.id, name: app.name, wave: app.wave, waveValid: app.waveValid })),
  );
  applications.sort((a, b) => compareText(a.repo, b.repo) || compareText(a.name, b.name));
  const dependencies = fleet.dependencies.map((d): DependencyFacts => ({ fromRepo: d.fromRepo, from: d.from, toRepo: d.toRepo, to: d.to, capability: d.capability }));
  dependencies.sort((a, b) => compareText(appKey(a.fromRepo, a.from), appKey(b.fromRepo, b.from)) || compareText(appKey(a.toRepo, a.to), appKey(b.toRepo, b.to)) || compareText(a.capability, b.capability));
  return { repos, applications, dependencies };
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

// ---------------------------------------------------------------------------------------------------------------

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

export interface Score {
  /** 100 × clean repositories / repositories, one decimal; 100 for an empty fleet. */
  value: number;
  /** Repositories with no unsuppressed error. */
  clean: number;
  /** Repositories the score is over: every audited repository and every repository a finding names, not the fleet itself. */
  repos: number;
  bySeverity: SeverityCounts;
  suppressed: number;
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

export type CoverageState = 'ok' | 'missing' | 'not-gating' | 'non-blocking' | 'not-required' | 'no-pipeline' | 'unchecked';

export const COVERAGE_LABELS: Readonly<Record<CoverageState, string>> = {
  ok: 'ok',
  missing: 'missing',
  'not-gating': 'not gating',
  'non-blocking': 'non-blocking',
  'not-required': 'not required',
  'no-pipeline': 'no pipeline',
  unchecked: 'not checked',
};

export interface CoverageCell {
  state: CoverageState;
  /** The finding behind the state is suppressed (inline, waiver or baseline). */
  suppressed: boolean;
  /** The finding's message, for a tooltip. */
  message?: string;
}

export interface Coverage {
  categories: string[];
  /** Repos with a pipeline, and repos with deployable content and no pipeline; sorted by id. */
  rows: { repo: string; pipeline: boolean; cells: CoverageCell[] }[];
  /** Per category (same order), how many rows are in each state. */
  totals: Record<CoverageState, number>[];
  /** Repos left out: no pipeline and nothing that needs one. */
  omitted: number;
}

export interface WaveApp {
  key: string;
  repo: string;
  name: string;
  wave: number;
  waveValid: boolean;
  dependsOn: { key: string; repo: string; name: string; wave?: number; capabilities: string[]; violation: boolean }[];
  /** sync-wave-order findings about the app itself: invalid wave, outside its band, cycle, spec.syncWaves. */
  problems: { severity: Severity; message: string; suppressed: boolean }[];
  /** Some dependency order or problem of the app is an unsuppressed finding. */
  flagged: boolean;
}

export interface WaveEdge {
  /** The dependent app: it must sync after `to`. */
  from: string;
  to: string;
  capabilities: string[];
  violation: boolean;
}

export interface WaveGraph {
  columns: { wave: number; apps: WaveApp[] }[];
  edges: WaveEdge[];
  violations: number;
}

export interface Changes {
  /** Unsuppressed findings whose fingerprint the previous run did not report unsuppressed. */
  added: Finding[];
  /** Previous unsuppressed findings gone from this run, in repositories that were audited (or are gone). */
  fixed: PreviousFinding[];
  /** Previous unsuppressed findings now suppressed. */
  suppressed: number;
  /** Previous unsuppressed findings of repositories this run could not audit: neither fixed nor open. */
  unknown: number;
}

const COVERAGE_STATES: readonly CoverageState[] = ['ok', 'missing', 'not-gating', 'non-blocking', 'not-required', 'no-pipeline', 'unchecked'];

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
    skipped: active.filter((f) => f.ruleId === 'crawl-error' && f.repo === FLEET_REPO && (f.subject ?? '').startsWith('skipped:')).length,
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

function scoreOf(repos: readonly string[], findings: readonly { repo: string; severity: Severity; suppressed: boolean }[]): Score {
  const counted = repos.filter((repo) => repo !== FLEET_REPO);
  const active = findings.filter((f) => !f.suppressed);
  const failing = new Set(active.filter((f) => f.severity === 'error').map((f) => f.repo));
  const clean = counted.filter((repo) => !failing.has(repo)).length;
  const bySeverity: SeverityCounts = { error: 0, warning: 0, note: 0 };
  for (const finding of active) bySeverity[finding.severity] += 1;
  return {
    value: counted.length === 0 ? 100 : Math.round((1000 * clean) / counted.length) / 10,
    clean,
    repos: counted.length,
    bySeverity,
    suppressed: findings.length - active.length,
  };
}

/** The same repo list reportRepos gives, for a previous report. */
function reportReposOf(listed: readonly string[], named: readonly string[]): string[] {
  const known = new Set(listed);
  return [...listed, ...[...new Set(named.filter((repo) => !known.has(repo)))].sort(compareText)];
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
      ...(meta ? { docsUrl: docsUrl(meta) } : {}),
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

function changes(findings: readonly Finding[], previous: PreviousRun, audited: ReadonlySet<string>, notAudited: ReadonlySet<string>): Changes {
  const previousActive = previous.findings.filter((f) => !f.suppressed);
  const previousActiveFingerprints = new Set(previousActive.map((f) => f.fingerprint));
  const current = new Map(findings.map((f) => [f.fingerprint, f]));
  const added = findings.filter((f) => !f.suppression && !previousActiveFingerprints.has(f.fingerprint));
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
    if (notAudited.has(old.repo) && !audited.has(old.repo)) unknown += 1;
    else fixed.push(old);
  }
  return { added, fixed, suppressed, unknown };
}

function coverage(facts: FleetFacts, findings: readonly Finding[]): Coverage {
  const scanFindings = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (finding.ruleId !== 'required-scans') continue;
    const key = `${finding.repo}\u0000${finding.subject ?? ''}`;
    scanFindings.set(key, [...(scanFindings.get(key) ?? []), finding]);
  }
  const findingFor = (repo: string, subject: string): Finding | undefined => {
    const list = scanFindings.get(`${repo}\u0000${subject}`) ?? [];
    return list.find((f) => !f.suppression) ?? list[0];
  };
  const extra = new Set<string>();
  for (const repo of facts.repos) for (const category of repo.requiredScans ?? []) if (!SCAN_CATEGORIES.includes(category)) extra.add(category);
  const categories = [...SCAN_CATEGORIES, ...[...extra].sort(compareText)];

  const rows: Coverage['rows'] = [];
  let omitted = 0;
  for (const repo of facts.repos) {
    const noPipeline = repo.pipeline ? undefined : findingFor(repo.id, 'no-pipeline');
    if (!repo.pipeline && !noPipeline) {
      omitted += 1;
      continue;
    }
    const cells = categories.map((category): CoverageCell => {
      if (repo.requiredScans === undefined) return { state: 'unchecked', suppressed: false };
      if (!repo.requiredScans.includes(category)) return { state: 'not-required', suppressed: false };
      if (noPipeline) return { state: 'no-pipeline', suppressed: noPipeline.suppression !== undefined, message: noPipeline.message };
      for (const state of ['missing', 'not-gating', 'non-blocking'] as const) {
        const finding = findingFor(repo.id, `${state}:${category}`);
        if (finding) return { state, suppressed: finding.suppression !== undefined, message: finding.message };
      }
      return { state: 'ok', suppressed: false };
    });
    rows.push({ repo: repo.id, pipeline: repo.pipeline, cells });
  }
  const totals = categories.map((_, index) => {
    const counts = Object.fromEntries(COVERAGE_STATES.map((state) => [state, 0])) as Record<CoverageState, number>;
    for (const row of rows) {
      const cell = row.cells[index];
      if (cell) counts[cell.state] += 1;
    }
    return counts;
  });
  return { categories, rows, totals, omitted };
}

export function appKey(repo: string, name: string): string {
  return `${repo}#${name}`;
}

function waveGraph(facts: FleetFacts, findings: readonly Finding[]): WaveGraph {
  const apps = new Map<string, WaveApp>();
  for (const app of facts.applications) {
    const key = appKey(app.repo, app.name);
    // Two Applications with one name in one repo (two files): the first is drawn, as ArgoCD would refuse the second.
    if (!apps.has(key)) apps.set(key, { key, repo: app.repo, name: app.name, wave: app.wave, waveValid: app.waveValid, dependsOn: [], problems: [], flagged: false });
  }
  const violated = new Map<string, boolean>();
  for (const finding of findings) {
    if (finding.ruleId !== 'sync-wave-order' || finding.subject === undefined) continue;
    const suppressed = finding.suppression !== undefined;
    const [kind, rest = ''] = splitOnce(finding.subject, ':');
    if (kind === 'order') {
      const [from, to = ''] = splitOnce(rest, '->');
      const edge = `${from}\u0000${to}`;
      violated.set(edge, (violated.get(edge) ?? false) || !suppressed);
      const app = apps.get(from);
      if (app && !suppressed) app.flagged = true;
      continue;
    }
    const keys = kind === 'cycle' ? rest.split(',') : [rest];
    for (const key of keys) {
      const app = apps.get(key);
      if (!app) continue;
      app.problems.push({ severity: finding.severity, message: finding.message, suppressed });
      if (!suppressed) app.flagged = true;
    }
  }

  const edges = new Map<string, WaveEdge>();
  for (const dependency of facts.dependencies) {
    const from = appKey(dependency.fromRepo, dependency.from);
    const to = appKey(dependency.toRepo, dependency.to);
    const id = `${from}\u0000${to}`;
    const edge = edges.get(id);
    if (edge) {
      if (!edge.capabilities.includes(dependency.capability)) edge.capabilities.push(dependency.capability);
    } else {
      edges.set(id, { from, to, capabilities: [dependency.capability], violation: violated.get(id) === true });
    }
  }
  for (const edge of edges.values()) {
    edge.capabilities.sort(compareText);
    const app = apps.get(edge.from);
    const target = apps.get(edge.to);
    app?.dependsOn.push({
      key: edge.to,
      repo: target?.repo ?? edge.to.slice(0, edge.to.lastIndexOf('#')),
      name: target?.name ?? edge.to.slice(edge.to.lastIndexOf('#') + 1),
      ...(target ? { wave: target.wave } : {}),
      capabilities: edge.capabilities,
      violation: edge.violation,
    });
  }
  const byWave = new Map<number, WaveApp[]>();
  for (const app of apps.values()) {
    app.dependsOn.sort((a, b) => compareText(a.name, b.name) || compareText(a.repo, b.repo));
    byWave.set(app.wave, [...(byWave.get(app.wave) ?? []), app]);
  }
  const columns = [...byWave]
    .sort(([a], [b]) => a - b)
    .map(([wave, list]) => ({ wave, apps: list.sort((a, b) => compareText(a.name, b.name) || compareText(a.repo, b.repo)) }));
  const sortedEdges = [...edges.values()].sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to));
  return { columns, edges: sortedEdges, violations: sortedEdges.filter((edge) => edge.violation).length };
}

function splitOnce(text: string, separator: string): [string, string?] {
  const index = text.indexOf(separator);
  return index === -1 ? [text] : [text.slice(0, index), text.slice(index + separator.length)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

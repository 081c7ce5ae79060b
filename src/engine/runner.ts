import type { Finding, FindingData, FindingDraft, JsonValue, SourceLocation } from '../model/findings.js';
import type { Fleet } from '../model/types.js';
import { withRange } from '../model/locate-finding.js';
import { includeSite } from '../model/gitlab-ci/include-site.js';
import { locatePath } from '../model/yaml/locate.js';
import { isRepoCheck, type Check, type CheckMeta, type CheckReport, type FleetCheck } from './check.js';
import { checkRepo, optionsHash, type PlannedCheck, type RepoCheckResults, type StoredCheckResult } from './repo-checks.js';
import type { FleetlintConfig } from './config-types.js';
import { applySeverity, ruleSettingFor, type EffectiveRuleSetting } from './rule-settings.js';
import { fingerprintAll } from './fingerprint.js';
import { capPerFileAndRule } from './finding-cap.js';
import { compareFindings } from '../model/finding-order.js';
import { collectSuppressions, matchSuppression, unusedSuppressionFindings, type InlineSuppression } from './suppressions.js';
import { matchWaiver, waiverFindings, waiverStates } from './waivers.js';
import { DIAGNOSTICS } from './diagnostics.js';
import { redactSecrets } from '../secrets/mask.js';
import { globMatcher } from '../glob-matcher.js';

export interface RunOptions {
  fleet: Fleet;
  checks: readonly Check[];
  config: FleetlintConfig;
  /** Only these repos are checked (pre-commit and MR modes check one repo of a larger fleet). */
  repoIds?: ReadonlySet<string>;
  /** For waiver expiry; injectable so tests do not depend on the date. */
  today?: Date;
  /** Threads checks may use besides this one (RepoCheck.prepare); 1 (the default): none. */
  threads?: number;
  /** Repo-scope results made elsewhere (a build thread, the incremental cache, a shard), used instead of evaluating. */
  stored?: StoredResults;
}

/**
 * Repo-scope results the runner may use instead of evaluating a check (src/run/repo-results.ts keeps them). The
 * runner does everything else with them as with fresh ones (config severity, ranges, include sites, suppressions,
 * waivers, fingerprints, order), so a run that replays gives the same findings, byte for byte, as a fresh one.
 */
export interface StoredResults {
  /** A result of the check on the repo made with the options of this hash, if there is one. */
  find(repoId: string, checkId: string, optionsHash: string): StoredCheckResult | undefined;
  /** Called once per repo checked, with what was found and what was evaluated here. */
  checked?(repoId: string, found: RepoCheckResults, evaluated: RepoCheckResults): void;
}

export interface RunResult {
  /** Every finding, suppressed ones included (with `suppression` set), in the one output order. */
  findings: Finding[];
  /** Metadata of every check and diagnostic that can appear, sorted by id. */
  rules: CheckMeta[];
  /** Milliseconds per check id. */
  checkTimings: Record<string, number>;
}

export async function runChecks(options: RunOptions): Promise<RunResult> {
  const { fleet, checks, config } = options;
  const inScope = (repoId: string): boolean => !options.repoIds || options.repoIds.has(repoId) || repoId === '.';
  const repoById = new Map(fleet.repos.map((repo) => [repo.id, repo]));
  const metaById = new Map<string, CheckMeta>([...DIAGNOSTICS, ...checks.map((check) => check.meta)].map((meta) => [meta.id, meta]));
  const overridesCache = new Map<string, string>();
  /** Which config overrides apply to a repo: repos with the same ones share each rule's setting, options included. */
  const overridesOf = (repoId: string): string => {
    let key = overridesCache.get(repoId);
    if (key === undefined) overridesCache.set(repoId, (key = config.overrides.flatMap((override, index) => (globMatcher(override.repos)(repoId) ? [index] : [])).join(',')));
    return key;
  };
  const settingCache = new Map<string, EffectiveRuleSetting>();
  const settingFor = (meta: CheckMeta, repoId: string): EffectiveRuleSetting => {
    const key = `${meta.id}\u0000${overridesOf(repoId)}`;
    let setting = settingCache.get(key);
    if (!setting) settingCache.set(key, (setting = ruleSettingFor(config, meta, repoId)));
    return setting;
  };

  const drafts: FindingDraft[] = [];
  /** Applies the config (enabled, severity) to a finding of a known rule, and the range from its path. */
  const accept = (draft: FindingDraft): void => {
    if (!inScope(draft.repo)) return;
    const meta = metaById.get(draft.ruleId);
    if (meta) {
      const setting = settingFor(meta, draft.repo);
      if (!setting.enabled) return;
      draft = { ...draft, severity: applySeverity(draft.severity, meta, setting) };
    }
    drafts.push(withRange(scrubbed(draft), repoById));
  };

  fleet.diagnostics.forEach(accept);
  for (const repo of fleet.repos) if (inScope(repo.id)) repo.diagnostics.forEach(accept);

  const checkTimings: Record<string, number> = {};
  for (const check of checks) checkTimings[check.meta.id] = 0;
  const stored = options.stored;
  // Repo by repo, every repo-scope check of a repo together: what a check builds for a repo (a policy input) is
  // needed only while that repo is checked, so a 10,000-repo fleet never holds all of it at once.
  const repoChecks = checks.filter(isRepoCheck);
  for (const check of repoChecks) {
    check.prepare?.({
      fleet,
      threads: options.threads ?? 1,
      optionsFor: (repoId) => {
        const setting = settingFor(check.meta, repoId);
        if (!inScope(repoId) || !setting.enabled) return undefined;
        // Repos whose results will be replayed need no work ahead.
        return stored?.find(repoId, check.meta.id, optionsHash(setting.options)) ? undefined : setting.options;
      },
    });
  }
  for (const repo of fleet.repos) {
    if (!inScope(repo.id)) continue;
    const planned: PlannedCheck[] = [];
    for (const check of repoChecks) {
      const setting = settingFor(check.meta, repo.id);
      if (setting.enabled) planned.push({ check, options: setting.options });
    }
    const found: RepoCheckResults = {};
    const toEvaluate = stored
      ? planned.filter(({ check, options }) => {
          const result = stored.find(repo.id, check.meta.id, optionsHash(options));
          if (result) found[check.meta.id] = result;
          return !result;
        })
      : planned;
    const evaluated = await checkRepo(toEvaluate, repo, fleet.settings, checkTimings);
    stored?.checked?.(repo.id, found, evaluated);
    for (const { check } of planned) {
      const result = found[check.meta.id] ?? evaluated[check.meta.id];
      if (!result) continue;
      if ('error' in result) accept(failure(check.meta, repo.id, result.error));
      else for (const report of result.reports) accept(toDraft(check.meta, repo.id, report, repoById));
    }
  }
  // A fleet-scope check runs once, with the top-level `rules:` options: overrides are per repo.
  for (const check of checks) {
    if (!isRepoCheck(check)) await runFleetCheck(check);
  }

  async function runFleetCheck(check: FleetCheck): Promise<void> {
    const started = performance.now();
    let reports: CheckReport[];
    try {
      reports = await check.run({ fleet, options: ruleSettingFor(config, check.meta, undefined).options });
    } catch (error) {
      accept(failure(check.meta, undefined, error instanceof Error ? error.message : String(error)));
      return;
    } finally {
      checkTimings[check.meta.id] = (checkTimings[check.meta.id] ?? 0) + performance.now() - started;
    }
    for (const report of reports) accept(toDraft(check.meta, undefined, report, repoById));
  }

  return { findings: suppress(drafts, fleet, config, options.today ?? new Date(), inScope, accept), rules: [...metaById.values()].sort((a, b) => (a.id < b.id ? -1 : 1)), checkTimings };
}

/** No message, subject or data may carry a credential, whatever the check or loader quoted: the one redaction step. */
function scrubbed(draft: FindingDraft): FindingDraft {
  const message = redactSecrets(draft.message);
  const subject = draft.subject === undefined ? undefined : redactSecrets(draft.subject);
  const data = draft.data === undefined ? undefined : (scrubbedJson(draft.data) as FindingData);
  if (message === draft.message && subject === draft.subject && data === draft.data) return draft;
  return { ...draft, message, ...(subject !== undefined ? { subject } : {}), ...(data !== undefined ? { data } : {}) };
}

/** The value with every string scrubbed; the same object when nothing changed. */
function scrubbedJson(value: JsonValue): JsonValue {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = value.map(scrubbedJson);
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  const entries = Object.entries(value).map(([key, item]): [string, JsonValue] => [key, scrubbedJson(item)]);
  return entries.some(([key, item]) => item !== value[key]) ? Object.fromEntries(entries) : value;
}

/** A check that threw: a finding on the repo it was checking (the fleet, `.`, for a fleet-scope check). */
function failure(meta: CheckMeta, repoId: string | undefined, message: string): FindingDraft {
  return {
    ruleId: 'internal-error',
    severity: 'error',
    message: `check ${meta.id} failed${repoId !== undefined ? ` on ${repoId}` : ''}: ${message}`,
    repo: repoId ?? '.',
    subject: `internal-error:${meta.id}`,
  };
}

type RepoById = ReadonlyMap<string, Fleet['repos'][number]>;

function toDraft(meta: CheckMeta, repoId: string | undefined, report: CheckReport, repoById: RepoById): FindingDraft {
  const { severity, repo: reportRepo, origin, related, ...rest } = report;
  const repo = reportRepo ?? repoId ?? '.';
  const draft: FindingDraft = { ...rest, ruleId: meta.id, severity: severity ?? meta.defaultSeverity, repo, help: meta.help };
  const relatedPlaces = related?.map((where) => located(where, repoById));
  if (!origin) return relatedPlaces ? { ...draft, related: relatedPlaces } : draft;
  if (origin.repo !== repo) {
    // The fact lives in another repo (a CI template): the finding goes to this repo's include of it.
    const pipeline = repoById.get(repo)?.ci;
    return { ...draft, ...(pipeline ? includeSite(repo, pipeline, origin.repo) : {}), related: [located(origin, repoById), ...(relatedPlaces ?? [])] };
  }
  return { ...draft, ...placeOf(origin), ...(relatedPlaces ? { related: relatedPlaces } : {}) };
}

/** An origin in the finding's own repo as its place: a path (given its range later) is preferred to a range. */
function placeOf(origin: SourceLocation): Pick<FindingDraft, 'file' | 'path' | 'docIndex' | 'range'> {
  if (origin.path) return { file: origin.file, path: origin.path, ...(origin.docIndex !== undefined ? { docIndex: origin.docIndex } : {}) };
  return origin.range ? { file: origin.file, range: origin.range } : { file: origin.file };
}

/** A related location that names a path gets the path's range when its document is loaded, else whatever range it had. */
function located(location: SourceLocation, repoById: RepoById): SourceLocation {
  const { repo, file, path, range } = location;
  if (!path) return location;
  const document = repoById.get(repo)?.yaml.get(file)?.documents[location.docIndex ?? 0];
  if (document) return { repo, file, range: locatePath(document, path).range, path };
  return { repo, file, ...(range ? { range } : {}) };
}

/** Inline suppressions and waivers mark findings as suppressed; the unused ones become findings themselves. */
function suppress(
  drafts: FindingDraft[],
  fleet: Fleet,
  config: FleetlintConfig,
  today: Date,
  inScope: (repoId: string) => boolean,
  accept: (draft: FindingDraft) => void,
): Finding[] {
  const inline: InlineSuppression[] = [];
  for (const repo of fleet.repos) {
    if (!inScope(repo.id)) continue;
    const { suppressions, problems } = collectSuppressions(repo);
    inline.push(...suppressions);
    problems.forEach(accept);
  }
  const waivers = waiverStates(config.waivers, today);
  const findings = fingerprintAll(capPerFileAndRule(drafts.sort(compareFindings))).map((finding): Finding => {
    const comment = matchSuppression(finding, inline);
    if (comment) {
      return { ...finding, suppression: { kind: 'inline', reason: comment.reason, location: { repo: comment.repo, file: comment.file, range: { startLine: comment.line, startColumn: 1, endLine: comment.line, endColumn: 1 } } } };
    }
    const waiver = matchWaiver(finding, waivers);
    if (waiver) return { ...finding, suppression: { kind: 'waiver', reason: waiver.waiver.reason } };
    return finding;
  });
  const late = [...unusedSuppressionFindings(inline), ...waiverFindings(waivers, config.file)];
  if (late.length === 0) return findings;
  // Unused-suppression findings are known only now; they are added and the whole list re-sorted once.
  const before = drafts.length;
  late.forEach(accept);
  const extra = fingerprintAll(drafts.slice(before));
  return [...findings, ...extra].sort(compareFindings);
}

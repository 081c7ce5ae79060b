import type { Finding, FindingDraft } from '../model/findings.js';
import type { Fleet, Repo } from '../model/types.js';
import { withRange } from '../model/locate-finding.js';
import type { Check, CheckMeta, CheckReport } from './check.js';
import type { FleetlintConfig } from './config-types.js';
import { applySeverity, ruleSettingFor, type EffectiveRuleSetting } from './rule-settings.js';
import { fingerprintAll } from './fingerprint.js';
import { compareFindings } from './sort.js';
import { collectSuppressions, matchSuppression, unusedSuppressionFindings, type InlineSuppression } from './suppressions.js';
import { matchWaiver, waiverFindings, waiverStates } from './waivers.js';
import { DIAGNOSTICS } from './diagnostics.js';
import { scrubCredentials } from '../secrets/redact.js';
import { globMatcher } from '../glob-matcher.js';

export interface RunOptions {
  fleet: Fleet;
  checks: readonly Check[];
  config: FleetlintConfig;
  /** Only these repos are checked (pre-commit and MR modes check one repo of a larger fleet). */
  repoIds?: ReadonlySet<string>;
  /** For waiver expiry; injectable so tests do not depend on the date. */
  today?: Date;
  /** Threads checks may use besides this one (Check.prepare); 1 (the default): none. */
  threads?: number;
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
  const timed = async (check: Check, work: () => Promise<void>): Promise<void> => {
    const started = performance.now();
    await work();
    checkTimings[check.meta.id] = (checkTimings[check.meta.id] ?? 0) + performance.now() - started;
  };
  // Repo by repo, every repo-scope check of a repo together: what a check builds for a repo (a policy input) is
  // needed only while that repo is checked, so a 10,000-repo fleet never holds all of it at once.
  const repoChecks = checks.filter((check) => check.meta.scope !== 'fleet');
  for (const check of repoChecks) {
    check.prepare?.({
      fleet,
      threads: options.threads ?? 1,
      optionsFor: (repoId) => {
        const setting = settingFor(check.meta, repoId);
        return inScope(repoId) && setting.enabled ? setting.options : undefined;
      },
    });
  }
  for (const repo of fleet.repos) {
    if (!inScope(repo.id)) continue;
    for (const check of repoChecks) {
      const setting = settingFor(check.meta, repo.id);
      if (setting.enabled) await timed(check, () => runOne(check, repo, setting.options, accept));
    }
  }
  // A fleet-scope check runs once, with the top-level `rules:` options: overrides are per repo.
  for (const check of checks) {
    if (check.meta.scope === 'fleet') await timed(check, () => runOne(check, undefined, ruleSettingFor(config, check.meta, undefined).options, accept));
  }

  async function runOne(check: Check, repo: Repo | undefined, ruleOptions: Record<string, unknown>, sink: (draft: FindingDraft) => void): Promise<void> {
    let reports: CheckReport[];
    try {
      reports = await check.run({ fleet, ...(repo ? { repo } : {}), options: ruleOptions });
    } catch (error) {
      sink({
        ruleId: 'internal-error',
        severity: 'error',
        message: `check ${check.meta.id} failed${repo ? ` on ${repo.id}` : ''}: ${error instanceof Error ? error.message : String(error)}`,
        repo: repo?.id ?? '.',
        subject: `internal-error:${check.meta.id}`,
      });
      return;
    }
    for (const report of reports) sink(toDraft(check.meta, repo, report));
  }

  return { findings: suppress(drafts, fleet, config, options.today ?? new Date(), inScope, accept), rules: [...metaById.values()].sort((a, b) => (a.id < b.id ? -1 : 1)), checkTimings };
}

/** No message or subject may carry a credential, whatever the check or loader quoted. */
function scrubbed(draft: FindingDraft): FindingDraft {
  const message = scrubCredentials(draft.message);
  const subject = draft.subject === undefined ? undefined : scrubCredentials(draft.subject);
  if (message === draft.message && subject === draft.subject) return draft;
  return { ...draft, message, ...(subject !== undefined ? { subject } : {}) };
}

function toDraft(meta: CheckMeta, repo: Repo | undefined, report: CheckReport): FindingDraft {
  const { severity, repo: reportRepo, ...rest } = report;
  return { ...rest, ruleId: meta.id, severity: severity ?? meta.defaultSeverity, repo: reportRepo ?? repo?.id ?? '.', help: meta.help };
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
  const findings = fingerprintAll(drafts.sort(compareFindings)).map((finding): Finding => {
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

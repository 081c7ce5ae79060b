/**
 * Writing an audit's reports, shared by `audit` and `merge`: the usual formats through finish(), and the audit
 * report (html, markdown), which also needs facts from the model and the previous run to compare with.
 */
import { readFile } from 'node:fs/promises';
import type { Check } from '../engine/check.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import { readBaseline } from '../engine/baseline.js';
import { ruleSettingFor } from '../engine/rule-settings.js';
import type { RunResult } from '../engine/runner.js';
import type { Finding } from '../model/findings.js';
import type { Fleet } from '../model/types.js';
import type { RepoWeb } from '../model/web-link.js';
import { fleetFacts, type FleetFacts, type ScanRequirements } from '../report/audit/facts.js';
import { parsePreviousReport, type PreviousRun } from '../report/audit/previous.js';
import { AUDIT_REPORT_FORMATS, reportChunks, type ReportInput } from '../report/index.js';
import { writeReport } from './write-report.js';
import { finish, reported, type FinishOptions } from './finish.js';
import { UsageError } from '../usage-error.js';
import { toolVersion } from '../package.js';
import { redactDeep } from '../run/outbound.js';

export interface AuditOutputOptions extends Omit<FinishOptions, 'command'> {
  /** A previous `--format json` report to compare with. */
  previous?: string | undefined;
  /** A line under the audit report's title. */
  label?: string | undefined;
  /** Where each repo is in GitLab: the audit report links findings to their lines there. */
  web?: ReadonlyMap<string, RepoWeb> | undefined;
}

/**
 * The facts the audit report shows, from the model and the config: which scans are required where is the
 * required-scans `requirements` option in force for each repo (its default, from the policy's options schema, with
 * the config and overrides applied), exactly what the policy evaluates there.
 */
export function auditFacts(fleet: Fleet, config: FleetlintConfig, checks: readonly Check[]): FleetFacts {
  const requiredScans = checks.find((check) => check.meta.id === 'required-scans')?.meta;
  // Image references, repo URLs and job names as the files wrote them: redacted like the findings.
  const facts = fleetFacts(fleet, (repoId) => {
    if (!requiredScans) return undefined;
    const setting = ruleSettingFor(config, requiredScans, repoId);
    if (!setting.enabled) return undefined;
    const requirements = setting.options.requirements;
    return isRequirements(requirements) ? requirements : {};
  });
  return redactDeep(facts);
}

function isRequirements(value: unknown): value is ScanRequirements {
  return typeof value === 'object' && value !== null && Object.values(value).every((list) => Array.isArray(list) && list.every((item) => typeof item === 'string'));
}

export async function readPrevious(path: string): Promise<PreviousRun> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--previous ${path}: cannot be read as JSON: ${(error as Error).message}`);
  }
  try {
    return parsePreviousReport(value, path);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Writes every requested report and returns the exit code (finish() decides it). */
export async function writeAuditOutput(result: RunResult, repos: string[], facts: FleetFacts | undefined, options: AuditOutputOptions): Promise<number> {
  const isAuditFormat = (format: string): boolean => (AUDIT_REPORT_FORMATS as readonly string[]).includes(format);
  // Read before anything is written: a bad --previous must not leave half the reports behind.
  const previous = options.previous !== undefined ? await readPrevious(options.previous) : undefined;
  const finishOptions: FinishOptions = { ...options, command: 'audit', formats: options.formats.filter((request) => !isAuditFormat(request.format)) };
  const code = await finish(result, repos, finishOptions);
  const label = options.label;
  const requests = options.formats.filter((request) => isAuditFormat(request.format));
  if (requests.length === 0) return code;

  // The baseline's findings are shown as suppressed rather than dropped: the coverage matrix must not call a
  // missing scan "ok" because a team accepted it.
  let findings: Finding[] = result.findings;
  let accepted = 0;
  if (options.baseline !== undefined) {
    const known = await readBaseline(options.baseline);
    findings = findings.map((finding) => {
      if (finding.suppression || !known.has(finding.fingerprint)) return finding;
      accepted += 1;
      return { ...finding, suppression: { kind: 'waiver', reason: 'accepted in the baseline' } };
    });
  }
  const input: ReportInput = {
    result: { ...result, findings: reported(findings, options) },
    ...(options.docsUrl !== undefined ? { docsBaseUrl: options.docsUrl } : {}),
    toolVersion: toolVersion(),
    repos,
    command: 'audit',
    audit: {
      ...(facts ? { facts } : {}),
      ...(previous ? { previous } : {}),
      ...(label !== undefined ? { label } : {}),
      ...(options.web && options.web.size > 0 ? { web: Object.fromEntries(options.web) } : {}),
      baselineAccepted: accepted,
    },
  };
  for (const request of requests) {
    await writeReport(request.path, reportChunks(request.format, input));
  }
  return code;
}

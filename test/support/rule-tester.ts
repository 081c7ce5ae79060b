/**
 * A rule tester in the style of ESLint's RuleTester: a rule's test lists valid and invalid cases literally,
 * each a small fleet of literal files, and the tester registers one vitest `it` per case. It tests TypeScript
 * rules (`ruleTester`) and the built-in Rego policies (`policyTester`) alike: files in, findings out.
 *
 * Each case runs the real pipeline: `fleetFromFiles` (the real loaders), a config enabling only the rule
 * under test with the case's options (read by the real config parser, so options are validated against the
 * rule's schema), and `runChecks` with only that check, so ranges are resolved from YAML paths exactly as
 * in production. A policy is the compiled one in policies/bundle.tar.gz, evaluated by the WASM host with the
 * config's data, as `fleetlint audit` loads it. Positions are 1-based.
 */
import { describe, it } from 'vitest';
import type { Check, CheckMeta } from '../../src/engine/check.js';
import { builtinChecks } from '../../src/run/checks.js';
import { parseConfig } from '../../src/engine/config.js';
import type { FleetlintConfig } from '../../src/engine/config-types.js';
import { builtinRuleMetas } from '../../src/run/registry.js';
import { runChecks } from '../../src/engine/runner.js';
import type { Finding, Severity } from '../../src/model/findings.js';
import type { FleetSettings } from '../../src/model/types.js';
import { fleetFromFiles, TEST_SETTINGS, type FleetFiles } from './fleet.js';

/** The repo id used when a case gives `files` (one repo) instead of `repos`. */
export const SINGLE_REPO_ID = 'svc';

interface CaseBase {
  /** Unique within the rule's cases; it names the vitest test. */
  name: string;
  /** The rule's options, as a user would write them under `rules.<id>.options`. */
  options?: Record<string, unknown>;
  /** Other top-level config keys (`extends`, `scanners`), as a user would write them; not `rules`. */
  config?: Record<string, unknown>;
  /** Fleet settings (GitLab host, group, registries); `TEST_SETTINGS` when absent. */
  settings?: FleetSettings;
  /**
   * Loader diagnostics such as `parse-error` fail the case unless this is set: a case whose files do not
   * load tests something other than what it says. `internal-error` (the check threw) always fails.
   */
  allowDiagnostics?: boolean;
}

/** A case is either a whole fleet (`repos`) or the files of a single repo `svc` (`files`). */
export type Case = CaseBase & ({ repos: FleetFiles; files?: never } | { files: Record<string, string | Buffer>; repos?: never });

/** What one finding must look like; only the fields given are compared. */
export interface ExpectedFinding {
  /** Repo id; the case's only repo when absent and the case has `files`. */
  repo?: string;
  /** `null`: the finding must have no file (a repo-level finding). */
  file?: string | null;
  /** `null`: the finding must have no range. */
  line?: number | null;
  column?: number;
  endLine?: number;
  endColumn?: number;
  severity?: Severity;
  /** Substrings the message must contain. */
  messageIncludes?: string | readonly string[];
  /** Substrings the message must not contain (a secret's value, for instance). */
  messageExcludes?: string | readonly string[];
  /** The finding's related locations, in order; only the fields given are compared. */
  related?: readonly { repo?: string; file?: string; line?: number }[];
}

export type InvalidCase = Case & {
  /** The rule's findings, in output order (repo, file, line, column). Must not be empty. */
  findings: readonly ExpectedFinding[];
};

export interface RuleTests {
  valid: readonly Case[];
  invalid: readonly InvalidCase[];
}

export interface RuleTester {
  /** Validates the cases (throwing on a malformed one) and registers a vitest `it` per case. */
  run(tests: RuleTests): void;
  /** Runs one valid case; rejects with a description of every unexpected finding. */
  checkValid(testCase: Case): Promise<void>;
  /** Runs one invalid case; rejects with a description of every mismatch. */
  checkInvalid(testCase: InvalidCase): Promise<void>;
  /** The rule's unsuppressed findings for a case, as `runChecks` returns them. */
  findingsOf(testCase: Case): Promise<Finding[]>;
}

export class RuleTesterError extends Error {
  override name = 'RuleTesterError';
}

/** A tester for a TypeScript rule. */
export function ruleTester(check: Check): RuleTester {
  return tester(check.meta, () => Promise.resolve(check));
}

/**
 * A tester for the built-in Rego policy `id`: the check `fleetlint audit` builds from the committed bundle, so a case
 * tests the compiled policy and not its source. A case's options reach it as the runner passes them.
 */
export function policyTester(id: string): RuleTester {
  const meta = builtinRuleMetas().find((candidate) => candidate.id === id && candidate.implementation === 'rego');
  if (!meta) throw new RuleTesterError(`no built-in Rego policy has the id ${id} (policies/metadata.json)`);
  return tester(meta, async () => {
    const check = (await builtinChecks()).find((candidate) => candidate.meta.id === id);
    if (!check) throw new RuleTesterError(`the policy bundle has no check ${id}; run npm run policies:build`);
    return check;
  });
}

function tester(meta: CheckMeta, checkFor: (config: FleetlintConfig) => Promise<Check>): RuleTester {
  const ruleId = meta.id;

  async function findingsOf(testCase: Case): Promise<Finding[]> {
    const repos: FleetFiles = testCase.repos !== undefined ? testCase.repos : { [SINGLE_REPO_ID]: testCase.files };
    const setting = testCase.options === undefined ? {} : { options: testCase.options };
    // Through the real config parser: a case with options the rule's schema rejects fails here, with the reason.
    const config = parseConfig('fleetlint.config.yaml', JSON.stringify({ ...testCase.config, rules: { [ruleId]: setting } }), [meta]);
    // The model infers dependencies with the provider table the config gives (sync-wave-order's providers option).
    const fleet = await fleetFromFiles(repos, testCase.settings ?? TEST_SETTINGS, config.providers);
    const { findings } = await runChecks({ fleet, checks: [await checkFor(config)], config, today: new Date('2024-01-01T00:00:00Z') });
    const crashes = findings.filter((finding) => finding.ruleId === 'internal-error');
    if (crashes.length > 0) throw new RuleTesterError(`${ruleId} threw:\n${crashes.map(describeFinding).join('\n')}`);
    const diagnostics = findings.filter((finding) => finding.ruleId !== ruleId && finding.ruleId !== 'skipped-file');
    if (diagnostics.length > 0 && testCase.allowDiagnostics !== true) {
      throw new RuleTesterError(`the case's files do not load cleanly (set allowDiagnostics if that is intended):\n${diagnostics.map(describeFinding).join('\n')}`);
    }
    return findings.filter((finding) => finding.ruleId === ruleId && finding.suppression === undefined);
  }

  async function checkValid(testCase: Case): Promise<void> {
    const findings = await findingsOf(testCase);
    if (findings.length > 0) {
      throw new RuleTesterError(`valid case "${testCase.name}" should have no ${ruleId} findings, but has ${findings.length}:\n${findings.map(describeFinding).join('\n')}`);
    }
  }

  async function checkInvalid(testCase: InvalidCase): Promise<void> {
    assertInvalidCase(testCase);
    const actual = await findingsOf(testCase);
    const defaultRepo = testCase.repos === undefined ? SINGLE_REPO_ID : undefined;
    const problems: string[] = [];
    if (actual.length !== testCase.findings.length) {
      problems.push(`expected ${testCase.findings.length} finding(s), got ${actual.length}`);
    }
    testCase.findings.forEach((expected, index) => {
      const finding = actual[index];
      if (!finding) return;
      const mismatches = compare(expected, finding, defaultRepo);
      if (mismatches.length > 0) problems.push(`finding ${index + 1}: ${mismatches.join('; ')}`);
    });
    if (problems.length > 0) {
      throw new RuleTesterError(`invalid case "${testCase.name}":\n  ${problems.join('\n  ')}\nactual findings:\n${actual.map(describeFinding).join('\n') || '  (none)'}`);
    }
  }

  function run(tests: RuleTests): void {
    const names = new Set<string>();
    for (const testCase of [...tests.valid, ...tests.invalid]) {
      assertCaseShape(testCase);
      if (names.has(testCase.name)) throw new RuleTesterError(`${ruleId}: two cases are named "${testCase.name}"`);
      names.add(testCase.name);
    }
    tests.invalid.forEach(assertInvalidCase);
    describe(ruleId, () => {
      describe('valid', () => {
        for (const testCase of tests.valid) it(testCase.name, () => checkValid(testCase));
      });
      describe('invalid', () => {
        for (const testCase of tests.invalid) it(testCase.name, () => checkInvalid(testCase));
      });
    });
  }

  return { run, checkValid, checkInvalid, findingsOf };
}

function assertCaseShape(testCase: Case): void {
  if (testCase.name.trim() === '') throw new RuleTesterError('every case needs a name');
  if (testCase.config !== undefined && 'rules' in testCase.config) throw new RuleTesterError(`case "${testCase.name}": give the rule's settings as options, not config.rules`);
  const hasRepos = testCase.repos !== undefined;
  const hasFiles = testCase.files !== undefined;
  if (hasRepos === hasFiles) throw new RuleTesterError(`case "${testCase.name}": give either repos or files, not ${hasRepos ? 'both' : 'neither'}`);
}

/** ESLint's rule: an invalid case must say what it expects, or it would pass on any finding at all. */
function assertInvalidCase(testCase: InvalidCase): void {
  assertCaseShape(testCase);
  if (testCase.findings.length === 0) {
    throw new RuleTesterError(`invalid case "${testCase.name}" lists no expected findings; an invalid case must list at least one (or move it to valid)`);
  }
}

function compare(expected: ExpectedFinding, finding: Finding, defaultRepo: string | undefined): string[] {
  const mismatches: string[] = [];
  const field = (label: string, want: unknown, got: unknown): void => {
    if (want !== undefined && want !== got) mismatches.push(`${label}: expected ${show(want)}, got ${show(got)}`);
  };
  field('repo', expected.repo ?? defaultRepo, finding.repo);
  field('file', expected.file, expected.file === null ? (finding.file ?? null) : finding.file);
  field('line', expected.line, expected.line === null ? (finding.range?.startLine ?? null) : finding.range?.startLine);
  field('column', expected.column, finding.range?.startColumn);
  field('endLine', expected.endLine, finding.range?.endLine);
  field('endColumn', expected.endColumn, finding.range?.endColumn);
  field('severity', expected.severity, finding.severity);
  for (const part of asList(expected.messageIncludes)) {
    if (!finding.message.includes(part)) mismatches.push(`message should include ${JSON.stringify(part)}`);
  }
  for (const part of asList(expected.messageExcludes)) {
    if (finding.message.includes(part)) mismatches.push(`message must not include ${JSON.stringify(part)}`);
  }
  if (expected.related !== undefined) {
    const related = finding.related ?? [];
    if (related.length !== expected.related.length) mismatches.push(`related: expected ${expected.related.length} location(s), got ${related.length}`);
    expected.related.forEach((want, index) => {
      const got = related[index];
      field(`related[${index}].repo`, want.repo, got?.repo);
      field(`related[${index}].file`, want.file, got?.file);
      field(`related[${index}].line`, want.line, got?.range?.startLine);
    });
  }
  return mismatches;
}

/** JSON, except that a missing value reads as "none". */
function show(value: unknown): string {
  return value === undefined || value === null ? 'none' : JSON.stringify(value);
}

function asList(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

function describeFinding(finding: Finding): string {
  const range = finding.range ? `:${finding.range.startLine}:${finding.range.startColumn}` : '';
  const related = (finding.related ?? []).map((location) => ` -> ${location.repo}/${location.file}:${location.range?.startLine ?? '-'}`).join('');
  return `  ${finding.repo}/${finding.file ?? ''}${range} ${finding.severity} [${finding.ruleId}] ${finding.message}${related}`;
}

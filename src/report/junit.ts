/**
 * JUnit XML for GitLab's test report: a suite per repository, a test case per (rule, file) with a failure per
 * finding, and a passing test case per rule that found nothing in the repository, so that the merge-request
 * widget shows what was checked. GitLab keeps only the first of two test cases with the same classname and
 * name, so names are unique within a suite. Suppressed findings are not failures: a test case that has only
 * suppressed findings is skipped, with the reasons.
 */
import type { CheckMeta } from '../engine/check.js';
import { compareText } from '../model/finding-order.js';
import type { Finding } from '../model/findings.js';
import { FLEET_REPO, TOOL_NAME, groupBy, isDiagnostic, repoLabel, reportRepos, reportRules } from './common.js';
import type { ReportInput } from './types.js';
import { escapeXmlAttr as attr, escapeXmlText as text } from './xml.js';

interface TestCase {
  classname: string;
  name: string;
  file?: string;
  failures: Finding[];
  suppressed: Finding[];
  /** The note that the rule was not run on this repository (no fleet facts): a skipped test, not a pass. */
  notChecked?: Finding;
}

interface Suite {
  name: string;
  cases: TestCase[];
}

export function renderJunit(input: ReportInput): string {
  return [...junitChunks(input)].join('');
}

/** The JUnit report in pieces, a line at a time (renderJunit joins them): a million failures do not fit in one string. */
export function* junitChunks(input: ReportInput): Generator<string> {
  // Diagnostics are about fleetlint's input, not checks a repository passes; they appear only when they fire.
  const checked = reportRules(input).filter((meta) => !isDiagnostic(meta));
  const byRepo = groupBy(input.result.findings, (finding) => finding.repo);
  const suites = reportRepos(input).map((repo) => buildSuite(repo, byRepo.get(repo) ?? [], repo === FLEET_REPO ? [] : checked));
  const count = (predicate: (testCase: TestCase) => boolean): number => suites.reduce((sum, suite) => sum + suite.cases.filter(predicate).length, 0);
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="${attr(`${TOOL_NAME} ${input.command}`)}" tests="${count(() => true)}" failures="${count(isFailed)}" errors="0">\n`;
  for (const suite of suites) for (const line of renderSuite(suite)) yield `${line}\n`;
  yield '</testsuites>\n';
}

function buildSuite(repo: string, findings: readonly Finding[], checked: readonly CheckMeta[]): Suite {
  const cases = new Map<string, TestCase>();
  for (const finding of findings) {
    if (finding.data?.kind === 'skipped' && finding.file === undefined && !finding.suppression) {
      const key = `${finding.ruleId}\u0000`;
      const testCase = cases.get(key) ?? { classname: finding.ruleId, name: finding.ruleId, failures: [], suppressed: [] };
      cases.set(key, { ...testCase, notChecked: finding });
      continue;
    }
    const key = `${finding.ruleId}\u0000${finding.file ?? ''}`;
    let testCase = cases.get(key);
    if (!testCase) {
      const name = finding.file === undefined ? finding.ruleId : `${finding.ruleId} ${finding.file}`;
      testCase = { classname: finding.ruleId, name, ...(finding.file !== undefined ? { file: finding.file } : {}), failures: [], suppressed: [] };
      cases.set(key, testCase);
    }
    (finding.suppression ? testCase.suppressed : testCase.failures).push(finding);
  }
  const failedRules = new Set([...cases.values()].filter(isFailed).map((testCase) => testCase.classname));
  for (const meta of checked) {
    if (!failedRules.has(meta.id) && !cases.has(`${meta.id}\u0000`)) cases.set(`${meta.id}\u0000`, { classname: meta.id, name: meta.id, failures: [], suppressed: [] });
  }
  const sorted = [...cases.values()].sort((a, b) => compareText(a.classname, b.classname) || compareText(a.name, b.name));
  return { name: repoLabel(repo), cases: uniqueNames(sorted) };
}

/** Rule ids have no spaces, so `<rule> <file>` names cannot collide; this guards the invariant anyway. */
function uniqueNames(cases: TestCase[]): TestCase[] {
  const used = new Set<string>();
  return cases.map((testCase) => {
    let name = testCase.name;
    for (let n = 2; used.has(`${testCase.classname}\u0000${name}`); n++) name = `${testCase.name} #${n}`;
    used.add(`${testCase.classname}\u0000${name}`);
    return { ...testCase, name };
  });
}

function isFailed(testCase: TestCase): boolean {
  return testCase.failures.length > 0;
}

function isSkipped(testCase: TestCase): boolean {
  return !isFailed(testCase) && (testCase.suppressed.length > 0 || testCase.notChecked !== undefined);
}

function* renderSuite(suite: Suite): Generator<string> {
  const failures = suite.cases.filter(isFailed).length;
  const skipped = suite.cases.filter(isSkipped).length;
  yield `  <testsuite name="${attr(suite.name)}" tests="${suite.cases.length}" failures="${failures}" errors="0" skipped="${skipped}">`;
  for (const testCase of suite.cases) yield* renderCase(testCase);
  yield '  </testsuite>';
}

function renderCase(testCase: TestCase): string[] {
  const first = testCase.failures[0] ?? testCase.suppressed[0];
  const line = first?.range ? ` line="${first.range.startLine}"` : '';
  const file = testCase.file === undefined ? '' : ` file="${attr(testCase.file)}"`;
  const open = `    <testcase classname="${attr(testCase.classname)}" name="${attr(testCase.name)}"${file}${line}`;
  if (isFailed(testCase)) {
    const failures = testCase.failures.map((finding) => `      <failure message="${attr(finding.message)}" type="${finding.severity}">${text(describe(finding))}</failure>`);
    return [`${open}>`, ...failures, '    </testcase>'];
  }
  if (isSkipped(testCase) && testCase.notChecked) {
    return [`${open}>`, `      <skipped message="${attr(testCase.notChecked.message)}"/>`, '    </testcase>'];
  }
  if (isSkipped(testCase)) {
    const reasons = testCase.suppressed.map((finding) => `${describe(finding)}\nSuppressed (${finding.suppression?.kind ?? 'waiver'}): ${finding.suppression?.reason ?? ''}`);
    const message = `${testCase.suppressed.length} suppressed finding${testCase.suppressed.length === 1 ? '' : 's'}`;
    return [`${open}>`, `      <skipped message="${attr(message)}">${text(reasons.join('\n\n'))}</skipped>`, '    </testcase>'];
  }
  return [`${open}/>`];
}

/** The failure body: where, what, and the rule's help, as a reader of the job log wants it. */
function describe(finding: Finding): string {
  const where = finding.file === undefined
    ? repoLabel(finding.repo)
    : `${finding.file}${finding.range ? `:${finding.range.startLine}:${finding.range.startColumn}` : ''}`;
  const help = finding.help?.trim();
  return `${where}: ${finding.message}${help ? `\n\n${help}` : ''}`;
}

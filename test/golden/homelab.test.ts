import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/findings.js';
import { auditHomelab, HOMELAB } from '../support/homelab.js';
import { compareMarkers, inlineMarkers, sideFileMarkers } from '../support/expect-markers.js';
import { packageRoot } from '../../src/package.js';

/**
 * fixtures/homelab has one golden file, findings.txt: every finding of the audit, one per line, which a reviewer can
 * read for false positives and misplaced lines. A golden file is a claim that its content is right: after
 * `UPDATE_GOLDEN=1 npx vitest run test/golden`, read every changed line before committing.
 *
 * The policy input and the reports are checked without golden files: test/model/policy-input.test.ts (schema, every
 * origin at its YAML path, the Applications' waves) and test/report/homelab.test.ts (each report against its real
 * schema, carrying every finding, the same bytes from two audits).
 */
const GOLDEN = join(packageRoot(), 'test', 'golden', 'homelab');
const update = process.env.UPDATE_GOLDEN === '1';

function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (update) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
  }
  expect(actual === readFileSync(path, 'utf8'), `${name} differs from the golden file; run UPDATE_GOLDEN=1 and review the diff`).toBe(true);
}

/** One line per finding: the list a reviewer reads for false positives and misplaced lines. */
function findingLines(findings: readonly Finding[]): string {
  return findings
    .map((finding) => {
      const place = `${finding.repo} ${finding.file ?? '-'}:${finding.range?.startLine ?? '-'}:${finding.range?.startColumn ?? '-'}`;
      const suppressed = finding.suppression ? ` [suppressed: ${finding.suppression.reason}]` : '';
      const related = (finding.related ?? []).map((r) => ` -> ${r.repo}/${r.file}:${r.range?.startLine ?? '-'}`).join('');
      return `${place} ${finding.severity} ${finding.ruleId}: ${finding.message}${related}${suppressed}`;
    })
    .join('\n')
    .concat('\n');
}

describe('fixtures/homelab', () => {
  it('all findings, one per line: test/golden/homelab/findings.txt', async () => {
    const { result } = await auditHomelab();
    expectGolden('findings.txt', findingLines(result.findings));
  });

  it('finds the planted mistakes (MISTAKES.md) on the lines marked # expect:, exactly those findings on those lines', async () => {
    const { fleet, result } = await auditHomelab();
    const expected = [...inlineMarkers(HOMELAB, fleet.repos.map((repo) => repo.id)), ...sideFileMarkers(join(HOMELAB, 'expect-unmarked.txt'))];
    expect(expected.length).toBeGreaterThan(50);
    expect(compareMarkers(expected, result.findings, 'marked-lines')).toEqual({ missing: [], unexpected: [] });
  });
});

/** The line of the first occurrence of `needle` in a fixture file, so these tests follow the fixture. */
function lineOf(file: string, needle: string): number {
  const index = readFileSync(join(HOMELAB, file), 'utf8').split('\n').findIndex((line) => line.includes(needle));
  if (index === -1) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}

/** What the markers cannot say: related locations in the templates, redaction. */
describe("the seed's own mistakes, beyond their lines", () => {
  const at = async (ruleId: string, repo: string, file: string, line: number): Promise<Finding[]> => {
    const { result } = await auditHomelab();
    return result.findings.filter((f) => f.ruleId === ruleId && f.repo === repo && f.file === file && f.range?.startLine === line);
  };

  it(':latest CI images of the shared templates, at the consumer include with the template line related', async () => {
    const { result } = await auditHomelab();
    const line = lineOf('applications/media/jellyfin/.gitlab-ci.yml', "project: 'homelab/platform/ci-templates'");
    const found = result.findings.filter((f) => f.ruleId === 'no-latest-tag' && f.repo === 'applications/media/jellyfin' && f.file === '.gitlab-ci.yml' && f.range?.startLine === line);
    expect(found.length).toBeGreaterThan(0);
    for (const finding of found) expect(finding.related?.[0]?.repo).toBe('platform/ci-templates');
  });

  it('a GitLab token written into a script, redacted', async () => {
    const line = lineOf('operations/automation/scripts/update-dns.sh', 'glpat-');
    const found = await at('no-secrets', 'operations/automation', 'scripts/update-dns.sh', line);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).not.toMatch(/glpat-\w{8,}/);
  });

  it('scans with allow_failure: true in the template are non-blocking warnings', async () => {
    const { result } = await auditHomelab();
    const templateLine = lineOf('platform/ci-templates/templates/security-scan.yml', 'allow_failure: true');
    const nonBlocking = result.findings.filter((f) => f.ruleId === 'required-scans' && f.severity === 'warning' && f.related?.some((r) => r.file === 'templates/security-scan.yml'));
    expect(nonBlocking.length).toBeGreaterThan(0);
    expect(nonBlocking.some((f) => f.related?.some((r) => r.range?.startLine === templateLine))).toBe(true);
  });
});

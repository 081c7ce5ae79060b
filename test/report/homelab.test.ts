/**
 * The reports of fixtures/homelab. They are not golden files: each format is validated against its real schema,
 * each must carry every finding (test/golden/homelab/findings.txt pins the findings) where that format puts it, and
 * two audits of the same fleet must give the same bytes. The reporters' layout is tested on literal input in the
 * other files of this folder.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/findings.js';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../../src/report/index.js';
import { auditHomelab, auditHomelabAgain, fixedReportInput } from '../support/homelab.js';
import { assertValidCodeQuality, assertValidRunResult, assertValidSarif, xmllint } from './validate.js';

async function homelabReport(format: ReportFormat): Promise<{ text: string; findings: Finding[] }> {
  const { fleet, result } = await auditHomelab();
  return { text: renderReport(format, fixedReportInput(fleet, result)), findings: result.findings };
}

interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  locations?: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region?: { startLine: number; startColumn: number } } }[];
  partialFingerprints: Record<string, string>;
}

interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string }[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: SarifResult[];
  }[];
}

describe('the reports of fixtures/homelab', () => {
  it('are the same bytes for two audits of the same fleet, in every format', async () => {
    const first = await auditHomelab();
    const second = await auditHomelabAgain();
    expect(second.result.findings.length).toBeGreaterThan(0);
    for (const format of REPORT_FORMATS) {
      const a = renderReport(format, fixedReportInput(first.fleet, first.result));
      const b = renderReport(format, fixedReportInput(second.fleet, second.result));
      expect(a === b, `${format} differs between two audits`).toBe(true);
    }
  });

  it('SARIF: valid against the OASIS schema, one result per finding with its rule, level, place and fingerprint', async () => {
    const { text, findings } = await homelabReport('sarif');
    assertValidSarif(text);
    const [run] = (JSON.parse(text) as SarifLog).runs;
    if (!run) throw new Error('no run');
    expect(run.results).toHaveLength(findings.length);
    const ruleIds = new Set(run.tool.driver.rules.map((rule) => rule.id));
    const levels = { error: 'error', warning: 'warning', note: 'note' } as const;
    run.results.forEach((result, index) => {
      const finding = findings[index] as Finding;
      expect(ruleIds.has(result.ruleId), result.ruleId).toBe(true);
      const physical = result.locations?.[0]?.physicalLocation;
      // A finding of a whole repository is located at the repository's folder, without a region.
      const region = physical?.region ? `:${String(physical.region.startLine)}` : '';
      const place = physical ? `${run.originalUriBaseIds[physical.artifactLocation.uriBaseId]?.uri ?? '?'}${physical.artifactLocation.uri}${region}` : '-';
      const expected = finding.file === undefined ? `${finding.repo}/.` : `${finding.repo}/${finding.file}:${String(finding.range?.startLine)}`;
      expect([result.ruleId, result.level, result.message.text, place, result.partialFingerprints['fleetlint/v1']]).toEqual([finding.ruleId, levels[finding.severity], finding.message, expected, finding.fingerprint]);
    });
  });

  it('JUnit: valid against the GitLab JUnit schema (xmllint), one failure per finding', async () => {
    const { text, findings } = await homelabReport('junit');
    const { status, output } = xmllint(text);
    expect(output).toContain('validates');
    expect(status).toBe(0);
    expect(text.match(/<failure /g)?.length).toBe(findings.filter((finding) => !finding.suppression).length);
  });

  it('Code Quality: valid against the schema of GitLab’s format, one issue per finding with its path, line and fingerprint', async () => {
    const { text, findings } = await homelabReport('codequality');
    const issues = JSON.parse(text) as { check_name: string; fingerprint: string; location: { path: string; lines?: { begin: number } } }[];
    assertValidCodeQuality(issues);
    const unsuppressed = findings.filter((finding) => !finding.suppression);
    expect(issues.map((issue) => [issue.check_name, issue.fingerprint, issue.location.path, issue.location.lines?.begin])).toEqual(
      unsuppressed.map((finding) => [finding.ruleId, finding.fingerprint, finding.file === undefined ? finding.repo : `${finding.repo}/${finding.file}`, finding.range?.startLine ?? 1]),
    );
  });

  it('JSON: valid against schemas/run-result.schema.json, with the findings of the run', async () => {
    const { text, findings } = await homelabReport('json');
    const report = JSON.parse(text) as { findings: unknown[] };
    assertValidRunResult(report);
    expect(report.findings).toEqual(JSON.parse(JSON.stringify(findings)));
  });

  it('text: every finding, and the count of problems', async () => {
    const { text, findings } = await homelabReport('text');
    for (const finding of findings) expect(text).toContain(finding.message);
    expect(text).toContain(`${String(findings.length)} problems`);
  });
});

import { publishedFilesUrl } from '../../src/package.js';
import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/report/json.js';
import { TEMPLATES, TRAEFIK, WIKI, sampleInput } from './fixture.js';
import { assertValidRunResult } from './validate.js';

interface Output {
  version: string;
  command: string;
  repos: string[];
  rules: { id: string; docsUrl: string }[];
  findings: { fingerprint: string; suppression?: unknown; file?: string }[];
  summary: unknown;
  timings?: unknown;
}

describe('JSON', () => {
  const input = sampleInput();
  const output = JSON.parse(renderJson(input)) as Output;

  it('is valid against schemas/run-result.schema.json', () => {
    assertValidRunResult(output);
    assertValidRunResult(JSON.parse(renderJson(sampleInput({ durationMs: 12.5, phaseTimings: { parse: 3, rules: 4 } }))));
  });

  it('the schema rejects what the format does not allow, so the check above means something', () => {
    expect(() => { assertValidRunResult({ ...output, findings: [{ ruleId: 'x', severity: 'fatal', message: 'm', repo: 'r', fingerprint: 'f' }] }); }).toThrow(/schema validation failed/);
  });

  it('has every finding, suppressed ones with their suppression, and every rule', () => {
    expect(output).toMatchObject({ version: '0.1.0', command: 'audit', repos: [WIKI, TRAEFIK, TEMPLATES, '.'] });
    expect(output.findings.map((finding) => finding.fingerprint)).toEqual(input.result.findings.map((finding) => finding.fingerprint));
    expect(output.findings.filter((finding) => finding.suppression)).toHaveLength(2);
    expect(output.findings.find((finding) => finding.fingerprint === 'fp-required-scans')).not.toHaveProperty('file');
    expect(output.rules.map((rule) => rule.id)).toEqual(input.result.rules.map((rule) => rule.id));
    expect(output.rules.find((rule) => rule.id === 'no-secrets')?.docsUrl).toBe(`${publishedFilesUrl()}docs/rules/no-secrets.md`);
  });

  it("carries a finding's data as it is, and none where a finding has none", () => {
    const byFingerprint = new Map(output.findings.map((finding) => [finding.fingerprint, finding as Record<string, unknown>]));
    expect(byFingerprint.get('fp-required-scans')?.data).toEqual({ kind: 'no-pipeline', kinds: ['helm'] });
    expect(byFingerprint.get('fp-latest-1')).not.toHaveProperty('data');
  });

  it('counts unsuppressed findings by severity', () => {
    expect(output.summary).toEqual({ repos: 3, findings: 8, suppressed: 2, bySeverity: { error: 3, warning: 2, note: 1 } });
  });

  it('adds timings only when the caller measured the run', () => {
    expect(output).not.toHaveProperty('timings');
    const timed = JSON.parse(renderJson(sampleInput({ durationMs: 12.5 }))) as Output;
    expect(timed.timings).toEqual({ durationMs: 12.5, checks: { 'no-latest-tag': 1.5, 'no-secrets': 2.25 } });
  });

  it('does not depend on the key order of the objects it is given', () => {
    const shuffled = sampleInput();
    shuffled.result.findings = shuffled.result.findings.map((finding) => Object.fromEntries(Object.entries(finding).reverse()) as typeof finding);
    expect(renderJson(shuffled)).toBe(renderJson(sampleInput()));
  });
});

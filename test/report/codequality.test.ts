import { describe, expect, it } from 'vitest';
import { renderCodeQuality, type CodeQualityIssue } from '../../src/report/codequality.js';
import { TRAEFIK, sampleInput } from './fixture.js';
import { assertValidCodeQuality } from './validate.js';

function issues(text: string): CodeQualityIssue[] {
  return JSON.parse(text) as CodeQualityIssue[];
}

describe('GitLab Code Quality', () => {
  const input = sampleInput();
  const text = renderCodeQuality(input);
  const report = issues(text);

  it('is valid against the Code Quality schema, entry by entry', () => {
    assertValidCodeQuality(report);
    for (const issue of report) assertValidCodeQuality([issue]);
  });

  it('the schema rejects an entry GitLab would not read, so the check above means something', () => {
    expect(() => { assertValidCodeQuality([{ description: 'x', check_name: 'y', fingerprint: 'z', severity: 'minor', location: { path: '/abs' } }]); }).toThrow(/schema validation failed/);
  });

  it('leaves suppressed findings out and keeps fingerprints unique', () => {
    const active = input.result.findings.filter((finding) => !finding.suppression);
    expect(report.map((issue) => issue.fingerprint)).toEqual(active.map((finding) => finding.fingerprint));
    expect(new Set(report.map((issue) => issue.fingerprint)).size).toBe(report.length);
  });

  it('maps severities, raising errors of security rules to critical', () => {
    expect(Object.fromEntries(report.map((issue) => [issue.fingerprint, issue.severity]))).toEqual({
      'fp-config-error': 'major',
      'fp-required-scans': 'critical',
      'fp-latest-1': 'minor',
      'fp-latest-2': 'minor',
      'fp-helm': 'info',
      'fp-secret-1': 'critical',
    });
  });

  it('prefixes paths with the repo id in a fleet run; fleet-level and file-less findings point at a root', () => {
    expect(report.map((issue) => issue.location)).toEqual([
      { path: 'fleet.yaml', lines: { begin: 3 } },
      { path: TRAEFIK, lines: { begin: 1 } },
      { path: `${TRAEFIK}/.gitlab-ci.yml`, lines: { begin: 12 } },
      { path: `${TRAEFIK}/.gitlab-ci.yml`, lines: { begin: 20, end: 21 } },
      { path: `${TRAEFIK}/Chart.yaml`, lines: { begin: 1 } },
      { path: `${TRAEFIK}/values.yaml`, lines: { begin: 7 } },
    ]);
  });

  it('uses repo-relative paths for the one repository of a single-repo run, and prefixes the others', () => {
    const single = issues(renderCodeQuality(sampleInput({ repos: [TRAEFIK], command: 'mr' })));
    expect(single.map((issue) => issue.location.path)).toEqual(['fleet.yaml', '.', '.gitlab-ci.yml', '.gitlab-ci.yml', 'Chart.yaml', 'values.yaml']);
    assertValidCodeQuality(single);
  });

  it('tells apart findings that share a fingerprint, the same way every time', () => {
    const duplicated = sampleInput();
    for (const finding of duplicated.result.findings) finding.fingerprint = 'same';
    const first = renderCodeQuality(duplicated);
    const fingerprints = issues(first).map((issue) => issue.fingerprint);
    expect(fingerprints[0]).toBe('same');
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    expect(renderCodeQuality(duplicated)).toBe(first);
  });
});

import { describe, expect, it } from 'vitest';
import { SARIF_MAX_RESULTS, renderSarif, renderSarifPerRepo } from '../../src/report/sarif.js';
import type { SarifLog, SarifResult, SarifRun } from '../../src/report/sarif-types.js';
import { TEMPLATES, TRAEFIK, WIKI, manyFindingsInput, sampleInput } from './fixture.js';
import { assertValidSarif } from './validate.js';
import { publishedFilesUrl } from '../../src/package.js';

const DOCS = publishedFilesUrl();

function onlyRun(text: string): SarifRun {
  const log = JSON.parse(text) as SarifLog;
  expect(log.runs).toHaveLength(1);
  const [run] = log.runs;
  if (!run) throw new Error('no run');
  return run;
}

function resultFor(run: SarifRun, fingerprint: string): SarifResult {
  const result = run.results.find((candidate) => candidate.partialFingerprints['fleetlint/v1'] === fingerprint);
  if (!result) throw new Error(`no result with fingerprint ${fingerprint}`);
  return result;
}

describe('SARIF', () => {
  const input = sampleInput();
  const text = renderSarif(input);
  const run = onlyRun(text);

  it('is valid SARIF 2.1.0', () => {
    assertValidSarif(text);
    const log = JSON.parse(text) as SarifLog;
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(run.columnKind).toBe('unicodeCodePoints');
    expect(run.automationDetails.id).toBe('fleetlint/audit/');
    expect(run.invocations).toEqual([{ executionSuccessful: true }]);
  });

  it("puts a finding's data in the result's property bag", () => {
    expect(resultFor(run, 'fp-required-scans').properties).toEqual({ data: { kind: 'no-pipeline', kinds: ['helm'] } });
    expect(resultFor(run, 'fp-latest-1')).not.toHaveProperty('properties');
  });

  it('the validator rejects a placeholder line 0, so the check above means something', () => {
    const broken = JSON.parse(text) as SarifLog;
    const region = broken.runs[0]?.results[2]?.locations[0]?.physicalLocation?.region;
    if (!region) throw new Error('fixture result 2 has no region');
    region.startLine = 0;
    expect(() => { assertValidSarif(JSON.stringify(broken)); }).toThrow(/schema validation failed/);
  });

  it('lists every rule, with a correct ruleIndex on every result', () => {
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual(input.result.rules.map((rule) => rule.id));
    expect(run.results).toHaveLength(input.result.findings.length);
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
  });

  it('describes rules for GitHub: name, help, docs, level and security-severity', () => {
    const secrets = run.tool.driver.rules.find((rule) => rule.id === 'no-secrets');
    expect(secrets).toMatchObject({
      name: 'NoSecrets',
      helpUri: `${DOCS}docs/rules/no-secrets.md`,
      help: { text: `Fix no-secrets findings.\n\nDocs: ${DOCS}docs/rules/no-secrets.md`, markdown: `Fix \`no-secrets\` findings.\n\n[Documentation](${DOCS}docs/rules/no-secrets.md)` },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['secrets', 'security'], 'security-severity': '8.0' },
    });
    const latest = run.tool.driver.rules.find((rule) => rule.id === 'no-latest-tag');
    expect(latest?.properties).toEqual({ tags: ['images'] });
  });

  it('gives each repository a base id under FLEETROOT and keeps paths repo-relative', () => {
    expect(run.originalUriBaseIds).toEqual({
      FLEETROOT: { description: { text: 'The folder that holds the fleet; each repository is checked out under it at its id.' } },
      [`REPO_${WIKI.replace(/\//g, '_')}`]: { uri: `${WIKI}/`, uriBaseId: 'FLEETROOT' },
      'REPO_core-services_networking_traefik': { uri: 'core-services/networking/traefik/', uriBaseId: 'FLEETROOT' },
      'REPO_platform_ci-templates': { uri: 'platform/ci-templates/', uriBaseId: 'FLEETROOT' },
    });
    expect(resultFor(run, 'fp-latest-1').locations).toEqual([{
      physicalLocation: {
        artifactLocation: { uri: '.gitlab-ci.yml', uriBaseId: 'REPO_core-services_networking_traefik' },
        region: { startLine: 12, startColumn: 3, endLine: 12, endColumn: 24 },
      },
    }]);
    expect(resultFor(run, 'fp-config-error').locations[0]?.physicalLocation?.artifactLocation).toEqual({ uri: 'fleet.yaml', uriBaseId: 'FLEETROOT' });
  });

  it('never invents a region: a file-less finding points at the repo root, a range-less one at the file', () => {
    expect(resultFor(run, 'fp-required-scans').locations).toEqual([{ physicalLocation: { artifactLocation: { uri: '.', uriBaseId: 'REPO_core-services_networking_traefik' } } }]);
    expect(resultFor(run, 'fp-helm').locations).toEqual([{ physicalLocation: { artifactLocation: { uri: 'Chart.yaml', uriBaseId: 'REPO_core-services_networking_traefik' } } }]);
    for (const finding of input.result.findings) {
      const region = resultFor(run, finding.fingerprint).locations[0]?.physicalLocation?.region;
      expect(region).toEqual(finding.file === undefined ? undefined : finding.range);
    }
  });

  it('keeps suppressed findings, marked as suppressed in source or by a waiver', () => {
    expect(resultFor(run, 'fp-secret-2').suppressions).toEqual([{
      kind: 'inSource',
      status: 'accepted',
      justification: 'test fixture, not a real password',
      location: { physicalLocation: { artifactLocation: { uri: 'values.yaml', uriBaseId: 'REPO_core-services_networking_traefik' }, region: { startLine: 8, startColumn: 1, endLine: 8, endColumn: 1 } } },
    }]);
    expect(resultFor(run, 'fp-latest-template').suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'upstream template, tracked in OPS-12' }]);
    expect(resultFor(run, 'fp-latest-2').suppressions).toBeUndefined();
  });

  it('writes related locations and the stable fingerprint, and no line hash it cannot compute', () => {
    const result = resultFor(run, 'fp-latest-1');
    expect(result.relatedLocations).toEqual([{
      id: 1,
      physicalLocation: { artifactLocation: { uri: 'templates/build.yml', uriBaseId: 'REPO_platform_ci-templates' }, region: { startLine: 4, startColumn: 5, endLine: 4, endColumn: 30 } },
    }]);
    expect(result.partialFingerprints).toEqual({ 'fleetlint/v1': 'fp-latest-1' });
    expect(resultFor(run, 'fp-secret-1').message.text).toBe('value <&"\'> looks like a token\u0007 (redacted)');
  });
});

describe('SARIF per repository', () => {
  const logs = new Map(renderSarifPerRepo(sampleInput()));

  it('writes one valid log per repository, fleet-level findings under "."', () => {
    expect([...logs.keys()]).toEqual([WIKI, TRAEFIK, TEMPLATES, '.']);
    for (const text of logs.values()) assertValidSarif(text);
    expect(onlyRun(logs.get(WIKI) ?? '').results).toEqual([]);
  });

  it('uses %SRCROOT%-relative paths and a correct ruleIndex', () => {
    const run = onlyRun(logs.get(TRAEFIK) ?? '');
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { description: { text: `The root of repository ${TRAEFIK}` } } });
    expect(run.results.map((result) => result.partialFingerprints['fleetlint/v1'])).toEqual(['fp-required-scans', 'fp-latest-1', 'fp-latest-2', 'fp-helm', 'fp-secret-1', 'fp-secret-2']);
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
      expect(result.locations[0]?.physicalLocation?.artifactLocation.uriBaseId).toBe('%SRCROOT%');
    }
  });

  it('names a related location in another repository in words, since the log cannot address it', () => {
    const run = onlyRun(logs.get(TRAEFIK) ?? '');
    expect(resultFor(run, 'fp-latest-1').relatedLocations).toEqual([{ id: 1, message: { text: 'platform/ci-templates: templates/build.yml:4:5' } }]);
  });
});

describe('SARIF result limit', () => {
  const input = manyFindingsInput(SARIF_MAX_RESULTS);
  const text = renderSarif(input);
  const run = onlyRun(text);

  it(`keeps at most ${SARIF_MAX_RESULTS} results, the most severe, and says so`, () => {
    expect(input.result.findings).toHaveLength(SARIF_MAX_RESULTS + 10);
    expect(run.results).toHaveLength(SARIF_MAX_RESULTS);
    expect(run.results.filter((result) => result.level === 'error')).toHaveLength(10);
    expect(run.invocations[0]?.executionSuccessful).toBe(true);
    const notes = run.invocations[0]?.toolExecutionNotifications ?? [];
    expect(notes).toHaveLength(1);
    expect(notes[0]?.message.text).toContain(`Only ${SARIF_MAX_RESULTS} of ${SARIF_MAX_RESULTS + 10} results are included`);
    expect(notes[0]?.message.text).toContain('errors first, then warnings, then notes, suppressed results last. Left out: 10 notes (pinned-helm-chart 10).');
    expect(notes[0]?.properties).toEqual({ leftOut: [{ severity: 'note', suppressed: false, rules: { 'pinned-helm-chart': 10 }, count: 10 }] });
    assertValidSarif(text);
  });

  it('truncates the same way every time', () => {
    expect(renderSarif(manyFindingsInput(SARIF_MAX_RESULTS))).toBe(text);
  });
});

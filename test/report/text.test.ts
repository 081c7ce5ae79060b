import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/report/text.js';
import { WIKI, sampleInput } from './fixture.js';
import type { Finding } from '../../src/model/findings.js';
import { publishedFilesUrl } from '../../src/package.js';

/** Rule docs are linked in fleetlint's repository at this version (the files are checked in test/report/links.test.ts). */
const DOCS = publishedFilesUrl();

describe('text', () => {
  it('groups by repository, aligns columns, shows related places, hides suppressed findings and sums up', () => {
    expect(renderText(sampleInput({ durationMs: 1234 }))).toBe(
      [
        'core-services/networking/traefik',
        '  -                    error    no .gitlab-ci.yml: sast and secret_detection do not run  required-scans',
        '  .gitlab-ci.yml:12:3  warning  image traefik:latest uses the latest tag  no-latest-tag',
        '    ↳ platform/ci-templates/templates/build.yml:4:5',
        '  .gitlab-ci.yml:20:3  warning  image alpine:latest uses the latest tag  no-latest-tag',
        '  Chart.yaml           note     chart dependency has no version pin  pinned-helm-chart',
        '  values.yaml:7:1      error    value <&"\'> looks like a token\\u0007 (redacted)  no-secrets',
        '',
        '(fleet)',
        '  fleet.yaml:3:5  error  fleet.yaml: repos[2].path must be a string  config-error',
        '',
        'Rule docs:',
        ...['config-error', 'no-latest-tag', 'no-secrets', 'pinned-helm-chart', 'required-scans'].map((id) => `  ${id.padEnd(17)}  ${DOCS}docs/rules/${id}.md`),
        '',
        '6 problems (3 errors, 2 warnings, 1 note) in 3 repositories.',
        '2 suppressed findings not shown.',
        'Done in 1.23 s.',
        '',
      ].join('\n'),
    );
  });

  it('pads no message to the longest: a line is as long as its own message', () => {
    const input = sampleInput();
    const [first, ...rest] = input.result.findings;
    const long = first ? [{ ...first, message: 'x'.repeat(300) }, ...rest] : rest;
    const lines = renderText({ ...input, result: { ...input.result, findings: long } }).split('\n');
    expect(lines.filter((line) => line.length > 200)).toHaveLength(1);
  });

  it('says the checks left out for want of fleet facts once, on one line, and counts them as no problem', () => {
    const skip = (ruleId: string): Finding => ({ ruleId, severity: 'note', message: `not checked: ${ruleId} compares repositories across the fleet`, repo: WIKI, fingerprint: `fp-${ruleId}`, data: { kind: 'skipped', reason: 'no-fleet' } });
    const text = renderText(sampleInput({ repos: [WIKI], result: { findings: ['sync-wave-order', 'argocd-app-source'].map(skip), rules: [], checkTimings: {} } }));
    expect(text).toBe('Not checked without fleet facts: argocd-app-source, sync-wave-order; pass --fleet <fleet-root> or --snapshot <file>.\n\nNo problems in 1 repository.\n');
  });

  it('says when there is nothing to report, and leaves the time out unless given', () => {
    expect(renderText(sampleInput({ repos: [WIKI], result: { findings: [], rules: [], checkTimings: {} } }))).toBe('No problems in 1 repository.\n');
  });

  it('colours only when asked to', () => {
    expect(renderText(sampleInput())).not.toContain('\u001b[');
    const coloured = renderText(sampleInput(), { color: true });
    expect(coloured).toContain('\u001b[31merror');
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(renderText(sampleInput()));
  });
});

import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/report/text.js';
import { WIKI, sampleInput } from './fixture.js';

describe('text', () => {
  it('groups by repository, aligns columns, shows related places, hides suppressed findings and sums up', () => {
    expect(renderText(sampleInput({ durationMs: 1234 }))).toBe(
      [
        'core-services/networking/traefik',
        '  -                    error    no .gitlab-ci.yml: sast and secret_detection do not run  required-scans',
        '  .gitlab-ci.yml:12:3  warning  image traefik:latest uses the latest tag                 no-latest-tag',
        '    ↳ platform/ci-templates/templates/build.yml:4:5',
        '  .gitlab-ci.yml:20:3  warning  image alpine:latest uses the latest tag                  no-latest-tag',
        '  Chart.yaml           note     chart dependency has no version pin                      pinned-helm-chart',
        '  values.yaml:7:1      error    value <&"\'> looks like a token\\u0007 (redacted)          no-secrets',
        '',
        '(fleet)',
        '  fleet.yaml:3:5  error  fleet.yaml: repos[2].path must be a string  config-error',
        '',
        '6 problems (3 errors, 2 warnings, 1 note) in 3 repositories.',
        '2 suppressed findings not shown.',
        'Done in 1.23 s.',
        '',
      ].join('\n'),
    );
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

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configure } from '../../src/cli/configure.js';
import { ConfigError } from '../../src/engine/config.js';
import { runChecks } from '../../src/engine/runner.js';
import { loadFleet } from '../../src/run/load-fleet.js';
import { MemorySource } from '../../src/sources/memory.js';
import { TEST_SETTINGS } from '../support/fleet.js';

/** The config as the CLI reads it, from a fleet root holding only fleetlint.config.yaml. */
async function configured(yaml: string): ReturnType<typeof configure> {
  const root = mkdtempSync(join(tmpdir(), 'fleetlint-scanners-'));
  writeFileSync(join(root, 'fleetlint.config.yaml'), yaml);
  return configure(undefined, root);
}

const CONFIG = `scanners:
  - {category: sbom, tool: syft, pattern: '\\bsyft\\s+(packages|scan)\\b'}
rules:
  required-scans:
    options:
      requirements: {pipeline: [secrets, sbom]}
`;

describe("the config's scanners", () => {
  it('extend the model\'s scanner table: required-scans sees the scan and names the tool', async () => {
    const { config, checks } = await configured(CONFIG);
    expect(config.scanners).toEqual([{ category: 'sbom', tool: 'syft', pattern: '\\bsyft\\s+(packages|scan)\\b' }]);
    const ci = (line: string): string => `secrets:\n  script: [gitleaks detect]\nsbom:\n  script: [${JSON.stringify(line)}]\n`;
    const files = { 'with-sbom': { '.gitlab-ci.yml': ci('syft packages dir:.') }, 'without-sbom': { '.gitlab-ci.yml': ci('echo no sbom') } };
    const fleet = await loadFleet({
      root: '/fleet',
      settings: TEST_SETTINGS,
      repos: Object.entries(files).map(([id, repoFiles]) => ({ id, source: new MemorySource(repoFiles) })),
      ...(config.scanners ? { scanners: config.scanners } : {}),
    });
    expect(fleet.settings.scanners).toEqual(config.scanners);
    const { findings } = await runChecks({ fleet, checks: checks.filter((check) => check.meta.id === 'required-scans'), config });
    expect(findings.map((finding) => [finding.repo, finding.message])).toEqual([
      ['without-sbom', 'no job runs a sbom scan (syft); required for every pipeline'],
    ]);
  });

  it('must be valid regular expressions, with the line named', async () => {
    await expect(configured('scanners:\n  - category: sbom\n    tool: syft\n    pattern: "syft("\n')).rejects.toThrow(ConfigError);
    await expect(configured('scanners:\n  - category: sbom\n    tool: syft\n    pattern: "syft("\n')).rejects.toThrow(/line 4: scanners\.0\.pattern: not a valid regular expression/);
    await expect(configured('scanners:\n  - {category: sbom, pattern: x}\n')).rejects.toThrow(/scanners\.0: missing required key tool/);
  });
});

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, defaultConfig, parseConfig } from '../../src/engine/config.js';
import { loadChecks } from '../../src/run/checks.js';
import { EMPTY_CONFIG } from '../../src/engine/config-types.js';
import { DIAGNOSTICS } from '../../src/engine/diagnostics.js';
import { schemaDigest } from '../../src/generated/config-validator.js';
import { builtinPresetNames } from '../../src/engine/config-presets.js';
import { ruleSettingFor } from '../../src/engine/rule-settings.js';
import { builtinRuleMetas } from '../../src/run/registry.js';
import type { CheckMeta } from '../../src/engine/check.js';
import { homelabOptions, homelabProviders } from '../support/presets.js';

const metas = builtinRuleMetas();
const meta = (id: string): CheckMeta => {
  const found = metas.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};

/** Writes files into a fresh folder and returns it. */
function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'fleetlint-presets-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function load(files: Record<string, string>): ReturnType<typeof parseConfig> {
  const root = folder(files);
  const file = join(root, 'fleetlint.config.yaml');
  return parseConfig(file, files['fleetlint.config.yaml'] ?? '', metas);
}

function problemsOf(files: Record<string, string>): string[] {
  try {
    load(files);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the config loaded without problems');
}

const options = (config: ReturnType<typeof parseConfig>, id: string): Record<string, unknown> => ruleSettingFor(config, meta(id), undefined).options;

describe('presets (extends)', () => {
  it('ships the homelab preset', () => {
    expect(builtinPresetNames()).toEqual(['homelab']);
  });

  it('extends: [homelab] brings the homelab bands, providers, layouts and scan requirements', () => {
    const config = load({ 'fleetlint.config.yaml': 'extends: [homelab]\n' });
    expect(options(config, 'sync-wave-order').waveBands).toEqual(homelabOptions('sync-wave-order').waveBands);
    expect(options(config, 'repo-layout').layouts).toEqual(homelabOptions('repo-layout').layouts);
    expect(options(config, 'required-scans').requirements).toEqual(homelabOptions('required-scans').requirements);
    // The model's provider table is sync-wave-order's providers option.
    expect(config.providers).toEqual(homelabProviders());
  });

  it('without a preset the defaults are generic: no bands, no layouts, a secret scan in every pipeline', () => {
    for (const config of [load({ 'fleetlint.config.yaml': 'rules: {}\n' }), defaultConfig(metas)]) {
      expect(options(config, 'sync-wave-order').waveBands).toEqual([]);
      expect(options(config, 'repo-layout').layouts).toEqual([]);
      expect(options(config, 'required-scans').requirements).toEqual({ pipeline: ['secrets'] });
      expect(config.providers.map((rule) => rule.app)).not.toContain('harbor');
      const properties = meta('sync-wave-order').optionsSchema?.properties as Record<string, { default: unknown }>;
      expect(config.providers).toEqual(properties.providers?.default);
    }
  });

  it('merges the preset first, then the config: a severity and each option the config sets replace the preset\'s', () => {
    const config = load({
      'fleetlint.config.yaml': [
        'extends: [homelab]',
        'rules:',
        '  repo-layout: error',
        '  sync-wave-order:',
        '    options:',
        '      waveBands: [{apps: [cilium], min: 0, max: 0}]',
        '',
      ].join('\n'),
    });
    expect(ruleSettingFor(config, meta('repo-layout'), undefined)).toMatchObject({ severity: 'error', options: { layouts: homelabOptions('repo-layout').layouts } });
    // A list is replaced whole; the options the config does not name keep the preset's value.
    expect(options(config, 'sync-wave-order').waveBands).toEqual([{ apps: ['cilium'], min: 0, max: 0 }]);
    expect(config.providers).toEqual(homelabProviders());
  });

  it('resolves a preset path relative to the file that names it, presets of presets first, overrides appended in order', () => {
    const config = load({
      'fleetlint.config.yaml': 'extends: [./team/fleet.yaml]\noverrides:\n  - {repos: ["c/**"], rules: {no-secrets: note}}\n',
      'team/fleet.yaml': 'extends: [homelab, ./base.yaml]\nrules:\n  no-latest-tag: note\noverrides:\n  - {repos: ["b/**"], rules: {no-secrets: off}}\n',
      'team/base.yaml': 'rules:\n  no-latest-tag: warning\n  repo-layout: off\noverrides:\n  - {repos: ["a/**"], rules: {no-secrets: warning}}\n',
    });
    expect(config.rules['no-latest-tag']).toEqual({ severity: 'note' });
    expect(config.rules['repo-layout']?.severity).toBe('off');
    expect(config.rules['repo-layout']?.options).toEqual(homelabOptions('repo-layout'));
    expect(config.overrides.map((override) => override.repos[0])).toEqual(['a/**', 'b/**', 'c/**']);
  });

  it('reports an unknown preset with the key, its line and the presets that exist, with every other problem at once', () => {
    expect(problemsOf({ 'fleetlint.config.yaml': 'rules:\n  nope: off\nextends:\n  - homelab\n  - homelabb\n' })).toEqual([
      'line 2: rules.nope: unknown key (no rule has this id)',
      'line 5: extends.1: unknown preset "homelabb"; the presets are: homelab; a preset file of your own is named by its path (./presets/team.yaml)',
    ]);
  });

  it('names the preset file and its line for a problem inside a preset', () => {
    const problems = problemsOf({
      'fleetlint.config.yaml': 'extends: [./team.yaml, ./missing.yaml]\n',
      'team.yaml': 'rules:\n  no-latest-tag: loud\nwaivers:\n  - {rule: no-latest-tag, repo: x, reason: y}\n',
    });
    expect(problems[0]).toMatch(/^line 1: extends\.1: \.\/missing\.yaml: no such preset file \(.*missing\.yaml\)$/);
    expect(problems.slice(1)).toEqual([
      'preset ./team.yaml, line 2: rules.no-latest-tag: must be one of error, warning, note, off',
      "preset ./team.yaml, line 3: waivers: not allowed in a preset, which holds only extends, rules and overrides: waivers are the fleet's own decisions and belong in its config",
    ]);
  });

  it('reports a cycle of presets', () => {
    expect(problemsOf({ 'fleetlint.config.yaml': 'extends: [./a.yaml]\n', 'a.yaml': 'extends: [./b.yaml]\n', 'b.yaml': 'extends: [./a.yaml]\n' })).toEqual([
      'preset ./b.yaml, line 1: extends.0: ./a.yaml extends this file again, directly or through its presets: a cycle',
    ]);
  });

  it('says where the top-level providers and waveBands of earlier versions moved', () => {
    expect(problemsOf({ 'fleetlint.config.yaml': 'waveBands: []\nproviders: []\n' })).toEqual([
      "line 1: waveBands: moved to rules.sync-wave-order.options.waveBands (the homelab fleet's table is in the homelab preset: extends: [homelab])",
      "line 2: providers: moved to rules.sync-wave-order.options.providers (the homelab fleet's table is in the homelab preset: extends: [homelab])",
    ]);
  });

  it('checks a provider rule against the capability vocabulary', () => {
    const text = 'rules:\n  sync-wave-order:\n    options:\n      providers:\n        - {capability: storage, value: fast, app: ceph}\n';
    expect(problemsOf({ 'fleetlint.config.yaml': text })).toEqual([
      expect.stringMatching(/^line 5: rules\.sync-wave-order\.options\.providers\.0\.capability: must be one of storageClass, ingressClass, /) as unknown as string,
    ]);
  });
});

describe('the config validator compiled ahead', () => {
  it('is the one a run with the built-in checks uses (its schema digest matches), so no run compiles the schema', async () => {
    const checks = await loadChecks(EMPTY_CONFIG);
    const schema = configSchema([...DIAGNOSTICS, ...checks.map((check) => check.meta)]);
    expect(createHash('sha256').update(JSON.stringify(schema)).digest('hex')).toBe(schemaDigest);
  });
});

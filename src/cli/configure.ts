import { join } from 'node:path';
import { CONFIG_FILE_NAME, loadConfig } from '../engine/config.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import type { Check } from '../engine/check.js';
import { builtinChecks, loadChecks } from '../engine/checks.js';
import { DIAGNOSTICS } from '../engine/diagnostics.js';

/**
 * Reads the config and loads every check. The config names custom policy folders whose rule ids are known only
 * once they are loaded, so it is read leniently first and validated strictly against all checks after.
 */
export async function configure(configPath: string | undefined, fleetRoot: string): Promise<{ config: FleetlintConfig; checks: Check[] }> {
  const file = configPath ?? join(fleetRoot, CONFIG_FILE_NAME);
  const builtin = await builtinChecks({ rules: {}, overrides: [], policies: [], conftest: [], providers: [], waivers: [] });
  const metas = (checks: readonly Check[]) => [...DIAGNOSTICS, ...checks.map((check) => check.meta)];
  const lenient = await loadConfig(file, metas(builtin), { allowUnknownRules: true });
  const checks = await loadChecks(lenient);
  const config = await loadConfig(file, metas(checks));
  return { config, checks };
}

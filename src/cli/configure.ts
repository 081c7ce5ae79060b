import { join } from 'node:path';
import { CONFIG_FILE_NAME, ConfigError, checkSourcesOf, defaultConfig, parseConfig, readConfigText } from '../engine/config.js';
import { EMPTY_CONFIG, type FleetlintConfig } from '../engine/config-types.js';
import type { Check } from '../engine/check.js';
import { loadChecks } from '../run/checks.js';
import { DIAGNOSTICS } from '../engine/diagnostics.js';

/**
 * Reads the config (and the presets it extends) and loads every check. The config names custom policy folders
 * whose rule ids are known only once they are loaded: the checks are loaded from those keys first, then the whole
 * config is validated against every check's metadata, so one error message lists every problem.
 */
export async function configure(configPath: string | undefined, fleetRoot: string): Promise<{ config: FleetlintConfig; checks: Check[] }> {
  const file = configPath ?? join(fleetRoot, CONFIG_FILE_NAME);
  const text = await readConfigText(file);
  if (text === undefined && configPath !== undefined) throw new ConfigError(file, ['the file given with --config does not exist']);
  // A custom policy folder that does not compile is the user's to fix (exit 2), before the run, like a bad key.
  const checks = await loadChecks(text === undefined ? EMPTY_CONFIG : checkSourcesOf(file, text)).catch((error: unknown) => {
    if (error instanceof Error && error.name === 'PolicyCompileError') throw new ConfigError(file, [error.message]);
    throw error;
  });
  const metas = [...DIAGNOSTICS, ...checks.map((check) => check.meta)];
  return { config: text === undefined ? defaultConfig(metas) : parseConfig(file, text, metas), checks };
}

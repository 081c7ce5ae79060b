import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ProviderRule } from '../../src/model/dependencies/types.js';
import { packageRoot } from '../../src/package.js';

/**
 * The options presets/homelab.yaml gives a rule, read from the file itself so tests follow the preset; `{}` for a
 * rule it does not configure.
 */
export function homelabOptions(ruleId: string): Record<string, unknown> {
  const preset = parse(readFileSync(join(packageRoot(), 'presets', 'homelab.yaml'), 'utf8')) as { rules: Record<string, { options?: Record<string, unknown> }> };
  return preset.rules[ruleId]?.options ?? {};
}

/** The homelab fleet's provider table (sync-wave-order's providers option in the homelab preset). */
export function homelabProviders(): ProviderRule[] {
  return homelabOptions('sync-wave-order').providers as ProviderRule[];
}

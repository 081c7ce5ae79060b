import { access, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { CONFIG_FILE_NAME } from '../../engine/config.js';
import { packageRoot, publishedFilesUrl } from '../../package.js';
import { loadChecks } from '../../run/checks.js';
import { EMPTY_CONFIG } from '../../engine/config-types.js';
import { EXIT } from '../../exit-codes.js';
import { UsageError } from '../../usage-error.js';
import { parseCommand, type CommandSpec } from '../options.js';

export const INIT: CommandSpec<'force'> = {
  name: 'init',
  summary: 'write a starter fleetlint.config.yaml',
  synopsis: ['fleetlint init [<dir>] [--force]'],
  description: `Writes ${CONFIG_FILE_NAME} in <dir> (default: the working directory): every rule with its default severity,
commented out, and a "# yaml-language-server: $schema=..." line that points editors with the YAML language server
(VS Code's YAML extension, Neovim, JetBrains) at schemas/config.schema.json for completion and checking.`,
  groups: [{ options: ['force'] }],
};

export async function init(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(INIT, argv);
  if (positionals.length > 1) throw new UsageError('init takes at most one folder');
  const dir = resolve(positionals[0] ?? '.');
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new UsageError(`init ${positionals[0] ?? '.'}: not a folder`);
  const path = join(dir, CONFIG_FILE_NAME);
  const exists = await access(path).then(() => true, () => false);
  if (exists && values.force !== true) throw new UsageError(`${path} exists; pass --force to replace it`);
  const checks = await loadChecks(EMPTY_CONFIG);
  await writeFile(path, starterConfig(schemaReference(dir), checks.map((check) => check.meta)));
  process.stdout.write(`fleetlint: wrote ${path}\n`);
  return EXIT.ok;
}

/**
 * The schema as the config's editor can reach it: a relative path when fleetlint is installed under the folder
 * (node_modules), else the schema in fleetlint's repository at this version.
 */
export function schemaReference(dir: string): string {
  const schema = join(packageRoot(), 'schemas', 'config.schema.json');
  const rel = relative(dir, schema);
  if (!rel.startsWith('..') && rel.split(sep).includes('node_modules')) return `./${rel.split(sep).join('/')}`;
  return `${publishedFilesUrl('raw')}schemas/config.schema.json`;
}

export function starterConfig(schema: string, rules: readonly { id: string; defaultSeverity: string; shortDescription: string; tags: readonly string[] }[]): string {
  const listed = rules.filter((meta) => !meta.tags.includes('fleetlint-diagnostic')).sort((a, b) => (a.id < b.id ? -1 : 1));
  const width = Math.max(...listed.map((meta) => `${meta.id}: ${meta.defaultSeverity}`.length)) + 2;
  return [
    `# yaml-language-server: $schema=${schema}`,
    `# fleetlint configuration: ${publishedFilesUrl()}docs/configuration.md`,
    '',
    '# Presets merged in before this file: what one fleet agrees on (wave bands, layouts, scan requirements).',
    '# extends: [homelab]',
    'extends: []',
    '',
    '# Every rule at its default severity: change one to off, error, warning or note, or give it',
    '# {severity, options}. Each rule and its options: docs/rules/<rule>.md',
    'rules:',
    ...listed.map((meta) => `  ${`${meta.id}: ${meta.defaultSeverity}`.padEnd(width)}# ${meta.shortDescription}`),
    '',
    '# Waivers accept known findings for a while:',
    '# waivers:',
    '#   - {rule: no-latest-tag, repo: "applications/*", reason: "upstream publishes only latest", expires: 2026-12-31}',
    '',
  ].join('\n');
}

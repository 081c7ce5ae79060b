import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { packageRoot } from '../../package.js';
import { stderr } from '../output.js';
import { EXIT } from '../../exit-codes.js';
import { UsageError } from '../../usage-error.js';
import { parseCommand, type CommandSpec } from '../options.js';

/**
 * What both hooks run, this one and the pre-commit framework's (.pre-commit-hooks.yaml `entry`, kept equal by a
 * test): the staged content's findings that are new against HEAD, so old findings nobody touched block no commit.
 */
export const HOOK_LINT_ARGS = ['lint', '--staged', '--since', 'HEAD'] as const;

export const HOOK: CommandSpec<'force'> = {
  name: 'hook',
  summary: 'install the pre-commit hook',
  synopsis: ['fleetlint hook install [<repo-dir>] [--force] [-- <lint options>]'],
  description: `Writes .git/hooks/pre-commit (or into core.hooksPath when set): a small script that runs
"fleetlint ${HOOK_LINT_ARGS.join(' ')}" plus any lint options given after "--" (such as --snapshot <file>): the
findings the commit adds, as the pre-commit framework's hook reports them. An existing hook that fleetlint did not
write is kept unless --force (then it is saved as pre-commit.orig).`,
  groups: [{ options: ['force'] }],
};

/** The line that tells fleetlint's own hook from any other: an install may replace a hook that has it. */
export const HOOK_MARKER = '# fleetlint-managed-hook: written by `fleetlint hook install`; edits are lost on the next install';

export async function hook(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'install') throw new UsageError(action === undefined ? 'hook needs an action: install' : `unknown hook action "${action}"; expected install`);
  const separator = rest.indexOf('--');
  const own = separator === -1 ? rest : rest.slice(0, separator);
  const lintArgs = separator === -1 ? [] : rest.slice(separator + 1);
  const { values, positionals } = parseCommand(HOOK, own);
  if (positionals.length > 1) throw new UsageError('hook install takes at most one repository folder');

  const dir = resolve(positionals[0] ?? '.');
  const hooksDir = await hooksFolder(dir);
  const path = join(hooksDir, 'pre-commit');
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing !== undefined && !existing.includes(HOOK_MARKER)) {
    if (values.force !== true) {
      stderr(`fleetlint: ${path} exists and was not written by fleetlint; not replaced. Pass --force to replace it (it is kept as pre-commit.orig), or call "fleetlint lint --staged" from it.`);
      return EXIT.usage;
    }
    await writeFile(`${path}.orig`, existing, { mode: (await stat(path)).mode & 0o777 });
  }
  await mkdir(hooksDir, { recursive: true });
  await writeFile(path, hookScript(lintArgs));
  await chmod(path, 0o755);
  process.stdout.write(`fleetlint: installed ${path}\n`);
  return EXIT.ok;
}

/** The hooks folder git runs hooks from: core.hooksPath (relative to the work tree) when set, else the repo's own. */
async function hooksFolder(dir: string): Promise<string> {
  const git = simpleGit({ baseDir: dir });
  let top: string;
  try {
    top = (await git.revparse(['--show-toplevel'])).trim();
  } catch {
    throw new UsageError(`${dir} is not inside a git work tree`);
  }
  const configured = (await git.getConfig('core.hooksPath')).value;
  if (configured !== null && configured !== '') {
    const expanded = configured.startsWith('~/') ? join(process.env.HOME ?? '', configured.slice(2)) : configured;
    return isAbsolute(expanded) ? expanded : join(top, expanded);
  }
  const hooks = (await git.revparse(['--git-path', 'hooks'])).trim();
  return isAbsolute(hooks) ? hooks : join(dir, hooks);
}

/**
 * The hook: fleetlint from PATH when there is one (an npm install, global or in the repo's node_modules/.bin),
 * else the fleetlint that installed the hook, run by the node that ran it.
 */
export function hookScript(lintArgs: readonly string[]): string {
  const bin = join(packageRoot(), 'bin', 'fleetlint.js');
  const args = [...HOOK_LINT_ARGS, ...lintArgs].map(shellQuote).join(' ');
  return [
    '#!/bin/sh',
    HOOK_MARKER,
    '# Checks what the commit changes (findings new against HEAD) with fleetlint. Skip once with: git commit --no-verify',
    'if [ -x node_modules/.bin/fleetlint ]; then exec node_modules/.bin/fleetlint ' + args + '; fi',
    'if command -v fleetlint >/dev/null 2>&1; then exec fleetlint ' + args + '; fi',
    `exec ${shellQuote(process.execPath)} ${shellQuote(bin)} ${args}`,
    '',
  ].join('\n');
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

import { stderr } from './output.js';
import { EXIT, IncompleteFleetError, UsageError } from '../usage-error.js';
import { toolVersion } from '../package.js';

interface Command {
  run: (argv: string[]) => Promise<number>;
  usage: string;
}

/**
 * Commands are imported only when they run: the pre-commit hook starts a process per commit, and loading every
 * command's dependencies (git, GitLab, reports) would cost it more than its own work.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  audit: async () => import('./commands/audit.js').then((m) => ({ run: m.audit, usage: m.AUDIT_USAGE })),
  merge: async () => import('./commands/merge.js').then((m) => ({ run: m.merge, usage: m.MERGE_USAGE })),
  lint: async () => import('./commands/lint.js').then((m) => ({ run: m.lint, usage: m.LINT_USAGE })),
  mr: async () => import('./commands/mr.js').then((m) => ({ run: m.mr, usage: m.MR_USAGE })),
  hook: async () => import('./commands/hook.js').then((m) => ({ run: m.hook, usage: m.HOOK_USAGE })),
};

async function usage(): Promise<string> {
  const details = await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).usage));
  return `fleetlint ${toolVersion()} — policy and conformance linter for a fleet of GitLab repositories

Usage:
  fleetlint audit <fleet-root> [options]   check every repository (nightly audit)
  fleetlint audit --gitlab-url <url> --group <path>   the same over a GitLab group's projects
  fleetlint merge <fragment>...            combine the fragments of a sharded audit and report
  fleetlint lint [<repo-dir>] [files...]   check one repository, with --staged its staged content (pre-commit)
  fleetlint mr [<repo-dir>]                check a merge request: new findings here and in consumers
  fleetlint hook install [<repo-dir>]      install the pre-commit hook
  fleetlint --version | --help

${details.join('\n\n')}

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or configuration error,
3 internal failure, 4 incomplete fleet (GitLab's project list could not be read to its end: no report).`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    stderr(await usage());
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${toolVersion()}\n`);
    return EXIT.ok;
  }
  const load = COMMANDS[command];
  try {
    if (!load) throw new UsageError(`unknown command "${command}"`);
    // `fleetlint audit --help`: the command's own part of the usage (options after `--` belong to another tool).
    const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (own.includes('--help') || own.includes('-h')) {
      stderr((await load()).usage);
      return EXIT.ok;
    }
    return await (await load()).run(rest);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      stderr(`fleetlint: ${(error as Error).message}\nRun "fleetlint --help" for usage.`);
      return EXIT.usage;
    }
    if (error instanceof IncompleteFleetError) {
      stderr(`fleetlint: incomplete fleet: ${error.message}`);
      return EXIT.incomplete;
    }
    // By name: importing the config module here would load ajv and yaml for every command.
    if (error instanceof Error && error.name === 'ConfigError') {
      stderr(`fleetlint: ${error.message}`);
      return EXIT.usage;
    }
    stderr(`fleetlint: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.internal;
  }
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed options. */
function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
}

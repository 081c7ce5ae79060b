import { ConfigError } from '../engine/config.js';
import { audit, AUDIT_USAGE } from './commands/audit.js';
import { hook, HOOK_USAGE } from './commands/hook.js';
import { lint, LINT_USAGE } from './commands/lint.js';
import { merge, MERGE_USAGE } from './commands/merge.js';
import { mr, MR_USAGE } from './commands/mr.js';
import { stderr } from './output.js';
import { EXIT, UsageError } from './usage-error.js';
import { toolVersion } from '../package.js';

const USAGE = `fleetlint ${toolVersion()} — policy and conformance linter for a fleet of GitLab repositories

Usage:
  fleetlint audit <fleet-root> [options]   check every repository (nightly audit)
  fleetlint audit --gitlab-url <url> --group <path>   the same over a GitLab group's projects
  fleetlint merge <fragment>...            combine the fragments of a sharded audit and report
  fleetlint lint [<repo-dir>] [files...]   check one repository, with --staged its staged content (pre-commit)
  fleetlint mr [<repo-dir>]                check a merge request: new findings here and in consumers
  fleetlint hook install [<repo-dir>]      install the pre-commit hook
  fleetlint --version | --help

${AUDIT_USAGE}

${MERGE_USAGE}

${LINT_USAGE}

${MR_USAGE}

${HOOK_USAGE}

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or configuration error,
3 internal failure.`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { audit, merge, lint, mr, hook };

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    stderr(USAGE);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${toolVersion()}\n`);
    return EXIT.ok;
  }
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command "${command}"`);
    return await run(rest);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      stderr(`fleetlint: ${(error as Error).message}\nRun "fleetlint --help" for usage.`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
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

import { stderr } from './output.js';
import { EXIT, EXIT_CODE_HELP } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';
import { toolVersion } from '../package.js';
import { commandUsage, nearest, type CommandSpec } from './options.js';

interface Command {
  run: (argv: string[]) => Promise<number>;
  spec: CommandSpec;
}

/**
 * Commands are imported only when they run: the pre-commit hook starts a process per commit, and loading every
 * command's dependencies (git, GitLab, reports) would cost it more than its own work.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  audit: async () => import('./commands/audit.js').then((m) => ({ run: m.audit, spec: m.AUDIT })),
  merge: async () => import('./commands/merge.js').then((m) => ({ run: m.merge, spec: m.MERGE })),
  lint: async () => import('./commands/lint.js').then((m) => ({ run: m.lint, spec: m.LINT })),
  mr: async () => import('./commands/mr.js').then((m) => ({ run: m.mr, spec: m.MR })),
  hook: async () => import('./commands/hook.js').then((m) => ({ run: m.hook, spec: m.HOOK })),
  init: async () => import('./commands/init.js').then((m) => ({ run: m.init, spec: m.INIT })),
};

async function usage(): Promise<string> {
  const specs = await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).spec));
  const synopses = specs.flatMap((spec) => spec.synopsis.map((line, index) => ({ line, summary: index === 0 ? spec.summary : '' })));
  const width = Math.max(...synopses.map((entry) => entry.line.length)) + 2;
  return `fleetlint ${toolVersion()} — policy and conformance linter for a fleet of GitLab repositories

Usage:
${synopses.map((entry) => `  ${entry.summary === '' ? entry.line : entry.line.padEnd(width) + entry.summary}`).join('\n')}
  fleetlint help <command>   that command's options (also fleetlint <command> --help)
  fleetlint --version

Exit codes:
${EXIT_CODE_HELP.map(([code, meaning]) => `  ${code}  ${meaning}`).join('\n')}`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    stderr(await usage());
    return EXIT.usage;
  }
  if (command === '--help' || command === '-h' || (command === 'help' && rest.length === 0)) {
    process.stdout.write(`${await usage()}\n`);
    return EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${toolVersion()}\n`);
    return EXIT.ok;
  }
  try {
    if (command === 'help') {
      const [topic] = rest;
      const load = topic === undefined ? undefined : COMMANDS[topic];
      if (!load) throw unknownCommand(topic ?? '');
      process.stdout.write(`${commandUsage((await load()).spec)}\n`);
      return EXIT.ok;
    }
    const load = COMMANDS[command];
    if (!load) throw unknownCommand(command);
    // `fleetlint audit --help`: the command's own help (options after `--` belong to another tool).
    const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (own.includes('--help') || own.includes('-h')) {
      process.stdout.write(`${commandUsage((await load()).spec)}\n`);
      return EXIT.ok;
    }
    return await (await load()).run(rest);
  } catch (error) {
    return report(error, command);
  }
}

/** Every failure ends here: one message on stderr and the exit code of its kind (src/exit-codes.ts). */
function report(error: unknown, command: string): number {
  if (error instanceof UsageError) {
    const hint = COMMANDS[command] ? `fleetlint ${command} --help` : 'fleetlint --help';
    stderr(`fleetlint: ${error.message}${error.oneLine ? '' : `\nRun "${hint}" for usage.`}`);
    return EXIT.usage;
  }
  // By name: importing the config module here would load ajv and yaml for every command.
  if (error instanceof Error && error.name === 'ConfigError') {
    stderr(`fleetlint: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof Error && error.name === 'RemoteError') {
    stderr(`fleetlint: ${error.message}`);
    return EXIT.remote;
  }
  stderr(`fleetlint: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT.internal;
}

function unknownCommand(name: string): UsageError {
  const near = nearest(name, Object.keys(COMMANDS));
  const suggestion = near === undefined ? `; the commands are ${Object.keys(COMMANDS).join(', ')}` : `; did you mean "fleetlint ${near}"?`;
  return new UsageError(`unknown command "${name}"${suggestion}`, { oneLine: true });
}

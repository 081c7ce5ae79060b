/**
 * fleetlint's exit codes, in one place: the CLI returns them, `--help` and the README list them from here. A CI
 * job or a script branches on them, so a code keeps its meaning once released; a new kind of failure gets the next
 * free number.
 */
export const EXIT = {
  /** Nothing at or above --fail-on, and no more warnings than --max-warnings. */
  ok: 0,
  /** Findings at or above --fail-on, or more warnings than --max-warnings. */
  findings: 1,
  /** A mistake in how fleetlint was called, or in its configuration: fix the command line or the config. */
  usage: 2,
  /** fleetlint itself failed (a bug): please report it with the message. */
  internal: 3,
  /** A server could not be reached or refused the credentials (GitLab's API): nothing was checked. */
  remote: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One line per code, for `fleetlint --help` (the README's table says the same). */
export const EXIT_CODE_HELP: readonly (readonly [ExitCode, string])[] = [
  [EXIT.ok, 'nothing at or above --fail-on (and at most --max-warnings warnings)'],
  [EXIT.findings, 'findings at or above --fail-on, or more warnings than --max-warnings'],
  [EXIT.usage, 'usage or configuration error'],
  [EXIT.internal, 'internal failure (a bug in fleetlint)'],
  [EXIT.remote, 'network or authentication failure: GitLab could not be reached or refused the token'],
];

/** A failure to reach a server or to be let in: exit code 4, no usage hint (the command line was right). */
export class RemoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteError';
  }
}

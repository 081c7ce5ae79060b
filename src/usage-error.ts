/** A mistake in how fleetlint was called: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The fleet could not be listed whole (GitLab's project list stopped or its end is not certain): no report is
 * written for a partial fleet as if it were the whole one. Exit code 4.
 */
export class IncompleteFleetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteFleetError';
  }
}

export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 3, incomplete: 4 } as const;

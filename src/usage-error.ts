/** A mistake in how fleetlint was called: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  /** The message is the whole answer (an unknown option and its "did you mean"): no usage hint after it. */
  readonly oneLine: boolean;

  constructor(message: string, options: { oneLine?: boolean } = {}) {
    super(message);
    this.name = 'UsageError';
    this.oneLine = options.oneLine === true;
  }
}

export { EXIT } from './exit-codes.js';

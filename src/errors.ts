/** Errors that end a run with a specific exit code (README "Exit codes"). */

export const EXIT = { passed: 0, gateFailed: 1, usage: 2, targetFailed: 3 } as const;

/** Bad flag, unreadable or invalid input: exit 2. The message names the file and field. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The target did not start, never became ready, crashed or answered mostly errors: exit 3. */
export class TargetError extends Error {
  readonly exitCode = EXIT.targetFailed;
  constructor(
    message: string,
    readonly stderrTail = '',
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

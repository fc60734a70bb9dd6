/**
 * The generator's failures and its exit codes: 0 done or nothing to do,
 * 1 refused (a file exists, a conflict), 2 bad input.
 */
export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_BAD_INPUT = 2;

/** A failure the CLI reports as a message (no stack) with an exit code. */
export class ScaffoldError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "ScaffoldError";
  }
}

/** Bad input: a name, a path or an option (exit 2). */
export const badInput = (message: string) => new ScaffoldError(message, EXIT_BAD_INPUT);
/** Refused: the file exists, or the edit conflicts with what is there (exit 1). */
export const refused = (message: string) => new ScaffoldError(message, EXIT_REFUSED);

/** Shared shell for command-line entry points: exit codes and messages instead of stack traces. */

/** Wrong flags or input: exit status 2, with the usage text. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

/** Runs `main`, exits with its status; a usage error exits 2, anything else 1, each with one line. */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`${error.message}\n\n${error.usage}`);
        process.exitCode = 2;
      } else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
        console.error(error.message);
        process.exitCode = 2;
      } else {
        console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      }
    },
  );
}

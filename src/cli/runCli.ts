/** Shared shell for command-line entry points: exit codes and one-line messages instead of stack traces. */
import { BIDI_CONTROLS } from '../text/controls.js';

/** Wrong flags or input: exit status 2, with one line saying what is wrong. */
export class UsageError extends Error {}

/**
 * Runs `main`, exits with its status. A usage error exits 2 and anything else 1, each with one
 * line; a usage error's line ends by pointing at `helpCommand`.
 */
export function runCli(main: () => Promise<number>, helpCommand: string): void {
  main().then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      const usage = error instanceof UsageError ? error.message : parseArgsMessage(error);
      if (usage !== undefined) {
        console.error(`${usage.replace(/\.?$/, '.')} Help: ${helpCommand}`);
        process.exitCode = 2;
      } else {
        console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      }
    },
  );
}

/** The message of a node:util parseArgs error, or undefined for any other error. */
function parseArgsMessage(error: unknown): string | undefined {
  if (!(error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) return undefined;
  // Node's own wording for an unknown option leaves a quote open; say it with balanced quotes.
  const unknown = /^Unknown option '([^']*)'/.exec(error.message);
  return unknown ? `Unknown option "${unknown[1]}"; an argument that starts with "-" goes after "--", as in: -- "${unknown[1]}"` : error.message;
}

/**
 * `text` safe to print on a terminal: control characters other than newline and tab (escape
 * sequences that clear the screen or retitle the window, carriage returns, C1 controls) shown as
 * `\xHH`, and bidirectional controls as `\u{…}`. Corpus text is anyone's text; JSON output
 * escapes control characters by itself.
 */
export function forTerminal(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(BIDI_CONTROLS, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
}

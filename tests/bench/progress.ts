/**
 * Progress on stderr, so stdout stays a clean table or JSON document. On a terminal, one
 * redrawn bar line; otherwise (CI logs, pipes) one line per phase.
 */
const BAR_WIDTH = 20;
/** Redraw at most this often: a query loop reports thousands of times a second. */
const REDRAW_MS = 100;

export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #started = performance.now();
  #lastDraw = 0;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
  }

  /** Starts a phase; the returned function reports how much of it is done (0–1). */
  phase(label: string): (fraction: number) => void {
    if (!this.#stream.isTTY) {
      this.#stream.write(`[bench ${this.#elapsed()}] ${label}\n`);
      return () => {};
    }
    const draw = (fraction: number) => {
      const filled = Math.round(Math.min(1, fraction) * BAR_WIDTH);
      const percent = `${Math.floor(Math.min(1, fraction) * 100)}%`.padStart(4);
      this.#stream.write(`\r\x1b[K[${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${percent} ${label} (${this.#elapsed()})`);
      this.#lastDraw = performance.now();
    };
    draw(0);
    return (fraction) => {
      if (performance.now() - this.#lastDraw >= REDRAW_MS) draw(fraction);
    };
  }

  /** Clears the bar before results are printed. */
  done(): void {
    if (this.#stream.isTTY) this.#stream.write('\r\x1b[K');
  }

  #elapsed(): string {
    const seconds = Math.round((performance.now() - this.#started) / 1000);
    return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  }
}

/** Prints progress to stderr at most every `everyMs`, overwriting one line on a terminal. */
export class ProgressLine {
  private lastPrinted = 0;

  constructor(
    private readonly label: string,
    private readonly everyMs = 2000,
  ) {}

  update(text: string): void {
    const now = performance.now();
    if (now - this.lastPrinted < this.everyMs) {
      return;
    }
    this.lastPrinted = now;
    this.write(text);
  }

  /** Prints the final state and ends the line. */
  done(text: string): void {
    this.write(text);
    if (process.stderr.isTTY) {
      process.stderr.write('\n');
    }
  }

  private write(text: string): void {
    const line = `  ${this.label}: ${text}`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${line}\u001b[K`);
    } else {
      process.stderr.write(`${line}\n`);
    }
  }
}

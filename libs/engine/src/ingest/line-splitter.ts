/** Receives one line without its `\n`: bytes `[start, end)` of `buffer`, valid only during the call. */
export type LineHandler = (buffer: Buffer, start: number, end: number, lineNumber: number) => void;

/** Receives a line that exceeded the limit; its bytes were counted and dropped, never buffered. */
export type LongLineHandler = (lineNumber: number, byteLength: number) => void;

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into `\n`-terminated lines across chunk boundaries. A line inside one chunk is handed out
 * as a view of that chunk (no copy); only the tail of a chunk is copied and carried. A line longer than
 * `maxLineBytes` is reported and skipped, so memory stays bounded whatever the input.
 */
export class LineSplitter {
  private carried: Buffer[] = [];
  private carriedBytes = 0;
  /** Bytes of the current line once it is known to be too long; -1 while it is not. */
  private overflowBytes = -1;
  private lineNumber = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Lines completed so far (including blank and skipped ones). */
  get lines(): number {
    return this.lineNumber;
  }

  push(chunk: Buffer, onLine: LineHandler, onTooLong: LongLineHandler): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, start);
    while (newline !== -1) {
      this.lineNumber++;
      const length = newline - start;
      if (this.overflowBytes >= 0) {
        onTooLong(this.lineNumber, this.overflowBytes + length);
        this.overflowBytes = -1;
      } else if (this.carriedBytes > 0) {
        const total = this.carriedBytes + length;
        if (total > this.maxLineBytes) {
          onTooLong(this.lineNumber, total);
        } else {
          this.carried.push(chunk.subarray(start, newline));
          onLine(Buffer.concat(this.carried, total), 0, total, this.lineNumber);
        }
        this.carried = [];
        this.carriedBytes = 0;
      } else if (length > this.maxLineBytes) {
        onTooLong(this.lineNumber, length);
      } else {
        onLine(chunk, start, newline, this.lineNumber);
      }
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    const rest = chunk.length - start;
    if (rest === 0) {
      return;
    }
    if (this.overflowBytes >= 0) {
      this.overflowBytes += rest;
    } else if (this.carriedBytes + rest > this.maxLineBytes) {
      this.overflowBytes = this.carriedBytes + rest;
      this.carried = [];
      this.carriedBytes = 0;
    } else {
      // A copy, so a short tail does not keep the whole (large) chunk alive.
      this.carried.push(Buffer.from(chunk.subarray(start)));
      this.carriedBytes += rest;
    }
  }

  /** Hands out a final line that had no terminating `\n`. */
  end(onLine: LineHandler, onTooLong: LongLineHandler): void {
    if (this.overflowBytes >= 0) {
      this.lineNumber++;
      onTooLong(this.lineNumber, this.overflowBytes);
    } else if (this.carriedBytes > 0) {
      this.lineNumber++;
      const line = Buffer.concat(this.carried, this.carriedBytes);
      onLine(line, 0, line.length, this.lineNumber);
    }
    this.overflowBytes = -1;
    this.carried = [];
    this.carriedBytes = 0;
  }
}

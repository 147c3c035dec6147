import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { SyntheticOutputError } from './errors';

// Lines are joined into chunks of about this many characters before they reach the stream.
const CHUNK_CHARS = 256 * 1024;

/**
 * One NDJSON file, written in chunks with backpressure (a full stream is awaited before more is written, so memory
 * stays flat), optionally gzip-compressed. Counts lines, uncompressed bytes and bytes that reached the file.
 */
export class NdjsonFileWriter {
  lines = 0;
  uncompressedBytes = 0;
  diskBytes = 0;
  private pending: string[] = [];
  private pendingChars = 0;
  private failure: unknown;
  private readonly head: Writable;
  private readonly done: Promise<void>;

  constructor(
    readonly path: string,
    gzip: boolean,
  ) {
    const file = createWriteStream(path, { highWaterMark: 1 << 20 });
    const counter = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.diskBytes += chunk.length;
        callback(null, chunk);
      },
    });
    if (gzip) {
      const compressor = createGzip();
      this.head = compressor;
      this.done = pipeline(compressor, counter, file);
    } else {
      this.head = counter;
      this.done = pipeline(counter, file);
    }
    // Remembered here, reported by the next write or by close.
    this.done.catch((error: unknown) => {
      this.failure ??= error;
    });
  }

  /** Queues one line (without newline); returns a promise only when the caller must wait for the disk. */
  write(line: string): Promise<void> | undefined {
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    this.lines++;
    return this.pendingChars >= CHUNK_CHARS ? this.flush() : undefined;
  }

  private async flush(): Promise<void> {
    this.throwIfFailed();
    if (this.pending.length === 0) {
      return;
    }
    const chunk = Buffer.from(`${this.pending.join('\n')}\n`, 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    this.uncompressedBytes += chunk.length;
    if (!this.head.write(chunk)) {
      try {
        await Promise.race([once(this.head, 'drain'), this.done]);
      } catch (error) {
        this.failure ??= error;
      }
      this.throwIfFailed();
    }
  }

  /** Writes what is queued, ends the file and waits until it is on disk. */
  async close(): Promise<void> {
    await this.flush();
    this.head.end();
    try {
      await this.done;
    } catch (error) {
      this.failure ??= error;
    }
    this.throwIfFailed();
  }

  /** Stops writing after a failure elsewhere; the file is left incomplete. */
  abort(): void {
    this.head.destroy();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) {
      throw new SyntheticOutputError(this.path, 'cannot write the NDJSON file', { cause: this.failure });
    }
  }
}

import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { FhirServerError } from './fhir-server.errors';

const NEWLINE = 0x0a;
const MASK = (1n << 64n) - 1n;

/**
 * An order-independent digest of a set of NDJSON lines: the sum (mod 2^64, per 64-bit lane) of each line's SHA-256.
 * Two exports holding the same resources in another order or in other files have the same digest.
 */
export class ContentDigest {
  private readonly lanes = [0n, 0n, 0n, 0n];
  lines = 0;

  addLineHash(digest: Buffer): void {
    for (let lane = 0; lane < 4; lane++) {
      this.lanes[lane] = (this.lanes[lane] + digest.readBigUInt64BE(lane * 8)) & MASK;
    }
    this.lines++;
  }

  merge(other: ContentDigest): void {
    for (let lane = 0; lane < 4; lane++) {
      this.lanes[lane] = (this.lanes[lane] + other.lanes[lane]) & MASK;
    }
    this.lines += other.lines;
  }

  toHex(): string {
    return this.lanes.map((lane) => lane.toString(16).padStart(16, '0')).join('');
  }
}

/**
 * Passes NDJSON through while hashing each non-empty line into `digest`; fails when the stream ends inside a line that
 * is no complete JSON value (a download cut short).
 */
class LineDigestTransform extends Transform {
  private hash: Hash | null = null;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private lineHasContent = false;

  constructor(
    private readonly digest: ContentDigest,
    private readonly what: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      this.addPart(chunk.subarray(start, newline));
      this.endLine();
      start = newline + 1;
    }
    this.addPart(chunk.subarray(start));
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.lineHasContent) {
      const last = Buffer.concat(this.tail).toString('utf8');
      try {
        JSON.parse(last);
      } catch {
        callback(new FhirServerError('FHIR_SERVER_FILE_TRUNCATED', `${this.what} ends inside a line (cut short?)`));
        return;
      }
      this.endLine();
    }
    callback();
  }

  private addPart(part: Buffer): void {
    if (part.length === 0) {
      return;
    }
    // Only whitespace (a \r before the newline) does not make a line.
    const content = part.some((byte) => byte !== 0x0d && byte !== 0x20 && byte !== 0x09);
    if (!content && !this.lineHasContent) {
      return;
    }
    this.lineHasContent ||= content;
    this.hash ??= createHash('sha256');
    this.hash.update(part);
    // The last line's text is kept only while it is short; a long partial line is checked by its end alone.
    if (this.tailBytes < 1 << 20) {
      this.tail.push(part);
      this.tailBytes += part.length;
    }
  }

  private endLine(): void {
    if (this.hash !== null && this.lineHasContent) {
      this.digest.addLineHash(this.hash.digest());
    }
    this.hash = null;
    this.tail = [];
    this.tailBytes = 0;
    this.lineHasContent = false;
  }
}

/** Streams NDJSON into a gzip file (mode 0600), adding its lines to `digest`; the digest changes only on success. */
export async function writeNdjsonFile(
  source: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
  path: string,
  digest: ContentDigest,
  what: string,
  signal?: AbortSignal,
): Promise<number> {
  const own = new ContentDigest();
  await pipeline(
    source,
    new LineDigestTransform(own, what),
    createGzip(),
    createWriteStream(path, { mode: 0o600 }),
    signal === undefined ? {} : { signal },
  );
  digest.merge(own);
  return own.lines;
}

import { promises as fs } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import unbzip2Stream from 'unbzip2-stream';

/** How a file's content is compressed, told by its first bytes (never by its name). */
export type Compression = 'gzip' | 'bzip2' | 'none';

/** A decompressor failed on corrupt or truncated data; `compression` names which. */
export class DecompressionError extends Error {
  override readonly name = 'DecompressionError';

  constructor(
    readonly compression: Exclude<Compression, 'none'>,
    message: string,
  ) {
    super(message);
  }
}

/** The decompressed content exceeds the caller's limit. */
export class DecompressedTooLargeError extends Error {
  override readonly name = 'DecompressedTooLargeError';
}

const gunzipBuffer = promisify(gunzip);

/** The compression whose magic bytes `head` starts with: gzip 1f 8b, bzip2 "BZh" and a block size digit. */
export function compressionOf(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    return 'gzip';
  }
  if (
    head.length >= 4 &&
    head[0] === 0x42 &&
    head[1] === 0x5a &&
    head[2] === 0x68 &&
    head[3] >= 0x31 &&
    head[3] <= 0x39
  ) {
    return 'bzip2';
  }
  return 'none';
}

/** Reads a file's first bytes to tell its compression. */
export async function compressionOfFile(filePath: string): Promise<Compression> {
  const handle = await fs.open(filePath, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return compressionOf(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** `raw` decompressed as a stream; bzip2 failures surface as `DecompressionError`, gzip ones as zlib's errors. */
export function decompressStream(raw: Readable, compression: Compression, chunkBytes: number): Readable {
  if (compression === 'none') {
    return raw;
  }
  if (compression === 'gzip') {
    // zlib's errors carry Z_* codes; the reader reports them as before.
    return pipeline(raw, createGunzip({ chunkSize: Math.max(chunkBytes, 64) }), () => undefined);
  }
  // unbzip2-stream is a classic (through) stream: its errors are not forwarded by pipe, so they are caught here.
  const decoder = unbzip2Stream();
  const out = new PassThrough({ highWaterMark: chunkBytes });
  decoder.on('error', () => out.destroy(new DecompressionError('bzip2', 'the data are corrupt or truncated')));
  raw.on('error', (error) => out.destroy(error));
  raw.pipe(decoder).pipe(out);
  out.on('close', () => raw.destroy());
  return out;
}

/** `data` decompressed whole, refusing more than `maxBytes` of output. */
export async function decompressBuffer(data: Buffer, compression: Compression, maxBytes: number): Promise<Buffer> {
  if (compression === 'none') {
    return data;
  }
  if (compression === 'gzip') {
    try {
      return await gunzipBuffer(data, { maxOutputLength: maxBytes });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DecompressedTooLargeError('the decompressed content exceeds the limit');
      }
      throw error;
    }
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const source = new PassThrough();
  const stream = decompressStream(source, 'bzip2', 1024 * 1024);
  source.end(data);
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.destroy();
      throw new DecompressedTooLargeError('the decompressed content exceeds the limit');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

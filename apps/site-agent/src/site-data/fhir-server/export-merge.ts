import { createReadStream } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ContentDigest, writeNdjsonFile } from './ndjson-file.writer';

/** `Type/id` of a resource line, or null when the line is no resource with an id (kept as it is). */
export function resourceKeyOf(line: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  const { resourceType, id } = value as { resourceType?: unknown; id?: unknown };
  return typeof resourceType === 'string' && typeof id === 'string' ? `${resourceType}/${id}` : null;
}

/**
 * The `Type/id`s a Bulk Data `deleted` line names: a transaction Bundle whose entries have `request.method` DELETE and
 * `request.url` `Type/id` (absolute URLs are reduced to their last two segments).
 */
export function deletedKeysOf(line: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return [];
  }
  const entries = (value as { entry?: unknown } | null)?.entry;
  if (!Array.isArray(entries)) {
    return [];
  }
  const keys: string[] = [];
  for (const entry of entries) {
    const request = (entry as { request?: { method?: unknown; url?: unknown } } | null)?.request;
    if (request?.method !== 'DELETE' || typeof request.url !== 'string') {
      continue;
    }
    const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})\/?$/.exec(request.url.split('?')[0]);
    if (match !== null) {
      keys.push(`${match[1]}/${match[2]}`);
    }
  }
  return keys;
}

/** The non-empty lines of a gzip NDJSON file, read as a stream. */
export async function* readGzipLines(path: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() !== '') {
      yield line;
    }
  }
}

export interface MergedFiles {
  files: string[];
  digest: ContentDigest;
}

/**
 * Writes into `outDir` the current export with the changes applied: a resource the changes hold replaces its earlier
 * version, one they delete is left out, everything else is copied. The current files are read once, line by line; only
 * the changed and deleted ids are held in memory.
 */
export async function mergeExportFiles(
  currentFiles: readonly string[],
  changeFiles: readonly string[],
  deletedFiles: readonly string[],
  outDir: string,
  signal?: AbortSignal,
): Promise<MergedFiles> {
  const superseded = new Set<string>();
  for (const file of changeFiles) {
    for await (const line of readGzipLines(file)) {
      const key = resourceKeyOf(line);
      if (key !== null) {
        superseded.add(key);
      }
    }
  }
  for (const file of deletedFiles) {
    for await (const line of readGzipLines(file)) {
      for (const key of deletedKeysOf(line)) {
        superseded.add(key);
      }
    }
  }
  const digest = new ContentDigest();
  const files: string[] = [];
  let index = 0;
  const write = async (source: string, lines: AsyncIterable<string>): Promise<void> => {
    const name = `${String(index++).padStart(5, '0')}-${basename(source).replace(/^\d+-/, '')}`;
    await writeNdjsonFile(
      Readable.from(withNewlines(lines)),
      join(outDir, name),
      digest,
      `merged ${basename(source)}`,
      signal,
    );
    files.push(name);
  };
  for (const file of currentFiles) {
    await write(file, keptLines(file, superseded));
  }
  for (const file of changeFiles) {
    await write(file, readGzipLines(file));
  }
  return { files, digest };
}

async function* keptLines(file: string, superseded: ReadonlySet<string>): AsyncGenerator<string> {
  for await (const line of readGzipLines(file)) {
    const key = resourceKeyOf(line);
    if (key === null || !superseded.has(key)) {
      yield line;
    }
  }
}

async function* withNewlines(lines: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const line of lines) {
    yield `${line}\n`;
  }
}

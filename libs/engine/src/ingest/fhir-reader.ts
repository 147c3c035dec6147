import { createReadStream, promises as fs } from 'node:fs';
import { type FhirResource, isFhirResource } from '../fhirpath/fhir-resource';
import {
  type Compression,
  compressionOf,
  compressionOfFile,
  DecompressedTooLargeError,
  DecompressionError,
  decompressBuffer,
  decompressStream,
} from './decompression';
import { type BundleEntryResource, liftContained, resolveBundleReferences } from './bundle-references';
import { type IngestIssue, describeFsError, describeJsonError, errorCode, jsonErrorLine } from './ingest-issues';
import { type InputFile, listInputFiles } from './input-files';
import { LineSplitter } from './line-splitter';

/** Where a resource came from: the NDJSON line (1-based) or the Bundle entry index (0-based). */
export interface ResourceSource {
  file: string;
  line?: number;
  entry?: number;
}

export interface FhirInputResource {
  resource: FhirResource;
  source: ResourceSource;
}

export interface ReadFhirOptions {
  /** An NDJSON line longer than this is reported and skipped (default 64 MiB). */
  maxLineBytes?: number;
  /** A Bundle file is parsed whole; a larger one (compressed or not) is reported and skipped (default 1 GiB). */
  maxBundleBytes?: number;
  /** Read size for NDJSON files (default 1 MiB); tests pass tiny values to exercise chunk boundaries. */
  chunkBytes?: number;
  /** Called for every bad file, line or entry; reading always continues. */
  onIssue?: (issue: IngestIssue) => void;
  /**
   * Numbers contained resources whose container has no usable id (default 1, 2, … per read); parallel readers of one
   * input give each part its own range, so no two parts give the same id.
   */
  numberAnonymous?: () => number;
}

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_BUNDLE_BYTES = 1024 * 1024 * 1024;
const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/** Bundle types whose entries are the resources themselves (no history versions, no responses). */
const RESOURCE_BUNDLE_TYPES: ReadonlySet<string> = new Set([
  'collection',
  'transaction',
  'batch',
  'searchset',
  'document',
]);

const BYTE_ORDER_MARK = 0xfeff;
const CARRIAGE_RETURN = 0x0d;

/** The resources found in one read of a file; `done` marks the file's last batch. */
export interface ResourceBatch {
  file: InputFile;
  items: FhirInputResource[];
  /** Bytes of this file read from disk so far. */
  fileBytesRead: number;
  done: boolean;
  /** On the last batch of an NDJSON file or part: its lines, blank and bad ones included. */
  lines?: number;
}

/** A part of an uncompressed NDJSON file: the lines that start at a byte offset in [start, end). */
export interface ByteRange {
  start: number;
  end: number;
}

interface ResolvedOptions {
  maxLineBytes: number;
  maxBundleBytes: number;
  chunkBytes: number;
  /** Numbers contained resources whose container has no usable id, in reading order. */
  nextAnonymous: () => number;
}

type Report = (issue: IngestIssue) => void;

function resolveOptions(options: ReadFhirOptions): ResolvedOptions {
  let anonymous = 0;
  return {
    nextAnonymous: options.numberAnonymous ?? (() => ++anonymous),
    maxLineBytes: positiveInteger(options.maxLineBytes, DEFAULT_MAX_LINE_BYTES, 'maxLineBytes'),
    maxBundleBytes: positiveInteger(options.maxBundleBytes, DEFAULT_MAX_BUNDLE_BYTES, 'maxBundleBytes'),
    chunkBytes: positiveInteger(options.chunkBytes, DEFAULT_CHUNK_BYTES, 'chunkBytes'),
  };
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    // A programming error of the caller, not bad input data.
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Adds `resource` and the resources it contains (see `liftContained`) to `items`. */
function pushWithContained(
  resource: FhirResource,
  source: ResourceSource,
  items: FhirInputResource[],
  options: ResolvedOptions,
): void {
  items.push({ resource, source });
  if (resource.contained !== undefined) {
    for (const inner of liftContained(resource, options.nextAnonymous)) {
      items.push({ resource: inner, source });
    }
  }
}

/**
 * The `Bundle.entry[].resource`s of a Bundle in a `.json` file, with references to entries' fullUrls resolved
 * (`resolveBundleReferences`), or the file's single resource; contained resources follow their container.
 */
function collectFromDocument(
  value: unknown,
  file: string,
  items: FhirInputResource[],
  report: Report,
  options: ResolvedOptions,
): void {
  if (!isFhirResource(value)) {
    report({ file, code: 'ENGINE_INPUT_NOT_A_RESOURCE', message: notAResource(value) });
    return;
  }
  if (value.resourceType !== 'Bundle') {
    pushWithContained(value, { file }, items, options);
    return;
  }
  const type = value.type;
  if (typeof type !== 'string' || !RESOURCE_BUNDLE_TYPES.has(type)) {
    report({
      file,
      code: 'ENGINE_INPUT_BUNDLE_TYPE_UNSUPPORTED',
      message: `Bundle.type ${typeof type === 'string' ? `"${type}"` : 'is missing'}; expected one of ${[...RESOURCE_BUNDLE_TYPES].join(', ')}`,
    });
    return;
  }
  const entries = value.entry;
  if (entries === undefined) {
    return;
  }
  if (!Array.isArray(entries)) {
    report({ file, code: 'ENGINE_INPUT_BUNDLE_ENTRY_INVALID', message: 'Bundle.entry must be an array' });
    return;
  }
  const found: Array<BundleEntryResource & { entry: number }> = [];
  for (let entry = 0; entry < entries.length; entry++) {
    const item: unknown = entries[entry];
    const fields =
      typeof item === 'object' && item !== null && !Array.isArray(item)
        ? (item as { resource?: unknown; fullUrl?: unknown; request?: { method?: unknown } })
        : {};
    const resource = fields.resource;
    if ((resource === undefined || resource === null) && fields.request?.method === 'DELETE') {
      // The request URL is not quoted: it may name a patient (`Patient?identifier=…`), and samples reach the logs.
      report({
        file,
        entry,
        code: 'ENGINE_INPUT_BUNDLE_DELETE_NOT_APPLIED',
        message:
          'a DELETE entry: a deletion in a Bundle is not applied; a version of that resource read elsewhere stays',
      });
    } else if (resource === undefined || resource === null) {
      report({ file, entry, code: 'ENGINE_INPUT_BUNDLE_ENTRY_INVALID', message: 'Bundle entry has no resource' });
    } else if (!isFhirResource(resource)) {
      report({ file, entry, code: 'ENGINE_INPUT_NOT_A_RESOURCE', message: notAResource(resource) });
    } else {
      found.push(
        typeof fields.fullUrl === 'string' ? { resource, fullUrl: fields.fullUrl, entry } : { resource, entry },
      );
    }
  }
  resolveBundleReferences(found);
  for (const { resource, entry } of found) {
    pushWithContained(resource, { file, entry }, items, options);
  }
}

function describeDecompressionError(error: unknown): string {
  return error instanceof DecompressionError ? error.message : describeFsError(error);
}

function notAResource(value: unknown): string {
  if (typeof value !== 'object' || value === null) {
    return `expected a JSON object, got ${value === null ? 'null' : typeof value}`;
  }
  if (Array.isArray(value)) {
    return 'expected a JSON object, got an array';
  }
  return 'the object has no string resourceType';
}

/** Reads a Bundle (or single-resource) JSON file, gzipped or not, refusing files above `maxBundleBytes`. */
async function readDocumentFile(
  file: InputFile,
  options: ResolvedOptions,
  report: Report,
): Promise<FhirInputResource[]> {
  const tooLarge = (size: string): void =>
    report({
      file: file.path,
      code: 'ENGINE_INPUT_BUNDLE_TOO_LARGE',
      message: `${size} exceeds maxBundleBytes (${options.maxBundleBytes} bytes); split it or export NDJSON`,
    });
  if (file.size > options.maxBundleBytes) {
    tooLarge(`the file (${file.size} bytes)`);
    return [];
  }
  let data: Buffer;
  try {
    data = await fs.readFile(file.path);
  } catch (error) {
    report({ file: file.path, code: 'ENGINE_INPUT_UNREADABLE', message: `cannot read: ${describeFsError(error)}` });
    return [];
  }
  const compression = compressionOf(data.subarray(0, 4));
  if (compression !== 'none') {
    try {
      data = await decompressBuffer(data, compression, options.maxBundleBytes);
    } catch (error) {
      if (error instanceof DecompressedTooLargeError) {
        tooLarge('the decompressed content');
      } else {
        report({
          file: file.path,
          code: compression === 'bzip2' ? 'ENGINE_INPUT_BZIP2_INVALID' : 'ENGINE_INPUT_GZIP_INVALID',
          message: `cannot decompress (${compression}): ${describeDecompressionError(error)}`,
        });
      }
      return [];
    }
  }
  let text: string;
  try {
    text = data.toString('utf8');
  } catch {
    // V8 caps string length (about 512 MiB) below the default maxBundleBytes.
    report({
      file: file.path,
      code: 'ENGINE_INPUT_BUNDLE_TOO_LARGE',
      message: `the content (${data.length} bytes) exceeds the JavaScript string limit; split it or export NDJSON`,
    });
    return [];
  }
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text);
  } catch (error) {
    const issue: IngestIssue = {
      file: file.path,
      code: 'ENGINE_INPUT_JSON_INVALID',
      message: describeJsonError(error),
    };
    const line = jsonErrorLine(text, error);
    if (line !== undefined) {
      issue.line = line;
    }
    report(issue);
    return [];
  }
  const items: FhirInputResource[] = [];
  collectFromDocument(value, file.path, items, report, options);
  return items;
}

/** Parses NDJSON files chunk by chunk; only the current chunk and at most one partial line are held. */
async function* readNdjsonFile(
  file: InputFile,
  options: ResolvedOptions,
  report: Report,
  range?: ByteRange,
): AsyncGenerator<ResourceBatch, void, undefined> {
  const filePath = file.path;
  let compression: Compression;
  try {
    compression = await compressionOfFile(filePath);
  } catch (error) {
    report({ file: filePath, code: 'ENGINE_INPUT_UNREADABLE', message: `cannot read: ${describeFsError(error)}` });
    yield { file, items: [], fileBytesRead: 0, done: true };
    return;
  }
  // A part that does not start the file reads from the byte before it: the line read first is the end of the line
  // before, or empty when the part starts a line; either belongs to the part before.
  const skipFirst = range !== undefined && range.start > 0 && compression === 'none';
  const raw = createReadStream(filePath, {
    highWaterMark: options.chunkBytes,
    start: skipFirst ? range.start - 1 : 0,
  });
  const source = decompressStream(raw, compression, options.chunkBytes);
  const splitter = new LineSplitter(options.maxLineBytes);
  let items: FhirInputResource[] = [];
  /** File offset of the next line's first byte; lines from `range.end` on belong to the next part. */
  let position = skipFirst ? range.start - 1 : 0;
  let past = false;
  let lastLine = 0;
  /** The line's number within the part, or null when the line belongs to another part. */
  const ownLine = (bytes: number, line: number): number | null => {
    const lineStart = position;
    position += bytes + 1;
    if (skipFirst && line === 1) {
      return null;
    }
    if (range !== undefined && compression === 'none' && lineStart >= range.end) {
      past = true;
      return null;
    }
    lastLine = skipFirst ? line - 1 : line;
    return lastLine;
  };

  const onLine = (buffer: Buffer, start: number, end: number, lineInRead: number): void => {
    const line = ownLine(end - start, lineInRead);
    if (line === null) {
      return;
    }
    if (end > start && buffer[end - 1] === CARRIAGE_RETURN) {
      end--;
    }
    if (start === end) {
      return;
    }
    let text = buffer.toString('utf8', start, end);
    if (line === 1 && text.charCodeAt(0) === BYTE_ORDER_MARK) {
      text = text.slice(1);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (text.trim() !== '') {
        report({ file: filePath, line, code: 'ENGINE_INPUT_JSON_INVALID', message: describeJsonError(error) });
      }
      return;
    }
    if (isFhirResource(value)) {
      pushWithContained(value, { file: filePath, line }, items, options);
    } else {
      report({ file: filePath, line, code: 'ENGINE_INPUT_NOT_A_RESOURCE', message: notAResource(value) });
    }
  };
  const onTooLong = (lineInRead: number, bytes: number): void => {
    const line = ownLine(bytes, lineInRead);
    if (line !== null) {
      report({
        file: filePath,
        line,
        code: 'ENGINE_INPUT_LINE_TOO_LONG',
        message: `line has ${bytes} bytes, more than maxLineBytes (${options.maxLineBytes}); skipped`,
      });
    }
  };

  try {
    for await (const chunk of source) {
      splitter.push(chunk as Buffer, onLine, onTooLong);
      if (items.length > 0) {
        const batch = items;
        items = [];
        yield { file, items: batch, fileBytesRead: raw.bytesRead, done: false };
      }
      if (past) {
        break;
      }
    }
    if (!past) {
      splitter.end(onLine, onTooLong);
    }
  } catch (error) {
    const corrupt = error instanceof DecompressionError || errorCode(error)?.startsWith('Z_') === true;
    report({
      file: filePath,
      line: lastLine + 1,
      code: !corrupt
        ? 'ENGINE_INPUT_UNREADABLE'
        : compression === 'bzip2'
          ? 'ENGINE_INPUT_BZIP2_INVALID'
          : 'ENGINE_INPUT_GZIP_INVALID',
      message: corrupt
        ? `cannot decompress${compression === 'bzip2' ? ' (bzip2)' : ''} from this line on: ${describeDecompressionError(error)}`
        : `cannot read from this line on: ${describeFsError(error)}`,
    });
  } finally {
    raw.destroy();
    source.destroy();
  }
  yield { file, items, fileBytesRead: raw.bytesRead, done: true, lines: lastLine };
}

/**
 * Reads one part of an uncompressed NDJSON file (`range`), or a whole file when it is compressed: the resources of the
 * lines that start in the part, numbered from 1 at its first line (the last batch says how many lines it had).
 */
export function readNdjsonPart(
  file: InputFile,
  range: ByteRange,
  options: ReadFhirOptions,
  report: Report,
): AsyncGenerator<ResourceBatch, void, undefined> {
  return readNdjsonFile(file, resolveOptions(options), report, range);
}

/** Reads every input file in order as batches of resources (internal: ingestFhir avoids a promise per resource). */
export async function* readResourceBatches(
  files: readonly InputFile[],
  options: ReadFhirOptions,
  report: Report,
): AsyncGenerator<ResourceBatch, void, undefined> {
  const resolved = resolveOptions(options);
  for (const file of files) {
    if (file.format === 'ndjson') {
      yield* readNdjsonFile(file, resolved, report);
    } else {
      const items = await readDocumentFile(file, resolved, report);
      yield { file, items, fileBytesRead: file.size, done: true };
    }
  }
}

/**
 * Streams FHIR R4 resources from NDJSON files (`.ndjson`, `.jsonl`) and Bundle or single-resource JSON files
 * (`.json`), gzipped or not, given as files or directories (recursed, sorted by name). Bad files, lines and
 * entries go to `options.onIssue` and are skipped; nothing in the input makes this throw.
 */
export async function* readFhirResources(
  paths: readonly string[],
  options: ReadFhirOptions = {},
): AsyncGenerator<FhirInputResource, void, undefined> {
  const report: Report = options.onIssue ?? (() => undefined);
  resolveOptions(options);
  const { files } = await listInputFiles(paths, report);
  for await (const batch of readResourceBatches(files, options, report)) {
    yield* batch.items;
  }
}

import type { IngestIssue } from '../ingest-issues';
import type { InputFile } from '../input-files';

/** The only members of an element value the index builder reads (codings, quantities, periods); the rest is dropped. */
const READ_MEMBERS = ['system', 'code', 'value', 'unit', 'start', 'end'] as const;

/** An element value as the builder reads it: primitives as they are, objects cut to the members it reads. */
export function pruneValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return value;
  }
  const source = value as Record<string, unknown>;
  const pruned: Record<string, unknown> = {};
  for (const key of READ_MEMBERS) {
    if (source[key] !== undefined) {
      pruned[key] = source[key];
    }
  }
  return pruned;
}

/** One resource as a worker hands it over: its type, id (null: none) and the element values read, in order. */
export type RecordedResource = [type: string, id: string | null, reads: unknown[][]];

/** One part of the input: a byte range of an uncompressed NDJSON file, or a whole file (`range` null). */
export interface IngestPart {
  index: number;
  file: InputFile;
  range: { start: number; end: number } | null;
  /** The last part of its file: the file is done when it is. */
  last: boolean;
}

/** Main thread → worker. */
export type ToWorker = { kind: 'part'; part: IngestPart } | { kind: 'credit' } | { kind: 'stop' };

/** Worker → main thread: batches of one part in order, the last with `done`. */
export type FromWorker =
  | {
      kind: 'batch';
      part: number;
      /** JSON of `RecordedResource[]`: one string crosses the thread boundary faster than many objects. */
      resources: string;
      count: number;
      issues: IngestIssue[];
      fileBytesRead: number;
      done: boolean;
      /** On the last batch: the part's lines (NDJSON), for numbering the next part's lines on. */
      lines: number;
    }
  | { kind: 'failed'; message: string };

import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ConceptTree } from '../../codes/code-hierarchy';
import type { FhirResource } from '../../fhirpath/fhir-resource';
import type { AddOutcome, IndexBuilder } from '../../index/index-builder';
import { DEFAULT_MAPPING } from '../../mapping/default-mapping';
import type { EngineMapping } from '../../mapping/mapping.schema';
import type { FhirInputResource, ResourceBatch } from '../fhir-reader';
import { type IngestOptions, type IngestSummary, ingestBatches, ingestFhir, type ResourceSink } from '../fhir-ingest';
import type { IngestIssue } from '../ingest-issues';
import type { InputFile } from '../input-files';
import type { IngestWorkerData } from './ingest.worker';
import type { FromWorker, IngestPart, RecordedResource, ToWorker } from './recorded-reads';

export interface ParallelIngestOptions extends IngestOptions {
  /** Worker threads (default: the cores available to this process). */
  workers?: number;
  /** Uncompressed NDJSON files are cut into parts of about this many bytes (default 16 MiB). */
  partBytes?: number;
  /** The mapping and concept trees the builder was made with: the workers read what its plan reads. */
  mapping?: EngineMapping;
  conceptTrees?: readonly ConceptTree[];
  /** The worker's script and the data handed to it by another name (tests run the TypeScript source). */
  workerScript?: string;
}

const DEFAULT_PART_BYTES = 16 * 1024 * 1024;
/** Batches (about one read chunk each) a worker may have sent and the main thread not yet taken. */
const MAX_OUTSTANDING_BATCHES = 8;

/** Whether a file is compressed (gzip or bzip2 magic bytes), so that it can only be read whole. */
async function isCompressed(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => null);
  if (handle === null) {
    return true;
  }
  try {
    const head = Buffer.alloc(3);
    const { bytesRead } = await handle.read(head, 0, 3, 0);
    return (
      (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) ||
      head.subarray(0, bytesRead).toString('latin1') === 'BZh'
    );
  } finally {
    await handle.close();
  }
}

/** Cuts the input into parts: uncompressed NDJSON files by byte ranges, every other file whole; in file order. */
export async function planParts(files: readonly InputFile[], partBytes: number): Promise<IngestPart[]> {
  const parts: IngestPart[] = [];
  for (const file of files) {
    const splittable = file.format === 'ndjson' && file.size > partBytes && !(await isCompressed(file.path));
    const count = splittable ? Math.ceil(file.size / partBytes) : 1;
    for (let i = 0; i < count; i++) {
      const range = splittable
        ? { start: i * partBytes, end: i + 1 === count ? file.size : (i + 1) * partBytes }
        : null;
      parts.push({ index: parts.length, file, range, last: i + 1 === count });
    }
  }
  return parts;
}

/** The index's builder fed from recorded resources, in the order the batches hand them over. */
class RecordedSink implements ResourceSink {
  private queue: RecordedResource[] = [];
  private next = 0;

  constructor(private readonly builder: IndexBuilder) {}

  load(resources: RecordedResource[]): void {
    this.queue = resources;
    this.next = 0;
  }

  addResource(resource: FhirResource): AddOutcome {
    const [type, id, reads] = this.queue[this.next++];
    if (type !== resource.resourceType) {
      throw new Error(`recorded ${type} where ${resource.resourceType} was read`);
    }
    return this.builder.addRecorded(type, id ?? undefined, reads);
  }

  get lastReplaced(): AddOutcome | null {
    return this.builder.lastReplaced;
  }
}

interface PartState {
  batches: Array<Extract<FromWorker, { kind: 'batch' }>>;
  worker: Worker;
}

/**
 * Runs `parts` on `count` workers and hands their batches over in part order. At most `count + 1` parts are read
 * ahead of the one being handed over, and each worker waits after `MAX_OUTSTANDING_BATCHES` batches not yet taken:
 * the memory of the reading ahead is bounded by workers × batches × one read chunk's resources.
 */
async function* readInWorkers(
  parts: readonly IngestPart[],
  count: number,
  script: string,
  data: IngestWorkerData,
  sink: RecordedSink,
  report: (issue: IngestIssue) => void,
): AsyncGenerator<ResourceBatch, void, undefined> {
  const workers = Array.from(
    { length: Math.min(count, Math.max(parts.length, 1)) },
    () => new Worker(script, { workerData: data }),
  );
  const states = new Map<number, PartState>();
  const idle: Worker[] = [...workers];
  let nextToAssign = 0;
  /** The part being handed over; parts up to `workers.length` beyond it may be read ahead. */
  let handingOver = 0;
  const failed: { error: Error | null } = { error: null };
  let wake: (() => void) | null = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  const assign = (): void => {
    while (idle.length > 0 && nextToAssign < parts.length && nextToAssign <= handingOver + workers.length) {
      const worker = idle.shift()!;
      const part = parts[nextToAssign++];
      states.set(part.index, { batches: [], worker });
      worker.postMessage({ kind: 'part', part } satisfies ToWorker);
    }
  };
  for (const worker of workers) {
    worker.on('message', (message: FromWorker) => {
      if (message.kind === 'failed') {
        failed.error = new Error(`an ingestion worker failed: ${message.message}`);
      } else {
        states.get(message.part)!.batches.push(message);
        if (message.done) {
          idle.push(worker);
          assign();
        }
      }
      notify();
    });
    worker.on('error', (error) => {
      failed.error = error;
      notify();
    });
  }
  try {
    assign();
    const linesBefore = new Map<string, number>();
    for (const part of parts) {
      for (;;) {
        const state = states.get(part.index)!;
        const message = state.batches.shift();
        if (failed.error !== null) {
          throw failed.error;
        }
        if (message === undefined) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          continue;
        }
        state.worker.postMessage({ kind: 'credit' } satisfies ToWorker);
        const offset = linesBefore.get(part.file.path) ?? 0;
        for (const issue of message.issues) {
          report(part.range === null || issue.line === undefined ? issue : { ...issue, line: issue.line + offset });
        }
        const resources = JSON.parse(message.resources) as RecordedResource[];
        sink.load(resources);
        const items: FhirInputResource[] = resources.map(([resourceType, id]) => ({
          resource: id === null ? { resourceType } : { resourceType, id },
          source: { file: part.file.path },
        }));
        const done = message.done && part.last;
        yield { file: part.file, items, fileBytesRead: (part.range?.start ?? 0) + message.fileBytesRead, done };
        if (message.done) {
          linesBefore.set(part.file.path, offset + message.lines);
          states.delete(part.index);
          handingOver = part.index + 1;
          assign();
          break;
        }
      }
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/**
 * `ingestFhir` on worker threads: the input is cut into parts (byte ranges of uncompressed NDJSON files, other files
 * whole); workers parse them and read the element values the mapping asks for; the main thread adds them to `builder`
 * in input order. The index, the summary and every cohort are the same as `ingestFhir` gives on one thread (the
 * builder's numbering, duplicate handling and interning see the resources in the same order). Loaded from the
 * TypeScript source without `workerScript` (a test runner), it ingests on the calling thread.
 */
export async function ingestFhirInParallel(
  paths: readonly string[],
  builder: IndexBuilder,
  options: ParallelIngestOptions = {},
): Promise<IngestSummary> {
  const count = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
  const data: IngestWorkerData = {
    mapping: options.mapping ?? DEFAULT_MAPPING,
    conceptTrees: options.conceptTrees ?? [],
    read: {
      maxLineBytes: options.maxLineBytes,
      maxBundleBytes: options.maxBundleBytes,
      chunkBytes: options.chunkBytes,
    },
    maxOutstanding: MAX_OUTSTANDING_BATCHES,
  };
  // Run from the TypeScript source (a test runner transpiling in its own thread) there is no worker script to start:
  // the same ingestion then runs on this thread, with the same result.
  const script = options.workerScript ?? (__filename.endsWith('.ts') ? null : join(__dirname, 'ingest.worker.js'));
  if (script === null) {
    return ingestFhir(paths, builder, options);
  }
  const sink = new RecordedSink(builder);
  return ingestBatches(paths, sink, options, async function* (files, report) {
    const parts = await planParts(files, options.partBytes ?? DEFAULT_PART_BYTES);
    yield* readInWorkers(parts, count, script, data, sink, report);
  });
}

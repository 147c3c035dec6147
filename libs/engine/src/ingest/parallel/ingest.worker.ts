import { parentPort, workerData } from 'node:worker_threads';
import type { ConceptTree } from '../../codes/code-hierarchy';
import { IndexBuilder } from '../../index/index-builder';
import type { EngineMapping } from '../../mapping/mapping.schema';
import { createIndexPlan } from '../../site-engine';
import { type ReadFhirOptions, type ResourceBatch, readNdjsonPart, readResourceBatches } from '../fhir-reader';
import type { IngestIssue } from '../ingest-issues';
import { type FromWorker, type IngestPart, pruneValue, type RecordedResource, type ToWorker } from './recorded-reads';

/** What a worker is started with. */
export interface IngestWorkerData {
  mapping: EngineMapping;
  conceptTrees: readonly ConceptTree[];
  read: Pick<ReadFhirOptions, 'maxLineBytes' | 'maxBundleBytes' | 'chunkBytes'>;
  /** Batches sent and not yet taken by the main thread before this worker waits (bounds its memory). */
  maxOutstanding: number;
}

/** A recording builder keeps rows too; a fresh one after this many resources bounds the worker's memory. */
const RESOURCES_PER_RECORDER = 50_000;
/** Each part numbers its anonymous contained resources in its own range (no two parts give the same id). */
const ANONYMOUS_PER_PART = 1_000_000_000;

const data = workerData as IngestWorkerData;
const port = parentPort!;
const plan = createIndexPlan({ mapping: data.mapping, conceptTrees: data.conceptTrees });
let recorder = new IndexBuilder(plan);
let recorded = 0;
let reads: unknown[][] = [];
recorder.recordReads((values) => reads.push(values.map(pruneValue)));

let outstanding = 0;
let creditWaiter: (() => void) | null = null;
const queue: IngestPart[] = [];
let running = false;

function send(message: FromWorker): void {
  port.postMessage(message);
}

/** Reads each element value the builder would read from `resource`, in its order. */
function record(resource: { resourceType: string; id?: unknown }): RecordedResource {
  if (recorded++ === RESOURCES_PER_RECORDER) {
    recorder = new IndexBuilder(plan);
    recorder.recordReads((values) => reads.push(values.map(pruneValue)));
    recorded = 1;
  }
  reads = [];
  recorder.addResource(resource as Parameters<IndexBuilder['addResource']>[0]);
  return [resource.resourceType, typeof resource.id === 'string' ? resource.id : null, reads];
}

async function waitForCredit(): Promise<void> {
  while (outstanding >= data.maxOutstanding) {
    await new Promise<void>((resolve) => {
      creditWaiter = resolve;
    });
  }
}

async function readPart(part: IngestPart): Promise<void> {
  let issues: IngestIssue[] = [];
  const report = (issue: IngestIssue): void => {
    issues.push(issue);
  };
  let anonymous = part.index * ANONYMOUS_PER_PART;
  const options: ReadFhirOptions = { ...data.read, numberAnonymous: () => ++anonymous };
  const batches: AsyncIterable<ResourceBatch> =
    part.file.format === 'ndjson'
      ? readNdjsonPart(part.file, part.range ?? { start: 0, end: Number.MAX_SAFE_INTEGER }, options, report)
      : readResourceBatches([part.file], options, report);
  for await (const batch of batches) {
    const resources = batch.items.map(({ resource }) => record(resource));
    await waitForCredit();
    outstanding++;
    send({
      kind: 'batch',
      part: part.index,
      resources: JSON.stringify(resources),
      count: resources.length,
      issues,
      fileBytesRead: batch.fileBytesRead,
      done: batch.done,
      lines: batch.lines ?? 0,
    });
    issues = [];
  }
}

async function drain(): Promise<void> {
  if (running) {
    return;
  }
  running = true;
  try {
    for (let part = queue.shift(); part !== undefined; part = queue.shift()) {
      await readPart(part);
    }
  } catch (error) {
    send({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  } finally {
    running = false;
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.kind) {
    case 'part':
      queue.push(message.part);
      void drain();
      return;
    case 'credit':
      outstanding--;
      creditWaiter?.();
      creditWaiter = null;
      return;
    case 'stop':
      port.close();
      return;
  }
});

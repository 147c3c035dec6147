import type { FhirResource } from '../fhirpath/fhir-resource';
import type { AddOutcome } from '../index/index-builder';
import { type ReadFhirOptions, type ResourceBatch, readResourceBatches } from './fhir-reader';
import { type IngestIssue, type IngestIssueCode, IngestIssueLog } from './ingest-issues';
import { type InputFile, listInputFiles } from './input-files';

/** Where ingested resources go; an `IndexBuilder` is one. */
export interface ResourceSink {
  addResource(resource: FhirResource): AddOutcome;
  /**
   * After `addResource`: the outcome an earlier version with the same type and id had, when the resource just added
   * replaced it (the later version wins); null or absent when nothing was replaced.
   */
  readonly lastReplaced?: AddOutcome | null;
}

/**
 * What became of the resources read, in total or of one type. Every resource read is in exactly one of the other
 * counts: `read = indexed + typeNotMapped + codeNotMapped + noPatient + replaced`.
 */
export interface ResourceTally {
  read: number;
  /** In the index (a version that a later one replaced counts under `replaced` instead). */
  indexed: number;
  /** Of a resource type the mapping does not read. */
  typeNotMapped: number;
  /** Of a type the mapping reads, but with no code (system) it reads. */
  codeNotMapped: number;
  /** Of a type the mapping reads, but linking to no patient (no reference, or one that names no Patient). */
  noPatient: number;
  /** Earlier versions that a later resource with the same type and id replaced. */
  replaced: number;
}

export interface IngestProgress {
  /** Files finished so far, of `totalFiles`. */
  files: number;
  totalFiles: number;
  resources: number;
  /** Bytes read from disk (compressed bytes for gzip files), of `totalBytes`. */
  bytesRead: number;
  totalBytes: number;
  errors: number;
  elapsedMs: number;
}

export interface IngestOptions extends ReadFhirOptions {
  onProgress?: (progress: IngestProgress) => void;
  /** Report progress at least this often (default every 50,000 resources), and after each file. */
  progressEveryResources?: number;
  /** Keep at most this many issues as samples (default 100); all are counted. */
  maxErrorSamples?: number;
  /** Millisecond clock for durations (default `performance.now`). */
  now?: () => number;
}

export interface IngestSummary {
  /** Input files read (or attempted). */
  files: number;
  /** Files in the given directories that are no FHIR input format (README.md, …); `unsupportedFiles` lists them. */
  skippedFiles: number;
  /** The first `maxErrorSamples` of those files. */
  unsupportedFiles: string[];
  /** Size of the input files on disk (compressed size for gzip files). */
  bytes: number;
  /** Resources handed to the sink (`read` of `total`). */
  resources: number;
  indexed: number;
  typeNotMapped: number;
  codeNotMapped: number;
  noPatient: number;
  replaced: number;
  /** The same counts per resource type. */
  byType: Record<string, ResourceTally>;
  /** Bad files, lines and entries; each was skipped (`errorsByCode` counts them by issue code). */
  errors: number;
  errorsByCode: Partial<Record<IngestIssueCode, number>>;
  errorSamples: IngestIssue[];
  durationMs: number;
  resourcesPerSecond: number;
}

const DEFAULT_PROGRESS_EVERY = 50_000;
const DEFAULT_MAX_ERROR_SAMPLES = 100;

/**
 * Reads FHIR NDJSON and Bundle files (see `readFhirResources`) into `sink`, never stopping at bad input: every
 * problem is counted, the first `maxErrorSamples` are kept with file, line or entry and reason.
 */
export function ingestFhir(
  paths: readonly string[],
  sink: ResourceSink,
  options: IngestOptions = {},
): Promise<IngestSummary> {
  return ingestBatches(paths, sink, options, (files, report) => readResourceBatches(files, options, report));
}

/** The batches of resources read from `files`, in file order; problems go to `report`. */
export type BatchReader = (
  files: readonly InputFile[],
  report: (issue: IngestIssue) => void,
) => AsyncIterable<ResourceBatch>;

/** `ingestFhir` with the reading done by `read` (internal: the parallel ingestion reads in worker threads). */
export async function ingestBatches(
  paths: readonly string[],
  sink: ResourceSink,
  options: IngestOptions,
  read: BatchReader,
): Promise<IngestSummary> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const issues = new IngestIssueLog(options.maxErrorSamples ?? DEFAULT_MAX_ERROR_SAMPLES);
  const report = (issue: IngestIssue): void => {
    issues.add(issue);
    options.onIssue?.(issue);
  };
  const progressEvery = options.progressEveryResources ?? DEFAULT_PROGRESS_EVERY;

  const { files, skipped, unsupported } = await listInputFiles(
    paths,
    report,
    options.maxErrorSamples ?? DEFAULT_MAX_ERROR_SAMPLES,
  );
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  let resources = 0;
  const byType = new Map<string, ResourceTally>();
  let filesDone = 0;
  let bytesBeforeFile = 0;
  let nextProgressAt = progressEvery;

  const progress = (bytesRead: number): void =>
    options.onProgress?.({
      files: filesDone,
      totalFiles: files.length,
      resources,
      bytesRead,
      totalBytes,
      errors: issues.count,
      elapsedMs: now() - started,
    });

  for await (const batch of read(files, report)) {
    for (const { resource } of batch.items) {
      const outcome = sink.addResource(resource);
      let tally = byType.get(resource.resourceType);
      if (tally === undefined) {
        tally = emptyTally();
        byType.set(resource.resourceType, tally);
      }
      tally.read++;
      tally[TALLY_KEYS[outcome]]++;
      const replaced = sink.lastReplaced;
      if (replaced !== undefined && replaced !== null) {
        tally[TALLY_KEYS[replaced]]--;
        tally.replaced++;
      }
    }
    resources += batch.items.length;
    if (batch.done) {
      filesDone++;
      bytesBeforeFile += batch.file.size;
      progress(bytesBeforeFile);
      nextProgressAt = resources + progressEvery;
    } else if (resources >= nextProgressAt) {
      progress(bytesBeforeFile + batch.fileBytesRead);
      nextProgressAt = resources + progressEvery;
    }
  }

  const durationMs = Math.max(0, now() - started);
  const total = emptyTally();
  const types = [...byType.keys()].sort();
  for (const type of types) {
    const tally = byType.get(type)!;
    for (const key of TALLY_FIELDS) {
      total[key] += tally[key];
    }
  }
  return {
    files: files.length,
    skippedFiles: skipped,
    unsupportedFiles: unsupported,
    bytes: bytesBeforeFile,
    resources,
    indexed: total.indexed,
    typeNotMapped: total.typeNotMapped,
    codeNotMapped: total.codeNotMapped,
    noPatient: total.noPatient,
    replaced: total.replaced,
    byType: Object.fromEntries(types.map((type) => [type, byType.get(type)!])),
    errors: issues.count,
    errorsByCode: issues.byCode,
    errorSamples: issues.samples,
    durationMs,
    resourcesPerSecond: durationMs > 0 ? Math.round((resources * 1000) / durationMs) : 0,
  };
}

const TALLY_KEYS: Readonly<Record<AddOutcome, Exclude<keyof ResourceTally, 'read' | 'replaced'>>> = {
  indexed: 'indexed',
  'type-not-mapped': 'typeNotMapped',
  'code-not-mapped': 'codeNotMapped',
  'no-patient': 'noPatient',
};
const TALLY_FIELDS: ReadonlyArray<keyof ResourceTally> = [
  'read',
  'indexed',
  'typeNotMapped',
  'codeNotMapped',
  'noPatient',
  'replaced',
];

function emptyTally(): ResourceTally {
  return { read: 0, indexed: 0, typeNotMapped: 0, codeNotMapped: 0, noPatient: 0, replaced: 0 };
}

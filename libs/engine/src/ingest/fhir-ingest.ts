import type { FhirResource } from '../fhirpath/fhir-resource';
import type { AddOutcome } from '../index/index-builder';
import { type ReadFhirOptions, readResourceBatches } from './fhir-reader';
import { type IngestIssue, IngestIssueLog } from './ingest-issues';
import { listInputFiles } from './input-files';

/** Where ingested resources go; an `IndexBuilder` is one. */
export interface ResourceSink {
  addResource(resource: FhirResource): AddOutcome;
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
  /** Files in the given directories that are no FHIR input format (README.md, …). */
  skippedFiles: number;
  /** Size of the input files on disk (compressed size for gzip files). */
  bytes: number;
  /** Resources handed to the sink. */
  resources: number;
  indexed: number;
  ignored: number;
  noPatient: number;
  /** Bad files, lines and entries; each was skipped. */
  errors: number;
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
export async function ingestFhir(
  paths: readonly string[],
  sink: ResourceSink,
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const issues = new IngestIssueLog(options.maxErrorSamples ?? DEFAULT_MAX_ERROR_SAMPLES);
  const report = (issue: IngestIssue): void => {
    issues.add(issue);
    options.onIssue?.(issue);
  };
  const progressEvery = options.progressEveryResources ?? DEFAULT_PROGRESS_EVERY;

  const { files, skipped } = await listInputFiles(paths, report);
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  let resources = 0;
  let indexed = 0;
  let ignored = 0;
  let noPatient = 0;
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

  for await (const batch of readResourceBatches(files, options, report)) {
    for (const { resource } of batch.items) {
      const outcome = sink.addResource(resource);
      switch (outcome) {
        case 'indexed':
          indexed++;
          break;
        case 'ignored':
          ignored++;
          break;
        case 'no-patient':
          noPatient++;
          break;
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
  return {
    files: files.length,
    skippedFiles: skipped,
    bytes: bytesBeforeFile,
    resources,
    indexed,
    ignored,
    noPatient,
    errors: issues.count,
    errorSamples: issues.samples,
    durationMs,
    resourcesPerSecond: durationMs > 0 ? Math.round((resources * 1000) / durationMs) : 0,
  };
}

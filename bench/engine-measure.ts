import {
  type CohortCount,
  countCohort,
  countPatients,
  createIndexBuilder,
  evaluateQuery,
  type IndexMemory,
  ingestFhir,
  type IngestSummary,
  type PatientIndex,
} from '@fq/engine';
import { createRecordKeyDeriver, SITE_SECRET_BYTES } from '@fq/privacy';
import type { BenchQuery } from './query-suite';
import { type LatencyStats, timeAlternately, type TimingPlan } from './latency-stats';
import { ProgressLine } from './progress-line';
import { formatCount } from './report-table';

// A fixed secret, so every run derives the same record keys and the same cohort keys.
const BENCH_SITE_SECRET = new Uint8Array(SITE_SECRET_BYTES).fill(0x42);

/** The record keys the index was built with: one per patient number, derived during `finish()`. */
export interface RecordKeyFigures {
  /** Keys derived (`recordKeyOf` calls), one per patient id the data name. */
  patients: number;
  /** Time inside `recordKeyOf` (HMAC-SHA256 per patient), summed over the calls. */
  deriveMs: number;
  /** Bytes of the keys in the index (`PatientIndex.recordKeys`), part of `memory.bytes`. */
  bytes: number;
}

/** Ingestion and memory figures of one engine index. */
export interface EngineBuild {
  ingest: IngestSummary;
  /** `IndexBuilder.finish()`: reference resolution, postings compression and record-key derivation. */
  finishMs: number;
  recordKeys: RecordKeyFigures;
  /** Resources per second over reading, indexing and finishing. */
  endToEndPerSecond: number;
  memory: IndexMemory;
  /** JS heap after a full GC, before ingestion and with the finished index alive. */
  heapBeforeBytes: number;
  heapAfterBytes: number;
  /** Typed-array storage outside the JS heap, after a full GC with the index alive. */
  arrayBuffersBytes: number;
  rssBytes: number;
}

/** One query's figures on one side of the comparison. */
export interface QueryTiming {
  count: number;
  latency: LatencyStats;
  /** Unknown term codes and criterion issues the engine reported; a query file should have none. */
  warnings: string[];
}

/** The engine's figures of one query: `latency` is `countPatients` (count alone), `cohort` is `countCohort`. */
export interface EngineQueryTiming extends QueryTiming {
  cohort: {
    cohortKey: string;
    latency: LatencyStats;
    /** Median over alternating rounds of (countCohort − countPatients) ms. */
    medianAddedMs: number;
  };
}

/** Full collection, twice, so finalisers run and the heap figure is stable. */
export function collectGarbage(gc: () => void): void {
  gc();
  gc();
}

/** The bench site's record-key function, timing each call (a clock read costs about 0.1 µs, an HMAC 6–8 µs). */
function timedRecordKeyDeriver(): { recordKeyOf: (patientId: string) => Uint8Array; figures: RecordKeyFigures } {
  const derive = createRecordKeyDeriver(BENCH_SITE_SECRET);
  const figures: RecordKeyFigures = { patients: 0, deriveMs: 0, bytes: 0 };
  const recordKeyOf = (patientId: string): Uint8Array => {
    const started = performance.now();
    const key = derive(patientId);
    figures.deriveMs += performance.now() - started;
    figures.patients++;
    return key;
  };
  return { recordKeyOf, figures };
}

/** Ingests into a fresh builder with record keys and finishes it; the builder is unreachable once this returns. */
async function ingestAndFinish(
  paths: readonly string[],
): Promise<{ index: PatientIndex; ingest: IngestSummary; finishMs: number; recordKeys: RecordKeyFigures }> {
  const { recordKeyOf, figures } = timedRecordKeyDeriver();
  const builder = createIndexBuilder({ recordKeyOf });
  const progress = new ProgressLine('engine ingest');
  const ingest = await ingestFhir(paths, builder, {
    onProgress: (p) =>
      progress.update(`${formatCount(p.resources)} resources, ${formatCount((p.resources * 1000) / p.elapsedMs)}/s`),
  });
  progress.done(`${formatCount(ingest.resources)} resources in ${(ingest.durationMs / 1000).toFixed(1)} s`);
  const finishStarted = performance.now();
  const index = builder.finish();
  const finishMs = performance.now() - finishStarted;
  return { index, ingest, finishMs, recordKeys: { ...figures, bytes: index.recordKeys?.byteLength ?? 0 } };
}

/** Ingests every FHIR file under `paths` into a fresh index on this thread and measures time and memory. */
export async function buildEngineIndex(
  paths: readonly string[],
  gc: () => void,
): Promise<{ index: PatientIndex; build: EngineBuild }> {
  collectGarbage(gc);
  const heapBeforeBytes = process.memoryUsage().heapUsed;
  const { index, ingest, finishMs, recordKeys } = await ingestAndFinish(paths);
  // Only the index is alive now, so the heap figure is what it holds (its dictionaries and plan).
  collectGarbage(gc);
  const usage = process.memoryUsage();
  return {
    index,
    build: {
      ingest,
      finishMs,
      recordKeys,
      endToEndPerSecond: (ingest.resources * 1000) / (ingest.durationMs + finishMs),
      memory: index.memory(),
      heapBeforeBytes,
      heapAfterBytes: usage.heapUsed,
      arrayBuffersBytes: usage.arrayBuffers,
      rssBytes: usage.rss,
    },
  };
}

const sameCohort = (a: CohortCount, b: CohortCount): boolean =>
  a.rawCount === b.rawCount && a.cohortKey === b.cohortKey;

/**
 * Times each query as `countPatients` (the count alone) and as `countCohort` (count and cohort key, what a site
 * answers from), in alternating rounds of `plan.warmup` + `plan.runs`; both must give the same rawCount.
 */
export function timeEngineQueries(
  index: PatientIndex,
  suite: readonly BenchQuery[],
  plan: TimingPlan,
  evaluationDate: string,
): EngineQueryTiming[] {
  const timings: EngineQueryTiming[] = [];
  for (const { query } of suite) {
    const evaluation = evaluateQuery(index, query, { evaluationDate });
    const warnings = evaluation.criteria.flatMap((criterion) => [
      ...criterion.unknownTermCodes.map((c) => `${criterion.path}: unknown term code ${c.system}|${c.code}`),
      ...criterion.issues.map((issue) => `${issue.path}: ${issue.code} ${issue.message}`),
    ]);
    // Timed without the per-criterion counts of the diagnostics above, which only the operator's command reads.
    const paired = timeAlternately(
      () => countPatients(index, query, { evaluationDate }),
      () => countCohort(index, query, { evaluationDate }),
      plan,
      Object.is,
      sameCohort,
    );
    const count = paired.first.result;
    const { rawCount, cohortKey } = paired.second.result;
    if (rawCount !== count) {
      throw new Error(`countCohort gave rawCount ${rawCount}, countPatients ${count}`);
    }
    timings.push({
      count,
      latency: paired.first.latency,
      warnings,
      cohort: { cohortKey, latency: paired.second.latency, medianAddedMs: paired.medianDifferenceMs },
    });
  }
  return timings;
}

/** Builds the index, times the queries on it and returns only the figures, so the index can be collected. */
export async function measureEngine(
  paths: readonly string[],
  suite: readonly BenchQuery[],
  plan: TimingPlan,
  evaluationDate: string,
  gc: () => void,
): Promise<{ build: EngineBuild; timings: EngineQueryTiming[] }> {
  const { index, build } = await buildEngineIndex(paths, gc);
  return { build, timings: timeEngineQueries(index, suite, plan, evaluationDate) };
}

/**
 * Reads and parses every resource into a sink that keeps nothing: the ceiling any indexing can reach with this
 * reader on this machine.
 */
export async function measureReadCeiling(paths: readonly string[]): Promise<IngestSummary> {
  const progress = new ProgressLine('read only');
  const summary = await ingestFhir(
    paths,
    { addResource: () => 'ignored' },
    {
      onProgress: (p) => progress.update(`${formatCount(p.resources)} resources`),
    },
  );
  progress.done(`${formatCount(summary.resources)} resources in ${(summary.durationMs / 1000).toFixed(1)} s`);
  return summary;
}

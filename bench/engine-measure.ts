import {
  countPatients,
  createIndexBuilder,
  evaluateQuery,
  type IndexMemory,
  ingestFhir,
  type IngestSummary,
  type PatientIndex,
} from '@fq/engine';
import type { BenchQuery } from './query-suite';
import { type LatencyStats, timeRepeatedly, type TimingPlan } from './latency-stats';
import { ProgressLine } from './progress-line';
import { formatCount } from './report-table';

/** Ingestion and memory figures of one engine index. */
export interface EngineBuild {
  ingest: IngestSummary;
  /** `IndexBuilder.finish()`: reference resolution and postings compression. */
  finishMs: number;
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

/** Full collection, twice, so finalisers run and the heap figure is stable. */
export function collectGarbage(gc: () => void): void {
  gc();
  gc();
}

/** Ingests into a fresh builder and finishes it; the builder is unreachable once this returns. */
async function ingestAndFinish(
  paths: readonly string[],
): Promise<{ index: PatientIndex; ingest: IngestSummary; finishMs: number }> {
  const builder = createIndexBuilder();
  const progress = new ProgressLine('engine ingest');
  const ingest = await ingestFhir(paths, builder, {
    onProgress: (p) =>
      progress.update(`${formatCount(p.resources)} resources, ${formatCount((p.resources * 1000) / p.elapsedMs)}/s`),
  });
  progress.done(`${formatCount(ingest.resources)} resources in ${(ingest.durationMs / 1000).toFixed(1)} s`);
  const finishStarted = performance.now();
  const index = builder.finish();
  return { index, ingest, finishMs: performance.now() - finishStarted };
}

/** Ingests every FHIR file under `paths` into a fresh index on this thread and measures time and memory. */
export async function buildEngineIndex(
  paths: readonly string[],
  gc: () => void,
): Promise<{ index: PatientIndex; build: EngineBuild }> {
  collectGarbage(gc);
  const heapBeforeBytes = process.memoryUsage().heapUsed;
  const { index, ingest, finishMs } = await ingestAndFinish(paths);
  // Only the index is alive now, so the heap figure is what it holds (its dictionaries and plan).
  collectGarbage(gc);
  const usage = process.memoryUsage();
  return {
    index,
    build: {
      ingest,
      finishMs,
      endToEndPerSecond: (ingest.resources * 1000) / (ingest.durationMs + finishMs),
      memory: index.memory(),
      heapBeforeBytes,
      heapAfterBytes: usage.heapUsed,
      arrayBuffersBytes: usage.arrayBuffers,
      rssBytes: usage.rss,
    },
  };
}

/** Evaluates each query `plan.warmup` + `plan.runs` times and records the engine's rawCount and latency. */
export async function timeEngineQueries(
  index: PatientIndex,
  suite: readonly BenchQuery[],
  plan: TimingPlan,
  evaluationDate: string,
): Promise<QueryTiming[]> {
  const timings: QueryTiming[] = [];
  for (const { query } of suite) {
    const evaluation = evaluateQuery(index, query, { evaluationDate });
    const warnings = evaluation.criteria.flatMap((criterion) => [
      ...criterion.unknownTermCodes.map((c) => `${criterion.path}: unknown term code ${c.system}|${c.code}`),
      ...criterion.issues.map((issue) => `${issue.path}: ${issue.code} ${issue.message}`),
    ]);
    // Timed as a site answers: the count alone, without the per-criterion counts of the diagnostics above.
    const { result, latency } = await timeRepeatedly(() => countPatients(index, query, { evaluationDate }), plan);
    timings.push({ count: result, latency, warnings });
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
): Promise<{ build: EngineBuild; timings: QueryTiming[] }> {
  const { index, build } = await buildEngineIndex(paths, gc);
  return { build, timings: await timeEngineQueries(index, suite, plan, evaluationDate) };
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

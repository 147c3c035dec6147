import {
  type CohortCount,
  type CohortKeying,
  countCohort,
  countPatients,
  createIndexBuilder,
  evaluateQuery,
  type IndexMemory,
  ingestFhir,
  type IngestSummary,
  type PatientIndex,
} from '@fq/engine';
import { createCohortKeyer, PatientNumbering, SITE_SECRET_BYTES } from '@fq/privacy';
import type { BenchQuery } from './query-suite';
import { type LatencyStats, timeAlternately, type TimingPlan } from './latency-stats';
import { ProgressLine } from './progress-line';
import { formatCount } from './report-table';

// A fixed secret, so every run derives the same record keys and the same cohort keys.
const BENCH_SITE_SECRET = new Uint8Array(SITE_SECRET_BYTES).fill(0x42);

/** The stable patient numbers the index was built with, given as a site agent gives them on its first load. */
export interface NumberingFigures {
  /** Patients numbered (`patientNumber` calls), one per patient id the data name. */
  patients: number;
  /** Time inside `patientNumber` (the record key's HMAC-SHA256 and a map lookup), summed over the calls. */
  numberMs: number;
}

/** Ingestion and memory figures of one engine index. */
export interface EngineBuild {
  ingest: IngestSummary;
  /** `IndexBuilder.finish()`: reference resolution and postings compression. */
  finishMs: number;
  numbering: NumberingFigures;
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

/**
 * The bench site's cohort keying: patient numbers from `PatientNumbering`, the site agent's own, as on a site's first
 * load (record key, then the next number), each call timed (a clock read costs about 0.1 µs, an HMAC 6–8 µs), and
 * the site's cohort keys.
 */
function timedCohortKeying(): { cohortKeying: CohortKeying; figures: NumberingFigures } {
  const numbering = new PatientNumbering(BENCH_SITE_SECRET);
  const figures: NumberingFigures = { patients: 0, numberMs: 0 };
  const patientNumber = (patientId: string): number => {
    const started = performance.now();
    const number = numbering.numberOf(patientId);
    figures.numberMs += performance.now() - started;
    figures.patients++;
    return number;
  };
  return { cohortKeying: { patientNumber, keyOf: createCohortKeyer(BENCH_SITE_SECRET) }, figures };
}

/** Ingests into a fresh builder with cohort keying and finishes it; the builder is unreachable once this returns. */
async function ingestAndFinish(
  paths: readonly string[],
): Promise<{ index: PatientIndex; ingest: IngestSummary; finishMs: number; numbering: NumberingFigures }> {
  const { cohortKeying, figures } = timedCohortKeying();
  const builder = createIndexBuilder({ cohortKeying });
  const progress = new ProgressLine('engine ingest');
  const ingest = await ingestFhir(paths, builder, {
    onProgress: (p) =>
      progress.update(`${formatCount(p.resources)} resources, ${formatCount((p.resources * 1000) / p.elapsedMs)}/s`),
  });
  progress.done(`${formatCount(ingest.resources)} resources in ${(ingest.durationMs / 1000).toFixed(1)} s`);
  const finishStarted = performance.now();
  const index = builder.finish();
  const finishMs = performance.now() - finishStarted;
  return { index, ingest, finishMs, numbering: figures };
}

/** Ingests every FHIR file under `paths` into a fresh index on this thread and measures time and memory. */
export async function buildEngineIndex(
  paths: readonly string[],
  gc: () => void,
): Promise<{ index: PatientIndex; build: EngineBuild }> {
  collectGarbage(gc);
  const heapBeforeBytes = process.memoryUsage().heapUsed;
  const { index, ingest, finishMs, numbering } = await ingestAndFinish(paths);
  // Only the index is alive now, so the heap figure is what it holds (its dictionaries and plan).
  collectGarbage(gc);
  const usage = process.memoryUsage();
  return {
    index,
    build: {
      ingest,
      finishMs,
      numbering,
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
    { addResource: () => 'type-not-mapped' },
    {
      onProgress: (p) => progress.update(`${formatCount(p.resources)} resources`),
    },
  );
  progress.done(`${formatCount(summary.resources)} resources in ${(summary.durationMs / 1000).toFixed(1)} s`);
  return summary;
}

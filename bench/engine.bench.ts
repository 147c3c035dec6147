import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import type { IngestSummary } from '@fq/engine';
import { type BenchOptions, parseBenchOptions } from './bench-options';
import { DuckDbBaseline, type BaselineLoad } from './duckdb-baseline';
import {
  collectGarbage,
  type EngineBuild,
  type EngineQueryTiming,
  measureEngine,
  measureReadCeiling,
  type QueryTiming,
} from './engine-measure';
import { timeRepeatedly, type TimingPlan } from './latency-stats';
import { describeMachine, formatMachine, loadLine } from './machine-info';
import { ProgressLine } from './progress-line';
import { type BenchQuery, loadQuerySuite } from './query-suite';
import { type Align, formatCount, formatMiB, formatMs, formatTable } from './report-table';
import { ensureSyntheticSite, type SyntheticSite } from './synthetic-data';

/** The targets the engine is measured against. */
const TARGETS = {
  resourcesPerSecond: 150_000,
  bytesPerIndexedResource: 64,
  medianMsAtOneMillion: 20,
  speedupOverDuckDb: 10,
  /** What the cohort key (`countCohort` over `countPatients`) may add to a query's median at 1M. */
  cohortKeyAddedPercentAtOneMillion: 10,
} as const;

const ONE_MILLION = 1_000_000;

interface SizeResult {
  site: SyntheticSite;
  /** Reading and parsing alone, without indexing. */
  readCeiling: IngestSummary;
  build: EngineBuild;
  engine: EngineQueryTiming[];
  duckdb: { load: BaselineLoad; timings: QueryTiming[] } | null;
}

/** The bench/ folder: the compiled file runs from bench/dist/bench/, the source from bench/. */
function findBenchRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'queries')) || !existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no bench folder (with queries/ and package.json) above ${__dirname}`);
    }
    dir = parent;
  }
  return dir;
}

function requireGc(): () => void {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc !== 'function') {
    throw new Error('run node with --expose-gc: heap figures are taken after a full collection');
  }
  return () => {
    Reflect.apply(gc, globalThis, []);
  };
}

async function timeSqlQueries(
  baseline: DuckDbBaseline,
  suite: readonly BenchQuery[],
  plan: TimingPlan,
): Promise<QueryTiming[]> {
  const timings: QueryTiming[] = [];
  for (const { sql } of suite) {
    const { result, latency } = await timeRepeatedly(() => baseline.count(sql), plan);
    timings.push({ count: result, latency, warnings: [] });
  }
  return timings;
}

function heading(text: string): void {
  console.log(`\n${text}\n${'='.repeat(text.length)}`);
}

function verdict(met: boolean): string {
  return met ? 'met' : 'MISSED';
}

/** What the cohort key adds to the count's median, in percent of it. */
function addedPercent(timing: EngineQueryTiming): number {
  return (100 * (timing.cohort.latency.medianMs - timing.latency.medianMs)) / timing.latency.medianMs;
}

function formatPercent(percent: number): string {
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)} %`;
}

function printBuild(result: SizeResult): void {
  const { build, site } = result;
  const { ingest, memory } = build;
  const bytesPerResource = memory.bytes / memory.indexedResources;
  console.log(
    formatTable(
      ['engine ingestion (one core)', 'value', 'target'],
      [
        ['data', `${formatCount(site.patients)} patients, ${formatMiB(site.bytes)} NDJSON, ${site.files} files`, ''],
        ['resources read', formatCount(ingest.resources), ''],
        [
          'indexed / not mapped / no patient / replaced',
          `${formatCount(ingest.indexed)} / ${formatCount(ingest.typeNotMapped + ingest.codeNotMapped)} / ` +
            `${formatCount(ingest.noPatient)} / ${formatCount(ingest.replaced)}`,
          '',
        ],
        ['input errors', formatCount(ingest.errors), ''],
        [
          'read + parse only (no index)',
          `${(result.readCeiling.durationMs / 1000).toFixed(1)} s, ${formatCount(result.readCeiling.resourcesPerSecond)} resources/s`,
          'ceiling for ingestion',
        ],
        [
          'read + index',
          `${(ingest.durationMs / 1000).toFixed(1)} s, ${formatCount(ingest.resourcesPerSecond)} resources/s`,
          '',
        ],
        ['finish()', `${(build.finishMs / 1000).toFixed(2)} s`, ''],
        [
          'patient numbers (record key HMAC each)',
          `${(build.numbering.numberMs / 1000).toFixed(2)} s for ${formatCount(build.numbering.patients)} patients, ` +
            `${((1000 * build.numbering.numberMs) / build.numbering.patients).toFixed(2)} µs each`,
          `${((100 * build.numbering.numberMs) / (ingest.durationMs + build.finishMs)).toFixed(1)} % of end to end, during read + index`,
        ],
        [
          'end to end',
          `${formatCount(build.endToEndPerSecond)} resources/s`,
          `>= ${formatCount(TARGETS.resourcesPerSecond)}/s ${verdict(build.endToEndPerSecond >= TARGETS.resourcesPerSecond)}`,
        ],
        ['index typed arrays', `${formatMiB(memory.bytes)} (${formatCount(memory.rows)} rows)`, ''],
        [
          'bytes per indexed resource',
          `${bytesPerResource.toFixed(1)} (${formatCount(memory.indexedResources)} indexed resources)`,
          `<= ${TARGETS.bytesPerIndexedResource} ${verdict(bytesPerResource <= TARGETS.bytesPerIndexedResource)}`,
        ],
        [
          'JS heap after GC, index alive',
          `${formatMiB(build.heapAfterBytes)} (before ingestion ${formatMiB(build.heapBeforeBytes)})`,
          '',
        ],
        [
          'typed arrays + heap growth',
          `${((memory.bytes + build.heapAfterBytes - build.heapBeforeBytes) / memory.indexedResources).toFixed(1)} bytes per indexed resource`,
          'all-in, informative',
        ],
        ['array buffers / RSS', `${formatMiB(build.arrayBuffersBytes)} / ${formatMiB(build.rssBytes)}`, ''],
      ],
      ['left', 'right', 'left'],
    ),
  );
}

function printQueries(result: SizeResult, suite: readonly BenchQuery[]): number {
  let mismatches = 0;
  const rows = suite.map((query, i) => {
    const engine = result.engine[i];
    const duck = result.duckdb?.timings[i];
    const same = duck === undefined || duck.count === engine.count;
    if (!same) {
      mismatches++;
    }
    return [
      query.name,
      formatCount(engine.count),
      formatMs(engine.latency.medianMs),
      formatMs(engine.latency.p95Ms),
      formatMs(engine.cohort.latency.medianMs),
      formatMs(engine.cohort.latency.p95Ms),
      formatPercent(addedPercent(engine)),
      engine.cohort.medianAddedMs.toFixed(3),
      duck === undefined ? '-' : same ? '=' : `MISMATCH ${formatCount(duck.count)}`,
      duck === undefined ? '-' : formatMs(duck.latency.medianMs),
      duck === undefined ? '-' : formatMs(duck.latency.p95Ms),
      duck === undefined ? '-' : `${(duck.latency.medianMs / engine.latency.medianMs).toFixed(1)}x`,
    ];
  });
  const headers = [
    'query',
    'rawCount',
    'count ms',
    'p95',
    'count+key ms',
    'p95',
    'key adds',
    'paired ms',
    'duckdb count',
    'duckdb ms',
    'p95',
    'duckdb/engine',
  ];
  console.log(formatTable(headers, rows, ['left', ...headers.slice(1).map((): Align => 'right')]));
  console.log(
    'count = countPatients, count+key = countCohort (rawCount equal in every run), timed in alternating order; ' +
      'key adds = difference of the medians; paired = median of the per-round differences; duckdb/engine = ' +
      'against count',
  );
  for (const [i, timing] of result.engine.entries()) {
    for (const warning of timing.warnings) {
      console.log(`  warning ${suite[i].name}: ${warning}`);
    }
  }
  return mismatches;
}

function printSummary(results: readonly SizeResult[]): void {
  heading('Targets');
  const rows: string[][] = [];
  for (const { site, build, engine, duckdb } of results) {
    const size = formatCount(site.patients);
    const bytes = build.memory.bytes / build.memory.indexedResources;
    // What a site answers from is countCohort, so the latency target is judged on it.
    const slowest = Math.max(...engine.map((t) => t.cohort.latency.medianMs));
    rows.push([
      size,
      'ingestion, resources/s (one core)',
      formatCount(build.endToEndPerSecond),
      `>= ${formatCount(TARGETS.resourcesPerSecond)}`,
      verdict(build.endToEndPerSecond >= TARGETS.resourcesPerSecond),
    ]);
    rows.push([
      size,
      'index bytes per indexed resource',
      bytes.toFixed(1),
      `<= ${TARGETS.bytesPerIndexedResource}`,
      verdict(bytes <= TARGETS.bytesPerIndexedResource),
    ]);
    const latencyTarget = site.patients >= ONE_MILLION ? verdict(slowest <= TARGETS.medianMsAtOneMillion) : '(1M only)';
    rows.push([
      size,
      'slowest query median (count+key), ms',
      formatMs(slowest),
      `<= ${TARGETS.medianMsAtOneMillion}`,
      latencyTarget,
    ]);
    const added = Math.max(...engine.map(addedPercent));
    rows.push([
      size,
      'largest cohort-key addition to a median',
      formatPercent(added),
      `<= ${TARGETS.cohortKeyAddedPercentAtOneMillion} %`,
      site.patients >= ONE_MILLION ? verdict(added <= TARGETS.cohortKeyAddedPercentAtOneMillion) : '(1M only)',
    ]);
    if (duckdb !== null) {
      const speedups = engine.map((t, i) => duckdb.timings[i].latency.medianMs / t.latency.medianMs);
      const least = Math.min(...speedups);
      rows.push([
        size,
        'smallest DuckDB/engine (count) median ratio',
        `${least.toFixed(1)}x`,
        `>= ${TARGETS.speedupOverDuckDb}x`,
        verdict(least >= TARGETS.speedupOverDuckDb),
      ]);
    }
  }
  console.log(
    formatTable(['patients', 'figure', 'measured', 'target', ''], rows, ['right', 'left', 'right', 'left', 'left']),
  );
}

async function benchSize(
  patients: number,
  options: BenchOptions,
  suite: readonly BenchQuery[],
  generatorSourceDir: string,
  gc: () => void,
): Promise<SizeResult> {
  heading(`${formatCount(patients)} patients`);
  const site = await ensureSyntheticSite(options.dataDir, patients, options.seed, {
    sourceDir: generatorSourceDir,
    acceptChanged: options.keepData,
  });
  const stale = site.stale ? ' (made by an earlier version of the generator: --keep-data)' : '';
  console.log(
    site.reused ? `reusing ${site.dir}${stale}` : `generated ${site.dir} in ${(site.generateMs / 1000).toFixed(0)} s`,
  );
  const plan: TimingPlan = { warmup: options.warmup, runs: options.runs };

  const readCeiling = await measureReadCeiling([site.dir]);
  const { build, timings: engine } = await measureEngine([site.dir], suite, plan, options.evaluationDate, gc);
  // The index is unreachable now: DuckDB loads without it taking memory.
  collectGarbage(gc);

  let duckdb: SizeResult['duckdb'] = null;
  if (options.duckdb) {
    const progress = new ProgressLine('duckdb load');
    const { baseline, load } = await DuckDbBaseline.load([site.dir], options.evaluationDate, (resources) =>
      progress.update(`${formatCount(resources)} resources`),
    );
    progress.done(`${formatCount(load.ingest.resources)} resources in ${(load.loadMs / 1000).toFixed(1)} s`);
    try {
      duckdb = { load, timings: await timeSqlQueries(baseline, suite, plan) };
    } finally {
      baseline.close();
    }
  }
  return { site, readCeiling, build, engine, duckdb };
}

async function main(): Promise<number> {
  const benchRoot = findBenchRoot();
  const parsed = parseBenchOptions(process.argv, benchRoot);
  if (!parsed.ok) {
    if (parsed.error.message !== '') {
      console.error(parsed.error.message);
    }
    return parsed.error.exitCode;
  }
  const options = parsed.value;
  const gc = requireGc();
  const generatorSourceDir = path.join(benchRoot, '..', 'libs', 'synthetic', 'src');
  const suite = (await loadQuerySuite(path.join(benchRoot, 'queries'))).filter(
    (query) => options.only === undefined || query.name.includes(options.only),
  );
  if (suite.length === 0) {
    console.error(`no query file name contains "${options.only ?? ''}"`);
    return 2;
  }
  heading('Engine benchmark');
  for (const line of formatMachine(describeMachine(v8.getHeapStatistics().heap_size_limit))) {
    console.log(line);
  }
  console.log(
    `Engine   single-threaded (main thread); evaluation date ${options.evaluationDate}; ` +
      `${options.warmup} warm-up + ${options.runs} timed rounds per query, each round countPatients and ` +
      'countCohort in alternating order; index with the patient numbers and cohort keys of a fixed bench secret',
  );
  console.log(
    options.duckdb ? 'DuckDB   in-memory, every core (its default thread count)' : 'DuckDB   skipped (--no-duckdb)',
  );

  const results: SizeResult[] = [];
  let mismatches = 0;
  for (const patients of options.sizes) {
    const result = await benchSize(patients, options, suite, generatorSourceDir, gc);
    results.push(result);
    console.log('');
    printBuild(result);
    if (result.duckdb !== null) {
      const { load } = result.duckdb;
      const rows = Object.entries(load.rowsByTable)
        .map(([table, count]) => `${table} ${formatCount(count)}`)
        .join(', ');
      console.log(
        `\nDuckDB ${load.version}, ${load.threads} threads: loaded in ${(load.loadMs / 1000).toFixed(1)} s (${rows})`,
      );
    }
    console.log('');
    mismatches += printQueries(result, suite);
  }
  printSummary(results);
  console.log(`\nLoad at the end: ${loadLine(os.loadavg()[0], os.availableParallelism())}`);
  if (mismatches > 0) {
    console.error(`\nMISMATCH: ${mismatches} query result(s) differ between the engine and DuckDB`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);

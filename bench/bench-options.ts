import path from 'node:path';
import { err, ok, type Result } from '@fq/result';
import { Command, CommanderError, Option } from 'commander';

/** How one benchmark run is configured (command line, else BENCH_* environment, else defaults). */
export interface BenchOptions {
  /** Patient counts of the synthetic sites, in run order. */
  sizes: number[];
  seed: number;
  warmup: number;
  runs: number;
  /** `YYYY-MM-DD`; ages are computed at this date, the generator's reference date by default. */
  evaluationDate: string;
  dataDir: string;
  /** Only queries whose file name contains this text. */
  only: string | undefined;
  duckdb: boolean;
  /** Reuse complete data even if the generator's sources changed since (engine work on a fixed data set). */
  keepData: boolean;
}

/** A refused command line carries the message and the exit code (0 after `--help`). */
export type BenchOptionsResult = Result<BenchOptions, { message: string; exitCode: number }>;

const DEFAULT_SIZES = '100000,1000000';
// The synthetic generator's reference date: its "today", so ages and data windows line up.
const DEFAULT_EVALUATION_DATE = '2025-12-31';

function positiveInteger(text: string, name: string, issues: string[], allowZero = false): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    issues.push(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got "${text}"`);
  }
  return value;
}

/** Parses the command line; `benchRoot` is the bench/ folder, where `.data` lives by default. */
export function parseBenchOptions(argv: readonly string[], benchRoot: string): BenchOptionsResult {
  const program = new Command('engine.bench')
    .description('Engine ingestion, index memory and query latency on synthetic sites, against DuckDB')
    .addOption(new Option('--sizes <list>', 'comma-separated patient counts').env('BENCH_SIZES').default(DEFAULT_SIZES))
    .addOption(new Option('--seed <n>', 'generator seed').env('BENCH_SEED').default('42'))
    .addOption(new Option('--warmup <n>', 'untimed runs per query').env('BENCH_WARMUP').default('5'))
    .addOption(new Option('--runs <n>', 'timed runs per query').env('BENCH_RUNS').default('30'))
    .addOption(
      new Option('--evaluation-date <date>', 'date ages are computed at')
        .env('BENCH_EVALUATION_DATE')
        .default(DEFAULT_EVALUATION_DATE),
    )
    .addOption(
      new Option('--data-dir <dir>', 'where synthetic sites are generated and reused')
        .env('BENCH_DATA_DIR')
        .default(path.join(benchRoot, '.data')),
    )
    .addOption(new Option('--only <text>', 'run only queries whose file name contains this').env('BENCH_ONLY'))
    .addOption(new Option('--no-duckdb', 'skip the DuckDB baseline'))
    .addOption(
      new Option('--keep-data', 'reuse generated data even if the generator changed since').env('BENCH_KEEP_DATA'),
    )
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  try {
    program.parse([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      return err({ message: error.exitCode === 0 ? '' : error.message, exitCode: error.exitCode });
    }
    throw error;
  }
  const raw = program.opts<Record<string, string | boolean | undefined>>();
  const issues: string[] = [];
  const text = (name: string): string => String(raw[name] ?? '');
  const sizes = text('sizes')
    .split(',')
    .map((size) => positiveInteger(size.trim().replace(/_/g, ''), '--sizes', issues));
  const evaluationDate = text('evaluationDate');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(evaluationDate)) {
    issues.push(`--evaluation-date must be YYYY-MM-DD, got "${evaluationDate}"`);
  }
  const options: BenchOptions = {
    sizes,
    seed: positiveInteger(text('seed'), '--seed', issues, true),
    warmup: positiveInteger(text('warmup'), '--warmup', issues, true),
    runs: positiveInteger(text('runs'), '--runs', issues),
    evaluationDate,
    dataDir: path.resolve(text('dataDir')),
    only: typeof raw.only === 'string' ? raw.only : undefined,
    duckdb: raw.duckdb !== false,
    keepData: raw.keepData === true || raw.keepData === '1' || raw.keepData === 'true',
  };
  return issues.length === 0 ? ok(options) : err({ message: issues.join('\n'), exitCode: 2 });
}

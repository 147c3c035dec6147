import path from 'node:path';
import { err, ok, type Result } from '@fq/result';
import { Command, CommanderError, Option } from 'commander';

/** How one network benchmark run is configured (command line, else BENCH_NET_* environment, else defaults). */
export interface NetworkBenchOptions {
  sites: number;
  /** Patients per site. */
  patients: number;
  seed: number;
  /** Timed POST → final event runs per query file. */
  runs: number;
  /** Untimed runs of the whole query set before timing. */
  warmup: number;
  /** Queries in flight at once during the throughput phase. */
  concurrency: number;
  /** Unmeasured load at `concurrency` before the throughput window, so the window sees optimised code. */
  warmupSeconds: number;
  durationSeconds: number;
  /** `YYYY-MM-DD`, given to every site agent as SITE_EVALUATION_DATE. */
  evaluationDate: string;
  dataDir: string;
  /** Only queries whose file name contains this text. */
  only: string | undefined;
  /** How long one site agent may take to load its data and print READY. */
  readyTimeoutSeconds: number;
}

export type NetworkBenchOptionsResult = Result<NetworkBenchOptions, { message: string; exitCode: number }>;

function wholeNumber(text: string, name: string, issues: string[], min: number): number {
  const value = Number(text.trim().replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < min) {
    issues.push(`${name} must be an integer >= ${min}, got "${text}"`);
  }
  return value;
}

/** Parses the command line; `benchRoot` is the bench/ folder, where `.data` lives by default. */
export function parseNetworkBenchOptions(argv: readonly string[], benchRoot: string): NetworkBenchOptionsResult {
  const program = new Command('network.bench')
    .description('POST → final SSE event latency and sustained query throughput of broker + site agents on loopback')
    .addOption(new Option('--sites <n>', 'site agents').env('BENCH_NET_SITES').default('10'))
    .addOption(new Option('--patients <n>', 'patients per site').env('BENCH_NET_PATIENTS').default('100000'))
    .addOption(new Option('--seed <n>', 'generator seed').env('BENCH_NET_SEED').default('42'))
    .addOption(new Option('--runs <n>', 'timed runs per query file').env('BENCH_NET_RUNS').default('20'))
    .addOption(new Option('--warmup <n>', 'untimed passes over the query set').env('BENCH_NET_WARMUP').default('1'))
    .addOption(
      new Option('--concurrency <n>', 'queries in flight during the throughput phase')
        .env('BENCH_NET_CONCURRENCY')
        .default('16'),
    )
    .addOption(
      new Option('--warmup-seconds <seconds>', 'unmeasured load at the same concurrency before the throughput window')
        .env('BENCH_NET_WARMUP_SECONDS')
        .default('40'),
    )
    .addOption(
      new Option('--duration <seconds>', 'length of the throughput phase').env('BENCH_NET_DURATION').default('20'),
    )
    .addOption(
      new Option('--evaluation-date <date>', 'SITE_EVALUATION_DATE of every site')
        .env('BENCH_NET_EVALUATION_DATE')
        .default('2025-12-31'),
    )
    .addOption(
      new Option('--data-dir <dir>', 'where site data are generated and reused')
        .env('BENCH_DATA_DIR')
        .default(path.join(benchRoot, '.data')),
    )
    .addOption(new Option('--only <text>', 'only queries whose file name contains this').env('BENCH_NET_ONLY'))
    .addOption(
      new Option('--ready-timeout <seconds>', 'how long a site agent may take to load its data')
        .env('BENCH_NET_READY_TIMEOUT')
        .default('900'),
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
  const raw = program.opts<Record<string, string | undefined>>();
  const issues: string[] = [];
  const text = (name: string): string => String(raw[name] ?? '');
  const evaluationDate = text('evaluationDate');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(evaluationDate)) {
    issues.push(`--evaluation-date must be YYYY-MM-DD, got "${evaluationDate}"`);
  }
  const options: NetworkBenchOptions = {
    sites: wholeNumber(text('sites'), '--sites', issues, 1),
    patients: wholeNumber(text('patients'), '--patients', issues, 1),
    seed: wholeNumber(text('seed'), '--seed', issues, 0),
    runs: wholeNumber(text('runs'), '--runs', issues, 1),
    warmup: wholeNumber(text('warmup'), '--warmup', issues, 0),
    concurrency: wholeNumber(text('concurrency'), '--concurrency', issues, 1),
    warmupSeconds: wholeNumber(text('warmupSeconds'), '--warmup-seconds', issues, 0),
    durationSeconds: wholeNumber(text('duration'), '--duration', issues, 1),
    evaluationDate,
    dataDir: path.resolve(text('dataDir')),
    only: raw.only,
    readyTimeoutSeconds: wholeNumber(text('readyTimeout'), '--ready-timeout', issues, 1),
  };
  return issues.length === 0 ? ok(options) : err({ message: issues.join('\n'), exitCode: 2 });
}

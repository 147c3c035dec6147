import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { createIndexBuilder, ingestFhir, ingestFhirInParallel, type IngestSummary } from '@fq/engine';
import { Command, Option } from 'commander';
import { describeMachine, formatMachine, loadLine } from './machine-info';
import { formatCount, formatMiB, formatTable } from './report-table';

/** The ingestion target per core, in resources per second. */
const TARGET_PER_CORE = 150_000;

interface IngestRun {
  label: string;
  threads: number;
  summary: IngestSummary;
  wallMs: number;
  /** CPU time of the whole process (every thread), user + system. */
  cpuMs: number;
  maxRssBytes: number;
}

async function measure(label: string, threads: number, ingest: () => Promise<IngestSummary>): Promise<IngestRun> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const summary = await ingest();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    label,
    threads,
    summary,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

async function main(): Promise<void> {
  const benchRoot = path.resolve(__dirname, '..', '..');
  const options = new Command('ingest.bench')
    .description('Ingestion on one thread and on worker threads: resources per second per core and for the machine')
    .addOption(new Option('--patients <n>', 'size of the synthetic site').default('100000'))
    .addOption(new Option('--seed <n>', 'generator seed').default('42'))
    .addOption(new Option('--workers <list>', 'worker counts to measure').default(`1,${os.availableParallelism()}`))
    .addOption(
      new Option('--data-dir <dir>', 'where the engine benchmark generated its sites').default(
        path.join(benchRoot, '.data'),
      ),
    )
    .parse(process.argv)
    .opts<{ patients: string; seed: string; workers: string; dataDir: string }>();
  const dataDir = path.join(options.dataDir, `synthetic-${options.patients}-seed-${options.seed}`);
  if (!existsSync(`${dataDir}.complete`)) {
    throw new Error(`no complete synthetic site at ${dataDir}; run npm run bench -- --sizes ${options.patients} first`);
  }
  const machine = describeMachine(v8.getHeapStatistics().heap_size_limit);
  console.log(formatMachine(machine).join('\n'));
  const runs: IngestRun[] = [];
  const one = await measure('ingestFhir, this thread', 1, () => ingestFhir([dataDir], createIndexBuilder()));
  runs.push(one);
  for (const workers of options.workers.split(',').map(Number)) {
    runs.push(
      await measure(`ingestFhirInParallel, ${workers} worker(s)`, workers + 1, () =>
        ingestFhirInParallel([dataDir], createIndexBuilder(), { workers }),
      ),
    );
  }
  const same = runs.every(
    (run) => run.summary.indexed === one.summary.indexed && run.summary.resources === one.summary.resources,
  );
  console.log(
    formatTable(
      [
        'ingestion (read + index, no finish)',
        'wall s',
        'resources/s',
        'CPU s',
        'resources per CPU-s',
        'CPU busy',
        'max RSS',
      ],
      runs.map((run) => {
        const perSecond = (run.summary.resources * 1000) / run.wallMs;
        const perCpuSecond = (run.summary.resources * 1000) / run.cpuMs;
        return [
          run.label,
          (run.wallMs / 1000).toFixed(1),
          formatCount(perSecond),
          (run.cpuMs / 1000).toFixed(1),
          `${formatCount(perCpuSecond)} (${perCpuSecond >= TARGET_PER_CORE ? 'met' : 'MISSED'} >= ${formatCount(TARGET_PER_CORE)})`,
          `${(run.cpuMs / run.wallMs).toFixed(2)} cores`,
          formatMiB(run.maxRssBytes),
        ];
      }),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  console.log(
    `${formatCount(one.summary.resources)} resources, ${formatCount(one.summary.indexed)} indexed; every run the same: ${same ? 'yes' : 'NO'}. ` +
      'Resources per CPU-second is the per-core figure: CPU time of all threads, so other processes on the machine ' +
      'do not lower it; resources/s is what the machine gave this run (max RSS is the process peak so far).',
  );
  console.log(`Load at the end: ${loadLine(os.loadavg()[0], machine.logicalCores)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

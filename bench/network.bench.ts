import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { type BrokerHttpClient, findRepoRoot, type NatsServerHandle, startNatsServer } from '@fq/process-kit';
import { ok, type Result } from '@fq/result';
import { summarizeLatency } from './latency-stats';
import { describeMachine, formatMachine, speedReferenceMicros } from './machine-info';
import { runQuery, type QueryOutcome } from './network/final-event.client';
import { parseNetworkBenchOptions, type NetworkBenchOptions } from './network/network-options';
import { createNetworkKeys, startBroker, startSiteAgent, type RunningApp } from './network/network-processes';
import { ensureNetworkSite, generatorFingerprint, type NetworkSiteData } from './network/network-site-data';
import { type CpuGroup, type CpuSnapshot, type CpuSnapshotResult, takeCpuSnapshot } from './network/process-cpu';
import { loadQuerySuite, type BenchQuery } from './query-suite';
import { formatCount, formatMiB, formatMs, formatTable } from './report-table';

// The targets, stated for 10 site agents of 100,000 patients each on loopback.
const TARGET_MEDIAN_MS = 100;
const TARGET_QUERIES_PER_SECOND = 50;
const TARGET_SITES = 10;
const TARGET_PATIENTS = 100_000;

/** Latency of one query file: POST → final event over `runs` sequential runs. */
interface QueryLatencyRow {
  name: string;
  medianMs: number;
  p95Ms: number;
  runs: number;
  incomplete: number;
}

interface ThroughputFigures {
  submitted: number;
  /** Completed with every site `answered`, within the window. */
  completeInWindow: number;
  /** Completed or expired with a site not `answered`, or failed on the HTTP side. */
  incomplete: number;
  errors: string[];
  windowSeconds: number;
  latencyMedianMs: number;
  latencyP95Ms: number;
  /** CPU of the measured processes when the window opened and when it closed, or why it could not be read. */
  cpu: Result<{ before: CpuSnapshot; after: CpuSnapshot }, string>;
}

function fullyAnswered(outcome: QueryOutcome): boolean {
  return outcome.finalEvent === 'completed' && outcome.answeredSites === outcome.sites;
}

async function measureLatency(
  client: BrokerHttpClient,
  suite: readonly BenchQuery[],
  options: NetworkBenchOptions,
): Promise<{ rows: QueryLatencyRow[]; allSamples: number[] }> {
  for (let pass = 0; pass < options.warmup; pass++) {
    for (const query of suite) {
      await runQuery(client, query.query);
    }
  }
  const rows: QueryLatencyRow[] = [];
  const allSamples: number[] = [];
  for (const query of suite) {
    const samples: number[] = [];
    let incomplete = 0;
    for (let run = 0; run < options.runs; run++) {
      const outcome = await runQuery(client, query.query);
      samples.push(outcome.elapsedMs);
      incomplete += fullyAnswered(outcome) ? 0 : 1;
    }
    const stats = summarizeLatency(samples);
    allSamples.push(...samples);
    rows.push({ name: query.name, medianMs: stats.medianMs, p95Ms: stats.p95Ms, runs: stats.runs, incomplete });
    process.stderr.write(`  ${query.name}: median ${formatMs(stats.medianMs)} ms\n`);
  }
  return { rows, allSamples };
}

/** What `concurrency` workers finished while submitting the suite round-robin until a deadline. */
interface LoadOutcome {
  submitted: number;
  finished: Array<{ outcome: QueryOutcome; at: number }>;
  errors: string[];
}

/**
 * `concurrency` workers submit the suite round-robin, each waiting for its final event, until `until`
 * (`performance.now()` time); resolves once the queries in flight at that moment have finished too.
 */
async function runLoad(
  client: BrokerHttpClient,
  suite: readonly BenchQuery[],
  concurrency: number,
  until: number,
): Promise<LoadOutcome> {
  let next = 0;
  const finished: LoadOutcome['finished'] = [];
  const errors: string[] = [];
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const query = suite[next++ % suite.length];
      try {
        const outcome = await runQuery(client, query.query);
        finished.push({ outcome, at: performance.now() });
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { submitted: next, finished, errors };
}

/**
 * Unmeasured load before the window: the processes' hot code is optimised by V8 as it runs, as in a long-lived
 * network.
 */
async function warmUp(
  client: BrokerHttpClient,
  suite: readonly BenchQuery[],
  options: NetworkBenchOptions,
): Promise<{ fullyAnswered: number; seconds: number }> {
  const started = performance.now();
  const load = await runLoad(client, suite, options.concurrency, started + options.warmupSeconds * 1000);
  if (load.errors.length > 0) {
    throw new Error(`the warm-up failed: ${load.errors[0]}`);
  }
  return {
    fullyAnswered: load.finished.filter((entry) => fullyAnswered(entry.outcome)).length,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Runs the load for `durationSeconds`; the CPU of `cpuGroups` and of the benchmark is read as the window opens and as
 * it closes.
 */
async function measureThroughput(
  client: BrokerHttpClient,
  suite: readonly BenchQuery[],
  options: NetworkBenchOptions,
  cpuGroups: readonly CpuGroup[],
): Promise<ThroughputFigures> {
  const cpuBefore = takeCpuSnapshot(cpuGroups);
  const started = performance.now();
  const windowEnd = started + options.durationSeconds * 1000;
  // Read when the window closes, before the queries still in flight are awaited: their CPU is not in the window.
  const cpuAtClose = new Promise<CpuSnapshotResult>((resolve) => {
    setTimeout(() => resolve(takeCpuSnapshot(cpuGroups)), windowEnd - performance.now());
  });
  const [cpuAfter, load] = await Promise.all([cpuAtClose, runLoad(client, suite, options.concurrency, windowEnd)]);
  const complete = load.finished.filter((entry) => fullyAnswered(entry.outcome));
  const latency = summarizeLatency(complete.map((entry) => entry.outcome.elapsedMs));
  return {
    submitted: load.submitted,
    completeInWindow: complete.filter((entry) => entry.at <= windowEnd).length,
    incomplete: load.finished.length - complete.length,
    errors: load.errors,
    windowSeconds: options.durationSeconds,
    latencyMedianMs: latency.medianMs,
    latencyP95Ms: latency.p95Ms,
    cpu: !cpuBefore.ok ? cpuBefore : !cpuAfter.ok ? cpuAfter : ok({ before: cpuBefore.value, after: cpuAfter.value }),
  };
}

/** The CPU of each process group and of the benchmark in the throughput window, per fully answered query. */
function formatCpuSection(throughput: ThroughputFigures, cpuGroups: readonly CpuGroup[]): string[] {
  const heading = ['## CPU per fully answered query during the throughput window', ''];
  if (!throughput.cpu.ok) {
    return [...heading, `not measured: ${throughput.cpu.error}`];
  }
  const { before, after } = throughput.cpu.value;
  const usedMs = [
    ...cpuGroups.map((group, i) => ({ label: group.label, ms: after.groupMs[i] - before.groupMs[i] })),
    { label: 'benchmark client', ms: after.ownMs - before.ownMs },
  ];
  const totalMs = usedMs.reduce((sum, entry) => sum + entry.ms, 0);
  const perQuery = (ms: number): string => formatMs(ms / throughput.completeInWindow);
  const windowMs = after.atMs - before.atMs;
  return [
    ...heading,
    formatTable(
      ['process', 'CPU ms per query', 'share'],
      [
        ...usedMs.map((entry) => [
          entry.label,
          perQuery(entry.ms),
          totalMs > 0 ? `${((100 * entry.ms) / totalMs).toFixed(0)}%` : '-',
        ]),
        ['total', perQuery(totalMs), ''],
      ],
      ['left', 'right', 'right'],
    ),
    '',
    `cores busy: ${(totalMs / windowMs).toFixed(1)} of ${os.availableParallelism()}`,
  ];
}

function verdict(passed: boolean): string {
  return passed ? 'yes' : 'NO';
}

async function main(): Promise<number> {
  const repoRoot = findRepoRoot(__dirname);
  const benchRoot = path.join(repoRoot, 'bench');
  const parsed = parseNetworkBenchOptions(process.argv, benchRoot);
  if (!parsed.ok) {
    process.stderr.write(parsed.error.message === '' ? '' : `${parsed.error.message}\n`);
    return parsed.error.exitCode;
  }
  const options = parsed.value;
  const suite = (await loadQuerySuite(path.join(benchRoot, 'queries'))).filter(
    (query) => options.only === undefined || query.name.includes(options.only),
  );
  if (suite.length === 0) {
    process.stderr.write(`no query file name contains "${options.only}"\n`);
    return 2;
  }

  const fingerprint = await generatorFingerprint(path.join(repoRoot, 'libs', 'synthetic', 'src'));
  const siteIds = Array.from({ length: options.sites }, (_, i) => `site-${String(i + 1).padStart(2, '0')}`);
  process.stderr.write(`site data in ${options.dataDir}\n`);
  const sites: NetworkSiteData[] = [];
  for (const siteId of siteIds) {
    sites.push(await ensureNetworkSite(options.dataDir, siteId, options.patients, options.seed, fingerprint));
  }

  const workDir = await mkdtemp(path.join(os.tmpdir(), 'fq-bench-network-'));
  const apps: RunningApp[] = [];
  let nats: NatsServerHandle | null = null;
  try {
    const keys = await createNetworkKeys(workDir, siteIds);
    nats = await startNatsServer({ storeDir: path.join(workDir, 'jetstream'), configFile: keys.natsAuthorizationFile });
    // Long enough that no query expires while the machine is saturated; an expiry would show as incomplete.
    const broker = await startBroker({
      repoRoot,
      workDir,
      natsUrl: nats.url,
      keys,
      deadlineSeconds: 3600,
    });
    apps.push(broker.app);
    process.stderr.write(`starting ${options.sites} site agents\n`);
    const loadStarted = performance.now();
    const natsUrl = nats.url;
    const agents = await Promise.all(
      sites.map((site) =>
        startSiteAgent({
          repoRoot,
          workDir,
          natsUrl,
          site,
          keys,
          evaluationDate: options.evaluationDate,
          readyMs: options.readyTimeoutSeconds * 1000,
        }),
      ),
    );
    apps.push(...agents);
    const loadMs = performance.now() - loadStarted;

    process.stderr.write(`latency: ${suite.length} queries × ${options.runs} runs\n`);
    const latency = await measureLatency(broker.client, suite, options);
    const cpuGroups: CpuGroup[] = [
      { label: 'broker', processes: [{ name: broker.app.name, pid: broker.app.process.pid }] },
      {
        label: agents.length === 1 ? '1 site agent' : `${agents.length} site agents together`,
        processes: agents.map((agent) => ({ name: agent.name, pid: agent.process.pid })),
      },
      { label: 'nats-server', processes: [{ name: 'nats-server', pid: nats.pid }] },
    ];
    process.stderr.write(`warm-up: concurrency ${options.concurrency} for ${options.warmupSeconds} s, not measured\n`);
    const warmup = await warmUp(broker.client, suite, options);
    // Taken while every agent is idle, just before the window: how fast the machine is right now.
    const referenceMicros = speedReferenceMicros();
    process.stderr.write(`throughput: concurrency ${options.concurrency} for ${options.durationSeconds} s\n`);
    const throughput = await measureThroughput(broker.client, suite, options, cpuGroups);

    const atTargetSize = options.sites === TARGET_SITES && options.patients === TARGET_PATIENTS;
    const dataBytes = sites.reduce((sum, site) => sum + site.bytes, 0);
    const lines: string[] = [
      '',
      '# Network benchmark (broker + site agents + nats-server on loopback)',
      '',
      ...formatMachine(describeMachine(v8.getHeapStatistics().heap_size_limit)),
      `Sites    ${options.sites} × ${formatCount(options.patients)} patients (seed ${options.seed}), ${formatMiB(dataBytes)} NDJSON; all agents READY after ${(loadMs / 1000).toFixed(1)} s`,
      atTargetSize
        ? 'Size     the issue target size (10 × 100,000)'
        : `Size     SMALLER than the target size (10 × 100,000): figures are not a verdict on the target`,
      '',
      `## Latency: POST → final SSE event, ${options.runs} sequential runs per query (after ${options.warmup} warm-up pass)`,
      '',
      formatTable(
        ['query', 'median ms', 'p95 ms', 'runs', 'incomplete', `median <= ${TARGET_MEDIAN_MS} ms`],
        latency.rows.map((row) => [
          row.name,
          formatMs(row.medianMs),
          formatMs(row.p95Ms),
          String(row.runs),
          String(row.incomplete),
          verdict(row.medianMs <= TARGET_MEDIAN_MS),
        ]),
        ['left', 'right', 'right', 'right', 'right', 'left'],
      ),
      '',
      `## Throughput: concurrency ${options.concurrency}, ${options.durationSeconds} s window`,
      '',
      `after an unmeasured warm-up at the same concurrency: ${formatCount(warmup.fullyAnswered)} queries fully answered ` +
        `in ${warmup.seconds.toFixed(1)} s (${(warmup.fullyAnswered / Math.max(warmup.seconds, 0.001)).toFixed(1)}/s)`,
      `submitted ${formatCount(throughput.submitted)}, fully answered within the window ${formatCount(throughput.completeInWindow)}, ` +
        `incomplete ${throughput.incomplete}, errors ${throughput.errors.length}; ` +
        `POST → final event under load: median ${formatMs(throughput.latencyMedianMs)} ms, p95 ${formatMs(throughput.latencyP95Ms)} ms`,
      ...throughput.errors.slice(0, 3).map((error) => `  error: ${error}`),
      `machine speed just before the window: ${referenceMicros.toFixed(1)} µs per reference Ed25519 verification ` +
        '(node:crypto, one core, lower is faster)',
      '',
      ...formatCpuSection(throughput, cpuGroups),
      '',
      '## Against the targets',
      '',
    ];
    const overall = summarizeLatency(latency.allSamples);
    const worstMedian = Math.max(...latency.rows.map((row) => row.medianMs));
    const rate = throughput.completeInWindow / throughput.windowSeconds;
    const allCollected =
      throughput.incomplete === 0 &&
      throughput.errors.length === 0 &&
      latency.rows.every((row) => row.incomplete === 0);
    lines.push(
      formatTable(
        ['measure', 'measured', 'target', 'meets'],
        [
          [
            'median POST → final event, all runs',
            `${formatMs(overall.medianMs)} ms`,
            `<= ${TARGET_MEDIAN_MS} ms`,
            verdict(overall.medianMs <= TARGET_MEDIAN_MS),
          ],
          [
            'highest per-query median',
            `${formatMs(worstMedian)} ms`,
            `<= ${TARGET_MEDIAN_MS} ms`,
            verdict(worstMedian <= TARGET_MEDIAN_MS),
          ],
          [
            'sustained fully answered queries/s',
            rate.toFixed(1),
            `>= ${TARGET_QUERIES_PER_SECOND}`,
            verdict(rate >= TARGET_QUERIES_PER_SECOND),
          ],
          ['every answer collected', allCollected ? 'yes' : 'no', 'yes', verdict(allCollected)],
        ],
        ['left', 'right', 'right', 'left'],
      ),
      '',
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    for (const app of apps) {
      process.stderr.write(`${app.process.tail(20)}\n`);
    }
    return 1;
  } finally {
    await Promise.all(apps.map((app) => app.process.stop('SIGTERM')));
    await nats?.destroy();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);

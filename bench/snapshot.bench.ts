import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import { countCohort, loadIndexSnapshot, saveIndexSnapshot } from '@fq/engine';
import { createCohortKeyer } from '@fq/privacy';
import { Command, Option } from 'commander';
import { buildEngineIndex, collectGarbage } from './engine-measure';
import { describeMachine, formatMachine, loadLine } from './machine-info';
import { loadQuerySuite } from './query-suite';
import { formatCount, formatMiB, formatTable } from './report-table';
import { BENCH_SITE_SECRET, BENCH_SNAPSHOT_IDENTITY, type SnapshotStartReport } from './snapshot-measure';

/** A site restarted from its snapshot must answer within this long after its process started. */
const READY_TARGET_MS = 10_000;
const ROUNDS = 3;

const run = promisify(execFile);

function requireGc(): () => void {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc !== 'function') {
    throw new Error('run node with --expose-gc: memory figures are taken after a full collection');
  }
  return () => {
    Reflect.apply(gc, globalThis, []);
  };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const benchRoot = path.resolve(__dirname, '..', '..');
  const options = new Command('snapshot.bench')
    .description('Index snapshot: save and load times, file size, and how soon a restarted site answers')
    .addOption(new Option('--patients <n>', 'size of the synthetic site').default('1000000'))
    .addOption(new Option('--seed <n>', 'generator seed').default('42'))
    .addOption(
      new Option('--data-dir <dir>', 'where the engine benchmark generated its sites').default(
        path.join(benchRoot, '.data'),
      ),
    )
    .addOption(new Option('--evaluation-date <date>', 'date ages are computed at').default('2025-12-31'))
    .parse(process.argv)
    .opts<{ patients: string; seed: string; dataDir: string; evaluationDate: string }>();
  const name = `synthetic-${options.patients}-seed-${options.seed}`;
  const dataDir = path.join(options.dataDir, name);
  if (!existsSync(`${dataDir}.complete`)) {
    // Never generated here: `npm run bench` makes (and owns) the data.
    throw new Error(`no complete synthetic site at ${dataDir}; run npm run bench -- --sizes ${options.patients} first`);
  }
  const gc = requireGc();
  const machine = describeMachine(v8.getHeapStatistics().heap_size_limit);
  console.log(formatMachine(machine).join('\n'));
  const queriesDir = path.join(benchRoot, 'queries');
  const suite = await loadQuerySuite(queriesDir);

  const { index, build } = await buildEngineIndex([dataDir], gc);
  const built = suite.map(({ query }) => countCohort(index, query, { evaluationDate: options.evaluationDate }));
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'fq-snapshot-bench-'));
  const file = path.join(workDir, 'index-snapshot');
  try {
    const saveMs: number[] = [];
    let bytes = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const saved = await saveIndexSnapshot(file, index, { identity: BENCH_SNAPSHOT_IDENTITY });
      if (!saved.ok) {
        throw saved.error;
      }
      saveMs.push(performance.now() - started);
      bytes = saved.value.bytes;
    }
    // A loaded index numbers no patients: only its cohort keys need the site's keyer.
    const cohortKeying = {
      patientNumber: (): number => {
        throw new Error('a loaded index numbers no patients');
      },
      keyOf: createCohortKeyer(BENCH_SITE_SECRET),
    };
    const loadMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      collectGarbage(gc);
      const started = performance.now();
      const loaded = await loadIndexSnapshot(file, { identity: BENCH_SNAPSHOT_IDENTITY, cohortKeying });
      if (!loaded.ok) {
        throw loaded.error;
      }
      loadMs.push(performance.now() - started);
    }
    const starts: Array<SnapshotStartReport & { wallMs: number }> = [];
    const child = path.join(__dirname, 'snapshot-start.child.js');
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const { stdout } = await run(process.execPath, [child, file, queriesDir, options.evaluationDate], {
        maxBuffer: 1 << 24,
      });
      const report = JSON.parse(stdout) as SnapshotStartReport;
      starts.push({ ...report, wallMs: performance.now() - started });
    }
    const same = starts.every((start) =>
      start.answers.every((a, i) => a.rawCount === built[i].rawCount && a.cohortKey === built[i].cohortKey),
    );
    const ready = median(starts.map((s) => s.readyMs));
    console.log(
      formatTable(
        ['index snapshot', 'value', 'target'],
        [
          [
            'data',
            `${formatCount(build.memory.indexedResources)} indexed resources, ${formatCount(index.knownPatientCount)} patients`,
            '',
          ],
          ['building the index (read + index + finish)', seconds(build.ingest.durationMs + build.finishMs), ''],
          ['index typed arrays', formatMiB(build.memory.bytes), ''],
          ['snapshot file', `${formatMiB(bytes)} (${formatCount(bytes)} bytes)`, ''],
          [
            'save (write, fsync, rename), median of 3',
            `${seconds(median(saveMs))} (${saveMs.map(seconds).join(', ')})`,
            '',
          ],
          ['load in a warm process, median of 3', `${seconds(median(loadMs))} (${loadMs.map(seconds).join(', ')})`, ''],
          [
            'fresh process: start-up, load, ready',
            starts.map((s) => `${seconds(s.moduleLoadMs)} + ${seconds(s.loadMs)} = ${seconds(s.readyMs)}`).join('; '),
            `<= ${seconds(READY_TARGET_MS)} ${ready <= READY_TARGET_MS ? 'met' : 'MISSED'}`,
          ],
          ['fresh process: all queries answered', starts.map((s) => seconds(s.answeredMs)).join('; '), ''],
          ['fresh process: wall time incl. exit', starts.map((s) => seconds(s.wallMs)).join('; '), ''],
          ['fresh process: RSS when answered', starts.map((s) => formatMiB(s.rssBytes)).join('; '), ''],
          [
            `answers of ${suite.length} queries equal to the built index's`,
            same ? 'yes (count and cohort key)' : 'NO',
            '',
          ],
        ],
        ['left', 'right', 'left'],
      ),
    );
    console.log(`Load at the end: ${loadLine(os.loadavg()[0], machine.logicalCores)}`);
    console.log('The snapshot was just written, so it is read from the page cache; a cold disk adds its read time.');
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

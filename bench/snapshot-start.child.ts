import { countCohort, loadIndexSnapshot } from '@fq/engine';
import { createCohortKeyer } from '@fq/privacy';
import { BENCH_SNAPSHOT_IDENTITY, BENCH_SITE_SECRET, type SnapshotStartReport } from './snapshot-measure';
import { loadQuerySuite } from './query-suite';

/**
 * A fresh process, as a restarted site agent: loads the snapshot named on the command line and answers the query
 * suite once; prints how long after the process started it was ready (snapshot loaded) and had answered.
 */
async function main(): Promise<void> {
  const [file, queriesDir, evaluationDate] = process.argv.slice(2);
  const startedAtMs = performance.now();
  const keyOf = createCohortKeyer(BENCH_SITE_SECRET);
  const cohortKeying = {
    patientNumber: () => {
      throw new Error('a loaded index numbers no patients');
    },
    keyOf,
  };
  const loaded = await loadIndexSnapshot(file, { identity: BENCH_SNAPSHOT_IDENTITY, cohortKeying });
  if (!loaded.ok) {
    throw loaded.error;
  }
  const loadedAtMs = performance.now();
  const suite = await loadQuerySuite(queriesDir);
  const answers = suite.map(({ query }) => countCohort(loaded.value.index, query, { evaluationDate }));
  const report: SnapshotStartReport = {
    // performance.now() counts from the process's start: Node's own start-up and module loading are included.
    moduleLoadMs: startedAtMs,
    readyMs: loadedAtMs,
    loadMs: loadedAtMs - startedAtMs,
    answeredMs: performance.now(),
    answers,
    rssBytes: process.memoryUsage().rss,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { evaluationDateArb, miiDataSetArb, miiQueryArb } from '../../evaluate/__fixtures__/arbitraries';
import { evaluateQueryNaively } from '../../evaluate/__fixtures__/reference-evaluator';
import { evaluateQuery } from '../../evaluate/evaluate-query';
import type { FhirResource } from '../../fhirpath/fhir-resource';
import { saveIndexSnapshot } from '../../index/snapshot/index-snapshot.writer';
import { createIndexBuilder } from '../../site-engine';
import { ingestFhir, type IngestSummary } from '../fhir-ingest';
import { ingestFhirInParallel } from './parallel-ingest';

const WORKER_SCRIPT = join(__dirname, '__fixtures__', 'ts-worker.js');
const IDENTITY = { source: 'test', numbering: '' };

/** The summary without its timings, which differ from run to run. */
function countsOf(summary: IngestSummary): Omit<IngestSummary, 'durationMs' | 'resourcesPerSecond'> {
  const { durationMs: _duration, resourcesPerSecond: _rate, ...counts } = summary;
  return counts;
}

/** Writes `resources` as the input a site might hold: plain and gzipped NDJSON with bad lines, and a Bundle. */
async function writeSite(dir: string, resources: readonly FhirResource[], cut: number, junk: number): Promise<void> {
  const lines = resources.map((resource) => JSON.stringify(resource));
  const at = Math.min(cut, lines.length);
  const plain = [...lines.slice(0, at)];
  plain.splice(Math.min(junk, plain.length), 0, '{not json', '', '[]');
  await writeFile(join(dir, 'a.ndjson'), plain.join('\n') + '\n');
  const rest = lines.slice(at);
  await writeFile(join(dir, 'b.ndjson.gz'), gzipSync(rest.slice(0, rest.length >> 1).join('\n')));
  const bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: resources.slice(at + (rest.length >> 1)).map((resource) => ({ resource })),
  };
  await writeFile(join(dir, 'c.json'), JSON.stringify(bundle));
  // A later file repeats the first resources: the later versions win, across parts and workers.
  await writeFile(join(dir, 'd.ndjson'), lines.slice(0, 3).join('\n'));
}

describe('ingestFhirInParallel', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parallel-ingest-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds the index the one-thread ingestion builds, byte for byte, with the same summary', async () => {
    await fc.assert(
      fc.asyncProperty(
        miiDataSetArb,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 64, max: 4096 }),
        miiQueryArb,
        evaluationDateArb,
        async (resources, cut, junk, workers, partBytes, query, evaluationDate) => {
          const site = await mkdtemp(join(dir, 'site-'));
          await writeSite(site, resources, cut % (resources.length + 1), junk);
          const sequential = createIndexBuilder();
          const sequentialSummary = await ingestFhir([site], sequential);
          const parallel = createIndexBuilder();
          const parallelSummary = await ingestFhirInParallel([site], parallel, {
            workers,
            partBytes,
            chunkBytes: 97,
            workerScript: WORKER_SCRIPT,
          });
          expect(countsOf(parallelSummary)).toEqual(countsOf(sequentialSummary));
          const one = sequential.finish();
          const many = parallel.finish();
          const files = [join(site, 'one.snapshot'), join(site, 'many.snapshot')];
          await saveIndexSnapshot(files[0], one, { identity: IDENTITY, savedAt: 'x' });
          await saveIndexSnapshot(files[1], many, { identity: IDENTITY, savedAt: 'x' });
          expect((await readFile(files[1])).equals(await readFile(files[0]))).toBe(true);
          // What a site answers from the data, whichever way they were read (the bundle and d.ndjson hold versions).
          expect(evaluateQuery(many, query, { evaluationDate }).rawCount).toBe(
            evaluateQuery(one, query, { evaluationDate }).rawCount,
          );
          await rm(site, { recursive: true, force: true });
        },
      ),
      { numRuns: 6 },
    );
  }, 240_000);

  it('counts what the reference evaluator counts on data read by several workers', async () => {
    const resources = fc.sample(miiDataSetArb, { numRuns: 1, seed: 7 })[0];
    const lines = resources.map((resource) => JSON.stringify(resource)).join('\n');
    await writeFile(join(dir, 'all.ndjson'), lines);
    const builder = createIndexBuilder();
    const summary = await ingestFhirInParallel([dir], builder, {
      workers: 3,
      partBytes: 256,
      workerScript: WORKER_SCRIPT,
    });
    expect(summary.resources).toBe(resources.length);
    const index = builder.finish();
    for (const query of fc.sample(miiQueryArb, { numRuns: 20, seed: 8 })) {
      const naive = evaluateQueryNaively(resources, query, { evaluationDate: '2025-01-01' });
      expect(evaluateQuery(index, query, { evaluationDate: '2025-01-01' }).rawCount).toBe(naive.rawCount);
    }
  }, 60_000);
});

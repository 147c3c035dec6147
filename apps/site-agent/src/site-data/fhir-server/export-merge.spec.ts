import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { mergeExportFiles, readGzipLines } from './export-merge';
import { ContentDigest, writeNdjsonFile } from './ndjson-file.writer';

type Resource = { resourceType: string; id: string; version: number };

const resource = fc.record({
  resourceType: fc.constantFrom('Patient', 'Condition', 'Observation'),
  id: fc.integer({ min: 0, max: 30 }).map((n) => `r${n}`),
  version: fc.integer({ min: 0, max: 5 }),
});

const keyOf = (r: Pick<Resource, 'resourceType' | 'id'>): string => `${r.resourceType}/${r.id}`;

/** One resource per key, as a server's export has it. */
const uniqueResources = fc.uniqueArray(resource, { selector: keyOf, maxLength: 40 });

async function writeLines(path: string, lines: readonly string[]): Promise<ContentDigest> {
  const digest = new ContentDigest();
  await writeNdjsonFile(Readable.from(lines.map((line) => `${line}\n`)), path, digest, 'test file');
  return digest;
}

describe('mergeExportFiles', () => {
  it('gives what applying the changes and deletions to the export gives, with a digest independent of order', async () => {
    await fc.assert(
      fc.asyncProperty(
        uniqueResources,
        uniqueResources,
        fc.uniqueArray(resource, { selector: keyOf, maxLength: 10 }),
        async (base, changes, deletions) => {
          const dir = await mkdtemp(join(tmpdir(), 'export-merge-'));
          try {
            const half = Math.floor(base.length / 2);
            const baseFiles = [join(dir, '00000-a.ndjson.gz'), join(dir, '00001-b.ndjson.gz')];
            await writeLines(
              baseFiles[0],
              base.slice(0, half).map((r) => JSON.stringify(r)),
            );
            await writeLines(
              baseFiles[1],
              base.slice(half).map((r) => JSON.stringify(r)),
            );
            const changeFile = join(dir, 'changes.ndjson.gz');
            await writeLines(
              changeFile,
              changes.map((r) => JSON.stringify(r)),
            );
            const deletedFile = join(dir, 'deleted.ndjson.gz');
            const changed = new Set(changes.map(keyOf));
            // A resource deleted and changed in one window exists now: the server lists it among the changes.
            const deletedOnly = deletions.filter((r) => !changed.has(keyOf(r)));
            await writeLines(
              deletedFile,
              deletedOnly.map((r) =>
                JSON.stringify({
                  resourceType: 'Bundle',
                  type: 'transaction',
                  entry: [{ request: { method: 'DELETE', url: keyOf(r) } }],
                }),
              ),
            );

            const outDir = await mkdtemp(join(dir, 'out-'));
            const merged = await mergeExportFiles(baseFiles, [changeFile], [deletedFile], outDir);

            const expected = new Map(base.map((r) => [keyOf(r), r]));
            for (const r of deletedOnly) {
              expected.delete(keyOf(r));
            }
            for (const r of changes) {
              expected.set(keyOf(r), r);
            }
            const actual: Resource[] = [];
            for (const file of merged.files) {
              for await (const line of readGzipLines(join(outDir, file))) {
                actual.push(JSON.parse(line) as Resource);
              }
            }
            expect(actual).toHaveLength(expected.size);
            expect(new Map(actual.map((r) => [keyOf(r), r]))).toEqual(expected);

            const reordered = await writeLines(
              join(dir, 'reordered.ndjson.gz'),
              [...expected.values()].reverse().map((r) => JSON.stringify(r)),
            );
            expect(merged.digest.toHex()).toBe(reordered.toHex());
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a file whose last line was cut off', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'export-cut-'));
    try {
      const written = writeNdjsonFile(
        Readable.from(['{"resourceType":"Patient","id":"p1"}\n{"resourceType":"Pat']),
        join(dir, 'cut.ndjson.gz'),
        new ContentDigest(),
        'a cut file',
      );
      await expect(written).rejects.toThrow(/a cut file ends inside a line/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

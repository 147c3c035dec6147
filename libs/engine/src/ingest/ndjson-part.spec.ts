import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { type ByteRange, readNdjsonPart, readResourceBatches } from './fhir-reader';
import type { IngestIssue } from './ingest-issues';
import type { InputFile } from './input-files';

/** Resources (type, id, line) and issues (code, line) of `parts` read one after another, lines counted on. */
async function readParts(file: InputFile, parts: ByteRange[] | null) {
  const seen: string[] = [];
  const issues: string[] = [];
  let linesBefore = 0;
  const reads = parts === null ? [null] : parts;
  for (const part of reads) {
    const report = (issue: IngestIssue) => issues.push(`${issue.code}@${(issue.line ?? 0) + linesBefore}`);
    const batches =
      part === null
        ? readResourceBatches([file], { chunkBytes: 7 }, report)
        : readNdjsonPart(file, part, { chunkBytes: 7 }, report);
    for await (const batch of batches) {
      for (const { resource, source } of batch.items) {
        seen.push(`${resource.resourceType}/${String(resource.id)}@${(source.line ?? 0) + linesBefore}`);
      }
      if (batch.done) {
        linesBefore += batch.lines ?? 0;
      }
    }
  }
  return { seen, issues, lines: linesBefore };
}

const lineArb = fc.oneof(
  fc.integer({ min: 0, max: 999 }).map((n) => JSON.stringify({ resourceType: 'Patient', id: `p${n}` })),
  fc.constantFrom('', ' ', '{broken', '[1,2]', '\r'),
);

describe('readNdjsonPart', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ndjson-part-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads, over parts cut at any bytes, the same resources, lines and issues as the whole file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (lines, finalNewline, cuts) => {
          const content = Buffer.from(lines.join('\n') + (finalNewline ? '\n' : ''), 'utf8');
          const path = join(dir, 'part.ndjson');
          await writeFile(path, content);
          const file: InputFile = { path, format: 'ndjson', size: content.length };
          const points = [...new Set(cuts.map((cut) => cut % (content.length + 1)))].sort((a, b) => a - b);
          const bounds = [0, ...points.filter((p) => p > 0), content.length];
          const parts = bounds.slice(1).map((end, i) => ({ start: bounds[i], end }));
          const whole = await readParts(file, null);
          expect(await readParts(file, parts)).toEqual(whole);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StructuredQuery } from '@fq/ccdl';
import { evaluateQuery } from '../evaluate/evaluate-query';
import { createIndexBuilder } from '../site-engine';
import { ingestFhir } from './fhir-ingest';

// The fixtures were written by Python's bz2 module: 40 patients (20 female), once as one bzip2 stream and once as
// two concatenated streams (as parallel compressors write them), and a Bundle linked by urn:uuid.
const FIXTURES = path.join(__dirname, '__fixtures__');
const FEMALE: StructuredQuery = {
  inclusionCriteria: [
    [
      {
        context: { system: 'fdpg.mii.cds', code: 'Patient' },
        termCodes: [{ system: 'http://snomed.info/sct', code: '263495000' }],
        valueFilter: {
          type: 'concept',
          selectedConcepts: [{ system: 'http://hl7.org/fhir/administrative-gender', code: 'female' }],
        },
      },
    ],
  ],
};

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bzip2-input-'));
});

afterEach(() => fs.rm(dir, { recursive: true, force: true }));

async function load(paths: string[], chunkBytes?: number) {
  const builder = createIndexBuilder();
  const summary = await ingestFhir(paths, builder, chunkBytes === undefined ? {} : { chunkBytes });
  const index = builder.finish();
  return { summary, females: evaluateQuery(index, FEMALE, { evaluationDate: '2025-01-01' }).rawCount };
}

describe('bzip2 input', () => {
  it.each(['patients.ndjson.bz2', 'patients-multistream.ndjson.bz2'])('reads %s as NDJSON', async (name) => {
    const { summary, females } = await load([path.join(FIXTURES, name)], 64);
    expect(summary).toMatchObject({ files: 1, resources: 40, indexed: 40, errors: 0 });
    expect(females).toBe(20);
  });

  it('reads a bzip2 Bundle and a directory holding only .bz2 files', async () => {
    await fs.copyFile(path.join(FIXTURES, 'bundle.json.bz2'), path.join(dir, 'bundle.json.bz2'));
    await fs.copyFile(path.join(FIXTURES, 'patients.ndjson.bz2'), path.join(dir, 'patients.ndjson.bz2'));
    const { summary } = await load([dir]);
    expect(summary).toMatchObject({ files: 2, skippedFiles: 0, resources: 42, indexed: 42, noPatient: 0, errors: 0 });
  });

  it('reads bzip2 by its magic bytes, whatever the file is called', async () => {
    await fs.copyFile(path.join(FIXTURES, 'patients.ndjson.bz2'), path.join(dir, 'patients.ndjson'));
    const { summary } = await load([path.join(dir, 'patients.ndjson')]);
    expect(summary).toMatchObject({ resources: 40, errors: 0 });
  });

  it('reports a truncated or corrupt bzip2 file loudly and keeps what it read before', async () => {
    const data = await fs.readFile(path.join(FIXTURES, 'patients-multistream.ndjson.bz2'));
    const truncated = path.join(dir, 'truncated.ndjson.bz2');
    await fs.writeFile(truncated, data.subarray(0, data.length - 40));
    const corrupt = path.join(dir, 'corrupt.json.bz2');
    const bytes = Buffer.from(await fs.readFile(path.join(FIXTURES, 'bundle.json.bz2')));
    bytes.fill(0x55, 20, 60);
    await fs.writeFile(corrupt, bytes);
    const { summary } = await load([truncated, corrupt]);
    expect(summary.errorsByCode).toEqual({ ENGINE_INPUT_BZIP2_INVALID: 2 });
    expect(summary.errorSamples.map((issue) => [path.basename(issue.file), issue.message])).toEqual([
      ['truncated.ndjson.bz2', expect.stringMatching(/^cannot decompress \(bzip2\) from this line on: /)],
      ['corrupt.json.bz2', expect.stringMatching(/^cannot decompress \(bzip2\): /)],
    ]);
    expect(summary.resources).toBeLessThan(40);
  });
});
